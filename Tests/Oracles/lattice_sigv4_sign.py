"""Signs requests to Lattice services the way the AWS guide shows: botocore's SigV4Auth for
the signing name vpc-lattice-svcs with x-amz-content-sha256: UNSIGNED-PAYLOAD.

stdin: a JSON array of {"method", "url", "headers": [[name, value]], "region",
"accessKeyId", "secretAccessKey", "sessionToken"?, "unsignedPayloadHeader": bool}.
stdout: a JSON array of the signed header lists ([[name, value]]), in the same order.
"""
import json
import sys

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def sign(case):
    headers = dict(case["headers"])
    if case.get("unsignedPayloadHeader", True):
        headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD"
    request = AWSRequest(method=case["method"], url=case["url"], headers=headers)
    credentials = Credentials(case["accessKeyId"], case["secretAccessKey"], case.get("sessionToken"))
    SigV4Auth(credentials, "vpc-lattice-svcs", case["region"]).add_auth(request)
    return [[name, value] for name, value in request.headers.items()]


print(json.dumps([sign(case) for case in json.load(sys.stdin)]))
