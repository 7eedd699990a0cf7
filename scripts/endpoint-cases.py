#!/usr/bin/env python3
"""Writes Tests/LatticeKitTests/Resources/endpoints/cases.json: expected vpc-lattice endpoints
computed by botocore's own resolver (botocore.regions.EndpointRulesetResolver) over the same rule
set and partitions.json that scripts/generate-endpoint-data.py embeds in the library.

Cases: every region each partition lists, plus one unlisted region matching the partition's
regionRegex, each with UseFIPS and UseDualStack false/true; custom endpoints with and without
FIPS and dual-stack; no region; a region no partition claims; and region and endpoint values
botocore refuses when a client is created (utils.validate_region_name, is_valid_endpoint_url).

Rerun from the repository root after changing the pinned botocore (1.43.11):

    python3 scripts/endpoint-cases.py
"""

import gzip
import itertools
import json
import os
import re

import botocore
import botocore.session
from botocore.exceptions import EndpointResolutionError, InvalidRegionError
from botocore.hooks import HierarchicalEmitter
from botocore.regions import EndpointRulesetResolver
from botocore.utils import is_valid_endpoint_url, is_valid_ipv6_endpoint_url, validate_region_name

SERVICE = "vpc-lattice"
API_VERSION = "2022-11-30"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUTPUT = os.path.join(ROOT, "Tests", "LatticeKitTests", "Resources", "endpoints", "cases.json")
BOOLS = (False, True)


def load():
    data = os.path.join(os.path.dirname(botocore.__file__), "data")
    with gzip.open(os.path.join(data, SERVICE, API_VERSION, "endpoint-rule-set-1.json.gz"), "rt") as f:
        rule_set = json.load(f)
    with open(os.path.join(data, "partitions.json")) as f:
        partitions = json.load(f)
    return rule_set, partitions


SERVICE_MODEL = botocore.session.Session().get_service_model(SERVICE, API_VERSION)


def make_resolver(rule_set, partitions, builtins):
    service_model = SERVICE_MODEL
    return service_model, EndpointRulesetResolver(
        endpoint_ruleset_data=rule_set,
        partition_data=partitions,
        service_model=service_model,
        builtins=builtins,
        client_context={},
        event_emitter=HierarchicalEmitter(),
    )


def expected(rule_set, partitions, params):
    """botocore's answer for params ({"Region", "UseFIPS", "UseDualStack", "Endpoint"})."""
    if params.get("Region") is not None:
        try:
            validate_region_name(params["Region"])
        except InvalidRegionError:
            return {"errorKind": "invalidRegion"}
    endpoint = params.get("Endpoint")
    if endpoint is not None and not valid_endpoint(endpoint):
        return {"errorKind": "invalidEndpoint"}
    builtins = {
        "AWS::Region": params.get("Region"),
        "AWS::UseFIPS": params["UseFIPS"],
        "AWS::UseDualStack": params["UseDualStack"],
        "SDK::Endpoint": endpoint,
    }
    service_model, resolver = make_resolver(rule_set, partitions, builtins)
    operation = service_model.operation_model("ListServiceNetworks")
    try:
        result = resolver.construct_endpoint(operation, {}, {})
    except EndpointResolutionError as e:
        return {"error": e.kwargs["msg"]}
    out = {"url": result.url}
    if result.headers:
        # botocore keeps only the first value of each header; the rule set's list is wanted.
        out["headers"] = {k: [v] for k, v in sorted(result.headers.items())}
    if result.properties:
        raise SystemExit(f"the rule set now returns properties ({result.properties}): extend ResolvedEndpoint")
    return out


def valid_endpoint(endpoint):
    """botocore's check of a client's endpoint_url (a ValueError from urlsplit means invalid)."""
    try:
        return is_valid_endpoint_url(endpoint) or is_valid_ipv6_endpoint_url(endpoint)
    except ValueError:
        return False


def synthetic_region(partition):
    """An unlisted region that the partition's regionRegex matches: a listed one renumbered."""
    regex = re.compile(partition["regionRegex"])
    for region in sorted(partition["regions"]):
        if not regex.match(region):
            continue
        stem = re.sub(r"\d+$", "", region)
        for number in range(99, 9, -1):
            candidate = f"{stem}{number}"
            if regex.match(candidate) and candidate not in partition["regions"]:
                return candidate
    raise SystemExit(f"no synthetic region found for partition {partition['id']}")


def main():
    rule_set, partitions = load()
    cases = []

    def add(name, region=None, fips=False, dual=False, endpoint=None):
        params = {"UseFIPS": fips, "UseDualStack": dual}
        if region is not None:
            params["Region"] = region
        if endpoint is not None:
            params["Endpoint"] = endpoint
        cases.append({"name": name, "params": params, "expect": expected(rule_set, partitions, params)})

    for partition in partitions["partitions"]:
        regions = sorted(partition["regions"]) + [synthetic_region(partition)]
        for region, fips, dual in itertools.product(regions, BOOLS, BOOLS):
            listed = "listed" if region in partition["regions"] else "unlisted"
            add(f"{partition['id']} {listed} {region} fips={fips} dualstack={dual}", region, fips, dual)

    custom = ["https://example.com", "http://127.0.0.1:5000", "https://vpc-lattice.us-west-2.amazonaws.com/prefix/",
              "http://[::1]:8080", "HTTPS://Example.COM"]
    for endpoint, region, fips, dual in itertools.product(custom, (None, "us-west-2"), BOOLS, BOOLS):
        add(f"custom endpoint {endpoint} region={region} fips={fips} dualstack={dual}", region, fips, dual, endpoint)

    for fips, dual in itertools.product(BOOLS, BOOLS):
        add(f"no region fips={fips} dualstack={dual}", None, fips, dual)
        add(f"unknown partition xx-nowhere-1 fips={fips} dualstack={dual}", "xx-nowhere-1", fips, dual)

    for region in ["us-east-1 ", "us_east_1", "-us-east-1", "us-east-1-", "123", "us-east-1/x", "a" * 64, "US-EAST-1", "a" * 63]:
        add(f"region {region!r}", region)
    for endpoint in ["localhost:5000", "https://", "https://bad_host.example.com", "https://-bad.example.com",
                     "http://exa mple.com", "https://[::1"]:
        add(f"endpoint {endpoint!r}", "us-east-1", endpoint=endpoint)

    document = {
        "generatedBy": "scripts/endpoint-cases.py",
        "botocore": botocore.__version__,
        "cases": cases,
    }
    os.makedirs(os.path.dirname(OUTPUT), exist_ok=True)
    with open(OUTPUT, "w") as f:
        json.dump(document, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {os.path.relpath(OUTPUT, ROOT)}")


if __name__ == "__main__":
    main()
