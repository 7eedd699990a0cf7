#!/usr/bin/env python3
"""What botocore puts on the wire for a vpc-lattice call: an oracle for LatticeKit's
request serialization and signing tests.

Run by the Swift differential tests (one process, many cases); botocore's version is
pinned in Tests/requirements.txt (`--version` prints it).

stdin: one JSON object per line,
  {"operation": "CreateService", "params": {...}, "access_key": "...", "secret_key": "...",
   "token": null or "...", "region": "us-east-1",
   "endpoint": "https://vpc-lattice.us-east-1.amazonaws.com", "time": "20261121T120000Z"}
  `params` are botocore-style (member names, as from model_values.input_for).
stdout: one JSON object per input line, in order, flushed after each:
  {"method": "POST", "path": "/services",
   "query": [["maxResults", "10"], ...],   decoded name/value pairs in the URL's order
   "raw_query": "maxResults=10&...",        exactly as in the URL ("" when none)
   "headers": {"content-type": ..., "host": ..., "x-amz-date": ...,
               "x-amz-security-token": ..., "authorization": ...},
               lower-cased; only those five names, each only when botocore has it
   "body": "<the body bytes decoded as UTF-8, or \"\">",
   "authorization": "AWS4-HMAC-SHA256 ..."}
  If a case fails, the line is {"error": "<exception type>: <message>"} instead.

The request is built by botocore itself: the operation model from the pinned botocore,
botocore.serialize.create_serializer("rest-json", include_validation=False)
.serialize_to_request, botocore.awsrequest.prepare_request_dict with the endpoint,
create_request_object, and botocore.auth.SigV4Auth(credentials, "vpc-lattice", region)
.add_auth with botocore's clock patched to `time`. Client-side parameter validation is
deliberately not run, and neither are the client's event handlers, so nothing is added
to the params (in particular a missing clientToken is NOT filled with a UUID as a boto3
client would do). The `host` header is the one SigV4Auth signs (botocore derives it
from the URL and never sets it on the request). Standard library and botocore only.
"""
import datetime
import json
import sys
from urllib.parse import unquote, urlsplit

import botocore
import botocore.auth
import botocore.awsrequest
import botocore.serialize
import botocore.session
from botocore.credentials import Credentials

SERVICE_NAME = "vpc-lattice"
SIGNING_NAME = "vpc-lattice"
REPORTED_HEADERS = ("content-type", "host", "x-amz-date", "x-amz-security-token", "authorization")


def wire(case, service_model, serializer):
    """The request botocore sends for one case, as the protocol's output object."""
    operation = service_model.operation_model(case["operation"])
    request_dict = serializer.serialize_to_request(case.get("params") or {}, operation)
    botocore.awsrequest.prepare_request_dict(request_dict, endpoint_url=case["endpoint"])
    request = botocore.awsrequest.create_request_object(request_dict)

    fixed = datetime.datetime.strptime(case["time"], "%Y%m%dT%H%M%SZ")
    botocore.auth.get_current_datetime = lambda remove_tzinfo=True, _t=fixed: _t
    creds = Credentials(case["access_key"], case["secret_key"], case.get("token"))
    signer = botocore.auth.SigV4Auth(creds, SIGNING_NAME, case["region"])
    signer.add_auth(request)

    headers = {}
    for name, value in request.headers.items():
        lname = name.lower()
        if lname in REPORTED_HEADERS:
            headers[lname] = value
    headers["host"] = signer.headers_to_sign(request)["host"]

    split = urlsplit(request.url)
    raw_query = split.query
    query = []
    if raw_query:
        for pair in raw_query.split("&"):
            name, _, value = pair.partition("=")
            query.append([unquote(name), unquote(value)])
    body = request.body if request.body is not None else b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    return {
        "method": request.method,
        "path": split.path,
        "query": query,
        "raw_query": raw_query,
        "headers": headers,
        "body": body.decode("utf-8"),
        "authorization": request.headers["Authorization"],
    }


def main():
    service_model = botocore.session.get_session().get_service_model(SERVICE_NAME)
    serializer = botocore.serialize.create_serializer("rest-json", include_validation=False)
    sys.stdin.reconfigure(encoding="utf-8")
    out = sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            result = wire(json.loads(line), service_model, serializer)
        except Exception as e:  # report and keep the line-for-line protocol
            result = {"error": f"{type(e).__name__}: {e}"}
        out.write(json.dumps(result) + "\n")
        out.flush()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--version":
        print(botocore.__version__)
    else:
        main()
