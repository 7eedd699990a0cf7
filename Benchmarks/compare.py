#!/usr/bin/env python3
"""Reads lattice-bench and reference JSON lines and prints the ratios the issues set as goals."""
import json
import sys

rows = {}
for line in open(sys.argv[1]):
    line = line.strip()
    if line.startswith("{"):
        row = json.loads(line)
        rows[row["name"]] = row["ns_per_op"]

PAIRS = [
    ("sigv4.sign.get", "botocore.sigv4.sign.get", "goal: <= 3000 ns and >= 20x faster"),
    ("client.list-services", "boto3.list-services", "goal: >= 10x faster"),
]
for ours, theirs, goal in PAIRS:
    if ours in rows and theirs in rows:
        print(f"{ours}: {rows[ours]:.0f} ns vs {theirs}: {rows[theirs]:.0f} ns -> {rows[theirs] / rows[ours]:.1f}x faster ({goal})")
if "client.list-services" in rows and "curl.list-services" in rows:
    ratio = rows["client.list-services"] / rows["curl.list-services"]
    print(f"client.list-services: {rows['client.list-services']:.0f} ns vs curl.list-services: {rows['curl.list-services']:.0f} ns -> {ratio:.2f}x curl's time (goal: <= 1.25x)")
