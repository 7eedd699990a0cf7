#!/usr/bin/env python3
"""Evidence for moto_quirks.md: runs the create/get/list/tag/untag flows moto supports
against a moto_server it starts itself, and checks every raw answer against the model
(Codegen/Model/service-2.json): status code, Content-Type, explicit nulls, required output
members, string patterns and lengths, enums, timestamp format, unknown members.

Prints a report on stdout (ids and timestamps vary from run to run; the findings do not).
Usage: moto_quirks_probe.py [--url URL]   (with --url, uses a running moto instead)
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import boto3
import botocore
from botocore.config import Config

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import moto_coverage  # noqa: E402  (reuses its start_moto)

with open(os.path.join(HERE, "..", "..", "Codegen", "Model", "service-2.json")) as f:
    MODEL = json.load(f)
SHAPES = MODEL["shapes"]
# What the real service sends: ISO 8601, UTC, "Z" (botocore parses more, a strict client may not).
AWS_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$")


def check(shape_name, value, path, issues):
    shape = SHAPES[shape_name]
    kind = shape["type"]
    if value is None:
        issues.append(f"{path}: explicit null (shape {shape_name})")
        return
    if kind == "structure":
        if not isinstance(value, dict):
            issues.append(f"{path}: expected object, got {type(value).__name__}")
            return
        for req in shape.get("required", []):
            if req not in value:
                issues.append(f"{path}.{req}: required member missing")
        for key, val in value.items():
            member = shape["members"].get(key)
            if member is None:
                issues.append(f"{path}.{key}: member not in the model (extra)")
                continue
            check(member["shape"], val, f"{path}.{key}", issues)
    elif kind == "list":
        if not isinstance(value, list):
            issues.append(f"{path}: expected list, got {type(value).__name__}")
            return
        for i, item in enumerate(value):
            check(shape["member"]["shape"], item, f"{path}[{i}]", issues)
    elif kind == "map":
        if not isinstance(value, dict):
            issues.append(f"{path}: expected map, got {type(value).__name__}")
            return
        for key, val in value.items():
            check(shape["value"]["shape"], val, f"{path}[{key!r}]", issues)
    elif kind == "string":
        if not isinstance(value, str):
            issues.append(f"{path}: expected string, got {type(value).__name__} {value!r}")
            return
        if "min" in shape and len(value) < shape["min"]:
            issues.append(f"{path}: {value!r} shorter than min {shape['min']} ({shape_name})")
        if "max" in shape and len(value) > shape["max"]:
            issues.append(f"{path}: {value!r} longer than max {shape['max']} ({shape_name})")
        if "pattern" in shape and not re.fullmatch(shape["pattern"], value):
            issues.append(f"{path}: {value!r} does not match {shape_name} /{shape['pattern']}/")
        if "enum" in shape and value not in shape["enum"]:
            issues.append(f"{path}: {value!r} not in enum {shape_name} {shape['enum']}")
    elif kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            issues.append(f"{path}: expected integer, got {type(value).__name__} {value!r}")
        else:
            if "min" in shape and value < shape["min"]:
                issues.append(f"{path}: {value} below min {shape['min']}")
            if "max" in shape and value > shape["max"]:
                issues.append(f"{path}: {value} above max {shape['max']}")
    elif kind == "boolean":
        if not isinstance(value, bool):
            issues.append(f"{path}: expected boolean, got {type(value).__name__} {value!r}")
    elif kind == "timestamp":
        if not isinstance(value, str) or not AWS_TIMESTAMP.match(value):
            issues.append(f"{path}: timestamp {value!r} is not yyyy-mm-ddThh:mm:ss[.sss]Z")


class Probe:
    def __init__(self, url):
        self.client = boto3.client(
            "vpc-lattice", endpoint_url=url, region_name="us-east-1",
            aws_access_key_id="testing", aws_secret_access_key="testing",
            config=Config(retries={"max_attempts": 1, "mode": "standard"}))
        self.raw = None
        self.client.meta.events.register("before-parse.vpc-lattice.*", self._capture)
        self.client.meta.events.register("before-send.vpc-lattice.*", self._request)
        self.last_request = None

    def _capture(self, operation_model, response_dict, **_):
        self.raw = response_dict

    def _request(self, request, **_):
        self.last_request = f"{request.method} {request.url.split('://', 1)[1].split('/', 1)[1]}"

    def call(self, _op, quiet=False, **params):
        name = _op
        op = MODEL["operations"][name]
        try:
            parsed = getattr(self.client, botocore.xform_name(name))(**params)
        except botocore.exceptions.ClientError as e:
            parsed = None
            err = e
        else:
            err = None
        raw = self.raw
        status = raw["status_code"]
        headers = raw["headers"]
        body = raw["body"].decode("utf-8", "replace")
        issues = []
        expected = op["http"].get("responseCode", 200)
        if err is None:
            if status != expected:
                issues.append(f"status {status}, model says {expected}")
            ctype = headers.get("Content-Type", "")
            if not ctype.startswith("application/json"):
                issues.append(f"Content-Type {ctype!r}")
            try:
                doc = json.loads(body) if body else {}
            except ValueError:
                issues.append("body is not JSON")
                doc = {}
            check(op["output"]["shape"], doc, "$", issues)
        if not quiet:
            print(f"## {name}  {self.last_request}")
            print(f"   -> {status} {headers.get('Content-Type', '')}"
                  + (f" x-amzn-ErrorType={headers.get('X-Amzn-ErrorType')}" if err else ""))
            print(f"   body: {body[:400]}")
            for issue in issues:
                print(f"   QUIRK: {issue}")
        return parsed if err is None else None, err, raw


def run(url):
    p = Probe(url)
    print("# Flows\n")
    sn = p.call("CreateServiceNetwork", name="network-one", tags={"a": "1"})[0]
    p.call("GetServiceNetwork", serviceNetworkIdentifier=sn["id"])
    p.call("GetServiceNetwork", serviceNetworkIdentifier=sn["arn"])
    p.call("ListServiceNetworks")
    svc = p.call("CreateService", name="alpha", tags={"a": "1"})[0]
    p.call("CreateService", name="beta-iam", authType="AWS_IAM")
    p.call("GetService", serviceIdentifier=svc["id"])
    p.call("GetService", serviceIdentifier=svc["arn"])
    p.call("ListServices")
    lis = p.call("CreateListener", serviceIdentifier=svc["id"], name="http-80", protocol="HTTP",
                 defaultAction={"fixedResponse": {"statusCode": 404}})[0]
    p.call("GetListener", serviceIdentifier=svc["id"], listenerIdentifier=lis["id"])
    p.call("ListListeners", serviceIdentifier=svc["id"])
    rule = p.call("CreateRule", serviceIdentifier=svc["id"], listenerIdentifier=lis["id"], name="first",
           match={"httpMatch": {"pathMatch": {"match": {"prefix": "/x"}}}}, priority=1,
           action={"fixedResponse": {"statusCode": 404}})[0]
    p.call("CreateRule", serviceIdentifier="svc-doesnotexist00000", listenerIdentifier="listener-0123456789abcdef0",
           name="second", match={"httpMatch": {"method": "GET"}}, priority=2,
           action={"fixedResponse": {"statusCode": 404}})
    tg = p.call("CreateTargetGroup", name="targets-ip", type="IP",
                config={"port": 80, "protocol": "HTTP", "vpcIdentifier": "vpc-0123456789abcdef0"})[0]
    p.call("CreateTargetGroup", name="targets-lambda", type="LAMBDA")
    p.call("GetTargetGroup", targetGroupIdentifier=tg["id"])
    p.call("GetTargetGroup", targetGroupIdentifier=tg["arn"])
    p.call("ListTargetGroups")
    snsa = p.call("CreateServiceNetworkServiceAssociation", serviceIdentifier=svc["id"],
                  serviceNetworkIdentifier=sn["id"])[0]
    p.call("GetServiceNetworkServiceAssociation",
           serviceNetworkServiceAssociationIdentifier=snsa["id"])
    p.call("ListServiceNetworkServiceAssociations", serviceNetworkIdentifier=sn["id"])
    snva = p.call("CreateServiceNetworkVpcAssociation", serviceNetworkIdentifier=sn["id"],
                  vpcIdentifier="vpc-0123456789abcdef0",
                  securityGroupIds=["sg-0123456789abcdef0"])[0]
    p.call("ListServiceNetworkVpcAssociations", serviceNetworkIdentifier=sn["id"])
    snra = p.call("CreateServiceNetworkResourceAssociation",
                  resourceConfigurationIdentifier="rcfg-0123456789abcdef0",
                  serviceNetworkIdentifier=sn["id"])[0]
    p.call("GetServiceNetworkResourceAssociation",
           serviceNetworkResourceAssociationIdentifier=snra["id"])
    p.call("ListServiceNetworkResourceAssociations")
    als = p.call("CreateAccessLogSubscription", resourceIdentifier=svc["id"],
                 destinationArn="arn:aws:s3:::bucket-one", tags={"a": "1"})[0]
    p.call("CreateAccessLogSubscription", resourceIdentifier=svc["arn"],
           destinationArn="arn:aws:s3:::bucket-one")
    p.call("GetAccessLogSubscription", accessLogSubscriptionIdentifier=als["id"])
    p.call("GetAccessLogSubscription", accessLogSubscriptionIdentifier=als["arn"])
    p.call("ListAccessLogSubscriptions", resourceIdentifier=svc["id"])
    p.call("UpdateAccessLogSubscription", accessLogSubscriptionIdentifier=als["id"],
           destinationArn="arn:aws:s3:::bucket-two")
    p.call("DeleteAccessLogSubscription", accessLogSubscriptionIdentifier=als["id"])
    policy = json.dumps({"Version": "2012-10-17", "Statement": []})
    p.call("PutAuthPolicy", resourceIdentifier=svc["id"], policy=policy)
    p.call("GetAuthPolicy", resourceIdentifier=svc["id"])
    p.call("GetAuthPolicy", resourceIdentifier=svc["arn"])
    p.call("DeleteAuthPolicy", resourceIdentifier=svc["id"])
    p.call("PutResourcePolicy", resourceArn=svc["arn"], policy=policy)
    p.call("GetResourcePolicy", resourceArn=svc["arn"])
    p.call("DeleteResourcePolicy", resourceArn=svc["arn"])

    print("\n# Tags\n")
    for arn in (sn["arn"], svc["arn"], lis["arn"], rule["arn"], tg["arn"], snsa["arn"],
                snva["arn"], snra["arn"], als["arn"]):
        p.call("TagResource", resourceArn=arn, tags={"b": "2", "c": "3"})
        p.call("UntagResource", resourceArn=arn, tagKeys=["a", "b"])
        p.call("ListTagsForResource", resourceArn=arn)
    unknown = "arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-0123456789abcdef0"
    p.call("ListTagsForResource", resourceArn=unknown)
    p.call("TagResource", resourceArn=unknown, tags={"x": "y"})
    p.call("ListTagsForResource", resourceArn=unknown)

    print("\n# Errors\n")
    p.call("GetService", serviceIdentifier="svc-0123456789abcdef0")
    p.call("GetListener", serviceIdentifier=svc["id"], listenerIdentifier="listener-0123456789abcdef0")
    p.call("CreateAccessLogSubscription", resourceIdentifier="tg-0123456789abcdef0",
           destinationArn="arn:aws:s3:::bucket-one")
    p.call("GetResourcePolicy", resourceArn=unknown)

    print("\n# Pagination\n")
    # At least two items behind every list operation moto has.
    p.call("CreateServiceNetwork", quiet=True, name="network-two")
    p.call("CreateListener", quiet=True, serviceIdentifier=svc["id"], name="http-81",
           protocol="HTTP", port=81, defaultAction={"fixedResponse": {"statusCode": 404}})
    svc2 = p.call("CreateService", quiet=True, name="gamma")[0]
    p.call("CreateServiceNetworkServiceAssociation", quiet=True, serviceIdentifier=svc2["id"],
           serviceNetworkIdentifier=sn["id"])
    p.call("CreateServiceNetworkVpcAssociation", quiet=True, serviceNetworkIdentifier=sn["id"],
           vpcIdentifier="vpc-0123456789abcdef1")
    p.call("CreateServiceNetworkResourceAssociation", quiet=True,
           resourceConfigurationIdentifier="rcfg-0123456789abcdef1",
           serviceNetworkIdentifier=sn["id"])
    p.call("CreateAccessLogSubscription", quiet=True, resourceIdentifier=svc["id"],
           destinationArn="arn:aws:s3:::bucket-three")
    p.call("CreateAccessLogSubscription", quiet=True, resourceIdentifier=svc["id"],
           destinationArn="arn:aws:s3:::bucket-four")
    lists = [
        ("ListServices", {}), ("ListServiceNetworks", {}), ("ListTargetGroups", {}),
        ("ListListeners", {"serviceIdentifier": svc["id"]}),
        ("ListServiceNetworkServiceAssociations", {}),
        ("ListServiceNetworkVpcAssociations", {}),
        ("ListServiceNetworkResourceAssociations", {}),
        ("ListAccessLogSubscriptions", {"resourceIdentifier": svc["id"]}),
    ]
    for name, base in lists:
        full, err, raw = p.call(name, quiet=True, **base)
        total = len(full["items"])
        page, err, raw = p.call(name, quiet=True, maxResults=1, **base)
        if err is not None:
            print(f"   {name} maxResults=1: HTTP {raw['status_code']} "
                  f"{raw['headers'].get('Content-Type')} (crash; {total} items exist)")
            continue
        token = page.get("nextToken")
        line = (f"   {name} maxResults=1: {len(page['items'])} of {total} items, "
                f"nextToken={token!r}")
        if token:
            nxt, err, raw = p.call(name, quiet=True, maxResults=1, nextToken=token, **base)
            line += (f"; next page: HTTP {raw['status_code']}"
                     + (f", {len(nxt['items'])} items, nextToken={nxt.get('nextToken')!r}"
                        if err is None else ""))
        print(line)
        bad, err, raw = p.call(name, quiet=True, nextToken="bogus", **base)
        print(f"   {name} nextToken='bogus': HTTP {raw['status_code']} "
              f"{raw['headers'].get('Content-Type')} {raw['body'][:120].decode()}")
    for i in range(55):
        p.call("CreateService", quiet=True, name=f"page-{i}")
    first = p.call("ListServices", quiet=True)[0]
    print(f"   ListServices (58 exist): {len(first['items'])} items, "
          f"nextToken={first.get('nextToken')!r}")
    second = p.call("ListServices", quiet=True, nextToken=first["nextToken"])[0]
    same = [i["id"] for i in second["items"]] == [i["id"] for i in first["items"]]
    print(f"   ListServices nextToken=<that>: {len(second['items'])} items, "
          f"nextToken={second.get('nextToken')!r}, the first page again: {same}")

    print("\n# Untag with two keys\n")
    tagged = p.call("CreateService", quiet=True, name="tagged",
                    tags={"a": "1", "b": "2", "c": "3"})[0]
    p.call("UntagResource", resourceArn=tagged["arn"], tagKeys=["b", "c"])
    p.call("ListTagsForResource", resourceArn=tagged["arn"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url")
    args = ap.parse_args()
    if args.url:
        run(args.url)
        return
    with tempfile.NamedTemporaryFile("w+", prefix="moto-quirks-", suffix=".log") as log:
        proc, url = moto_coverage.start_moto(log)
        try:
            run(url)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


if __name__ == "__main__":
    main()
