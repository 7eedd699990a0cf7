#!/usr/bin/env python3
"""boto3's list_services(maxResults=10) in a loop against the URL given, for the ratio.

Prints {"name": "boto3.list-services", "ns_per_op", "iterations"}: the median of 7 batches.
Run by Benchmarks/list-services.sh.
"""
import json
import statistics
import sys
import time

import boto3

client = boto3.client(
    "vpc-lattice", region_name="us-east-1", endpoint_url=sys.argv[1],
    aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
)


def batch(n):
    start = time.perf_counter_ns()
    for _ in range(n):
        client.list_services(maxResults=10)
    return (time.perf_counter_ns() - start) / n


n = 300
batch(50)
samples = sorted(batch(n) for _ in range(7))
print(json.dumps({"name": "boto3.list-services", "ns_per_op": round(statistics.median(samples), 1), "iterations": n * 7}))
