#!/usr/bin/env python3
"""botocore's SigV4Auth on the request lattice-bench's sigv4.sign.get signs, for the ratio.

Prints one JSON line like lattice-bench: {"name": "botocore.sigv4.sign.get", "ns_per_op", "iterations"},
ns_per_op being the median of 7 timed batches. Run by `make bench`.
"""
import datetime
import json
import statistics
import time

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

FIXED = datetime.datetime(2026, 11, 21, 12, 0, 0)
botocore.auth.get_current_datetime = lambda remove_tzinfo=True: FIXED
creds = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
signer = botocore.auth.SigV4Auth(creds, "vpc-lattice", "us-east-1")
URL = "https://vpc-lattice.us-east-1.amazonaws.com/services?maxResults=10"


def batch(n):
    start = time.perf_counter_ns()
    for _ in range(n):
        request = AWSRequest(method="GET", url=URL)
        signer.add_auth(request)
    return (time.perf_counter_ns() - start) / n


n = 2000
batch(n)  # warm up
samples = sorted(batch(n) for _ in range(7))
print(json.dumps({"name": "botocore.sigv4.sign.get", "ns_per_op": round(statistics.median(samples), 1), "iterations": n * 7}))
