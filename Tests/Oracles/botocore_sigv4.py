#!/usr/bin/env python3
"""Signs requests with botocore's SigV4Auth, as an oracle for LatticeKit's SigV4 tests.

Reads one JSON object per line on stdin:
  {"method", "url", "headers": [[name, value], ...], "body_hex", "access_key", "secret_key",
   "token" (or null), "region", "service", "time": "YYYYMMDDTHHMMSSZ"}
and writes one JSON object per line on stdout: {"authorization", "canonical_request",
"string_to_sign"}. The time is fixed per request by patching botocore's clock.
Run by Tests/SigV4Tests/DifferentialTests.swift; botocore's version is pinned in
Tests/requirements.txt.
"""
import datetime
import json
import sys

import botocore
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def main():
    out = sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        case = json.loads(line)
        fixed = datetime.datetime.strptime(case["time"], "%Y%m%dT%H%M%SZ")
        botocore.auth.get_current_datetime = lambda remove_tzinfo=True, _t=fixed: _t
        body = bytes.fromhex(case["body_hex"])
        request = AWSRequest(method=case["method"], url=case["url"], data=body or None)
        for name, value in case["headers"]:
            request.headers[name] = value  # HTTPHeaders appends, so duplicates survive
        creds = Credentials(case["access_key"], case["secret_key"], case.get("token"))
        signer = botocore.auth.SigV4Auth(creds, case["service"], case["region"])
        seen = {}
        canonical_request = signer.canonical_request
        string_to_sign = signer.string_to_sign

        def record_canonical(req, _f=canonical_request):
            seen["canonical_request"] = _f(req)
            return seen["canonical_request"]

        def record_sts(req, canonical, _f=string_to_sign):
            seen["string_to_sign"] = _f(req, canonical)
            return seen["string_to_sign"]

        signer.canonical_request = record_canonical
        signer.string_to_sign = record_sts
        signer.add_auth(request)
        seen["authorization"] = request.headers["Authorization"]
        out.write(json.dumps(seen) + "\n")
    out.flush()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--version":
        print(botocore.__version__)
    else:
        main()
