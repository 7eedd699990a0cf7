#!/usr/bin/env python3
"""Which vpc-lattice operations the installed moto implements.

Starts its own moto_server on 127.0.0.1 (a free port), calls each of the model's 73
operations once through boto3 with minimal valid parameters, and classifies the answer:

- implemented: a real answer, or a modeled JSON error (ResourceNotFoundException for an
  unknown id, ValidationException, ...);
- not implemented: moto's two "no such action" answers, both text/html from Werkzeug:
  * 500 "Internal Server Error" when a route exists but VPCLatticeResponse has no handler
    (moto raises NotImplementedError("The <action> action has not been implemented"),
    printed as a traceback on moto_server's stderr);
  * 404 "Not Found" when moto has no route for the path at all.

The probe is cross-checked against moto's source (a handler method on VPCLatticeResponse);
any disagreement is reported and the script exits 1.

Usage: moto_coverage.py [OUTPUT]  (default: moto_coverage.json next to this script;
"-" writes to stdout). Output is deterministic: sorted lists, sorted keys, fixed indent.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3
import botocore
from botocore.config import Config

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, "..", "..", "Codegen", "Model", "service-2.json")

ACCOUNT = "123456789012"
REGION = "us-east-1"
SVC = "svc-0123456789abcdef0"
SN = "sn-0123456789abcdef0"
LIS = "listener-0123456789abcdef0"
RULE = "rule-0123456789abcdef0"
TG = "tg-0123456789abcdef0"
ALS = "als-0123456789abcdef0"
SNVA = "snva-0123456789abcdef0"
SNSA = "snsa-0123456789abcdef0"
SNRA = "snra-0123456789abcdef0"
RCFG = "rcfg-0123456789abcdef0"
RGW = "rgw-0123456789abcdef0"
REA = "rea-0123456789abcdef0"
DV = "dv-0123456789abcdef0"
SVC_ARN = f"arn:aws:vpc-lattice:{REGION}:{ACCOUNT}:service/{SVC}"
POLICY = json.dumps({"Version": "2012-10-17", "Statement": []})
FIXED = {"fixedResponse": {"statusCode": 404}}
TARGET = [{"id": "10.0.0.1", "port": 80}]

# Minimal valid parameters per operation (unknown but well-formed ids).
PARAMS = {
    "BatchUpdateRule": dict(serviceIdentifier=SVC, listenerIdentifier=LIS,
                            rules=[{"ruleIdentifier": RULE, "priority": 1}]),
    "CreateAccessLogSubscription": dict(
        resourceIdentifier=SVC,
        destinationArn="arn:aws:s3:::moto-coverage-bucket"),
    "CreateListener": dict(serviceIdentifier=SVC, name="lis", protocol="HTTP",
                           defaultAction=FIXED),
    "CreateResourceConfiguration": dict(name="rc1", type="SINGLE"),
    "CreateResourceGateway": dict(name="rgw1"),
    "CreateRule": dict(serviceIdentifier=SVC, listenerIdentifier=LIS, name="rule1",
                       match={"httpMatch": {"method": "GET"}}, priority=1, action=FIXED),
    "CreateService": dict(name="svc1"),
    "CreateServiceNetwork": dict(name="sn1"),
    "CreateServiceNetworkResourceAssociation": dict(
        resourceConfigurationIdentifier=RCFG, serviceNetworkIdentifier=SN),
    "CreateServiceNetworkServiceAssociation": dict(serviceIdentifier=SVC,
                                                   serviceNetworkIdentifier=SN),
    "CreateServiceNetworkVpcAssociation": dict(serviceNetworkIdentifier=SN,
                                               vpcIdentifier="vpc-0123456789abcdef0"),
    "CreateTargetGroup": dict(name="tg1", type="IP"),
    "DeleteAccessLogSubscription": dict(accessLogSubscriptionIdentifier=ALS),
    "DeleteAuthPolicy": dict(resourceIdentifier=SVC),
    "DeleteDomainVerification": dict(domainVerificationIdentifier=DV),
    "DeleteListener": dict(serviceIdentifier=SVC, listenerIdentifier=LIS),
    "DeleteResourceConfiguration": dict(resourceConfigurationIdentifier=RCFG),
    "DeleteResourceEndpointAssociation": dict(resourceEndpointAssociationIdentifier=REA),
    "DeleteResourceGateway": dict(resourceGatewayIdentifier=RGW),
    "DeleteResourcePolicy": dict(resourceArn=SVC_ARN),
    "DeleteRule": dict(serviceIdentifier=SVC, listenerIdentifier=LIS, ruleIdentifier=RULE),
    "DeleteService": dict(serviceIdentifier=SVC),
    "DeleteServiceNetwork": dict(serviceNetworkIdentifier=SN),
    "DeleteServiceNetworkResourceAssociation": dict(
        serviceNetworkResourceAssociationIdentifier=SNRA),
    "DeleteServiceNetworkServiceAssociation": dict(
        serviceNetworkServiceAssociationIdentifier=SNSA),
    "DeleteServiceNetworkVpcAssociation": dict(serviceNetworkVpcAssociationIdentifier=SNVA),
    "DeleteTargetGroup": dict(targetGroupIdentifier=TG),
    "DeregisterTargets": dict(targetGroupIdentifier=TG, targets=TARGET),
    "GetAccessLogSubscription": dict(accessLogSubscriptionIdentifier=ALS),
    "GetAuthPolicy": dict(resourceIdentifier=SVC),
    "GetDomainVerification": dict(domainVerificationIdentifier=DV),
    "GetListener": dict(serviceIdentifier=SVC, listenerIdentifier=LIS),
    "GetResourceConfiguration": dict(resourceConfigurationIdentifier=RCFG),
    "GetResourceGateway": dict(resourceGatewayIdentifier=RGW),
    "GetResourcePolicy": dict(resourceArn=SVC_ARN),
    "GetRule": dict(serviceIdentifier=SVC, listenerIdentifier=LIS, ruleIdentifier=RULE),
    "GetService": dict(serviceIdentifier=SVC),
    "GetServiceNetwork": dict(serviceNetworkIdentifier=SN),
    "GetServiceNetworkResourceAssociation": dict(
        serviceNetworkResourceAssociationIdentifier=SNRA),
    "GetServiceNetworkServiceAssociation": dict(
        serviceNetworkServiceAssociationIdentifier=SNSA),
    "GetServiceNetworkVpcAssociation": dict(serviceNetworkVpcAssociationIdentifier=SNVA),
    "GetTargetGroup": dict(targetGroupIdentifier=TG),
    "ListAccessLogSubscriptions": dict(resourceIdentifier=SVC),
    "ListDomainVerifications": {},
    "ListListeners": dict(serviceIdentifier=SVC),
    "ListResourceConfigurations": {},
    "ListResourceEndpointAssociations": dict(resourceConfigurationIdentifier=RCFG),
    "ListResourceGateways": {},
    "ListRules": dict(serviceIdentifier=SVC, listenerIdentifier=LIS),
    "ListServiceNetworkResourceAssociations": {},
    "ListServiceNetworkServiceAssociations": {},
    "ListServiceNetworkVpcAssociations": {},
    "ListServiceNetworkVpcEndpointAssociations": dict(serviceNetworkIdentifier=SN),
    "ListServiceNetworks": {},
    "ListServices": {},
    "ListTagsForResource": dict(resourceArn=SVC_ARN),
    "ListTargetGroups": {},
    "ListTargets": dict(targetGroupIdentifier=TG),
    "PutAuthPolicy": dict(resourceIdentifier=SVC, policy=POLICY),
    "PutResourcePolicy": dict(resourceArn=SVC_ARN, policy=POLICY),
    "RegisterTargets": dict(targetGroupIdentifier=TG, targets=TARGET),
    "StartDomainVerification": dict(domainName="example.com"),
    "TagResource": dict(resourceArn=SVC_ARN, tags={"k": "v"}),
    "UntagResource": dict(resourceArn=SVC_ARN, tagKeys=["k"]),
    "UpdateAccessLogSubscription": dict(
        accessLogSubscriptionIdentifier=ALS,
        destinationArn="arn:aws:s3:::moto-coverage-bucket"),
    "UpdateListener": dict(serviceIdentifier=SVC, listenerIdentifier=LIS, defaultAction=FIXED),
    "UpdateResourceConfiguration": dict(resourceConfigurationIdentifier=RCFG),
    "UpdateResourceGateway": dict(resourceGatewayIdentifier=RGW),
    "UpdateRule": dict(serviceIdentifier=SVC, listenerIdentifier=LIS, ruleIdentifier=RULE),
    "UpdateService": dict(serviceIdentifier=SVC),
    "UpdateServiceNetwork": dict(serviceNetworkIdentifier=SN, authType="NONE"),
    "UpdateServiceNetworkVpcAssociation": dict(serviceNetworkVpcAssociationIdentifier=SNVA,
                                               securityGroupIds=["sg-0123456789abcdef0"]),
    "UpdateTargetGroup": dict(targetGroupIdentifier=TG,
                              healthCheck={"enabled": False}),
}


def start_moto(log):
    """Starts moto_server on 127.0.0.1, port chosen by the OS; returns (process, url)."""
    exe = shutil.which("moto_server")
    if exe is None:
        sys.exit("moto_coverage: moto_server not found; run `make test` "
                 "(it installs the pinned tools from Tests/requirements.txt)")
    proc = subprocess.Popen([exe, "-H", "127.0.0.1", "-p", "0"],
                            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    url = None
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"moto_coverage: moto_server exited with {proc.returncode}")
        if url is None:  # werkzeug prints the port it bound
            with open(log.name) as f:
                m = re.search(r"Running on (http://127\.0\.0\.1:\d+)", f.read())
            url = m.group(1) if m else None
        if url is not None:
            try:
                urllib.request.urlopen(url + "/moto-api/", timeout=1).read()
                return proc, url
            except OSError:
                pass
        time.sleep(0.1)
    proc.terminate()
    sys.exit("moto_coverage: moto_server did not answer within 10 s")


def moto_log_has(log_path, line):
    """The traceback is logged as the 500 is produced; allow a moment for it to land."""
    for _ in range(20):
        with open(log_path) as f:
            if line in f.read():
                return True
        time.sleep(0.05)
    return False


def probe(url, operations, log_path):
    client = boto3.client(
        "vpc-lattice", endpoint_url=url, region_name=REGION,
        aws_access_key_id="testing", aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1, "mode": "standard"}))
    raw = {}
    client.meta.events.register(
        "before-parse.vpc-lattice.*",
        lambda operation_model, response_dict, **_: raw.__setitem__(
            operation_model.name, response_dict))
    result = {}
    for name in operations:
        try:
            getattr(client, botocore.xform_name(name))(**PARAMS[name])
        except botocore.exceptions.ClientError:
            pass
        response = raw[name]
        status = response["status_code"]
        ctype = response["headers"].get("Content-Type", "")
        action = botocore.xform_name(name)
        not_impl_line = f"NotImplementedError: The {action} action has not been implemented"
        if status == 404 and ctype.startswith("text/html") and b"<title>404 Not Found" in response["body"]:
            result[name] = "not_implemented"  # no route
        elif status == 500 and moto_log_has(log_path, not_impl_line):
            result[name] = "not_implemented"  # route, no handler
        else:
            result[name] = "implemented"
    return result


def from_source(operations):
    from moto.vpclattice.responses import VPCLatticeResponse
    return {name: ("implemented" if callable(getattr(VPCLatticeResponse,
                                                     botocore.xform_name(name), None))
                   else "not_implemented")
            for name in operations}


def main():
    import moto
    with open(MODEL) as f:
        operations = sorted(json.load(f)["operations"])
    missing = sorted(set(operations) - set(PARAMS))
    if missing:
        sys.exit(f"moto_coverage: no parameters for {missing}")
    with tempfile.NamedTemporaryFile("w+", prefix="moto-coverage-", suffix=".log") as log:
        proc, url = start_moto(log)
        try:
            probed = probe(url, operations, log.name)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    static = from_source(operations)
    disagree = sorted(n for n in operations if probed[n] != static[n])
    for name in disagree:
        print(f"moto_coverage: {name}: probe says {probed[name]}, source says {static[name]}",
              file=sys.stderr)
    out = {
        "moto_version": moto.__version__,
        "implemented": sorted(n for n in operations if probed[n] == "implemented"),
        "not_implemented": sorted(n for n in operations if probed[n] == "not_implemented"),
    }
    text = json.dumps(out, indent=2, sort_keys=True) + "\n"
    target = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "moto_coverage.json")
    if target == "-":
        sys.stdout.write(text)
    else:
        with open(target, "w") as f:
            f.write(text)
    return 1 if disagree else 0


if __name__ == "__main__":
    sys.exit(main())
