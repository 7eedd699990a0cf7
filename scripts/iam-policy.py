#!/usr/bin/env python3
"""Writes Examples/iam-policy.json: the least-privilege IAM policy for what the examples call.

The operations come from the examples themselves: `client.<operation>(` calls (paginators
`xItems`/`xPages` are their List operation; each waiter is the Get or List operation it polls)
in Examples/SeedTopology/main.swift, and `lattice <command>` lines in
Examples/ecs-deploy-guide.sh (except lines marked `# not granted`). Every name is checked
against the model's operations.

    python3 scripts/iam-policy.py          # rewrite
    python3 scripts/iam-policy.py --check  # exit 1 if Examples/iam-policy.json is stale
"""
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL = json.load(open(os.path.join(ROOT, "Codegen", "Model", "service-2.json")))
OPERATIONS = set(MODEL["operations"])

# Waiters are hand-written (Sources/LatticeKit/Waiters): what each one calls.
WAITERS = {
    "waitUntilTargetsHealthy": "ListTargets",
    "waitUntilTargetsDeregistered": "ListTargets",
}


def operation_for_method(name):
    if name in WAITERS:
        return WAITERS[name]
    m = re.fullmatch(r"waitUntil(\w+?)(Active|Deleted)", name)
    if m:
        return "Get" + m.group(1)
    m = re.fullmatch(r"(list\w+?)(Items|Pages)", name)
    if m:
        name = m.group(1)
    return name[0].upper() + name[1:]


def swift_operations(path):
    found = set()
    for name in re.findall(r"client\.(\w+)\(", open(path).read()):
        op = operation_for_method(name)
        if op in OPERATIONS:
            found.add(op)
        elif not name.startswith(("settings", "configuration")):
            raise SystemExit(f"{path}: client.{name} is not a model operation, paginator or waiter")
    return found


def shell_operations(path):
    found = set()
    # A line marked "# not granted" calls an action on purpose without the permission (the
    # AccessDeniedException troubleshooting step), so it is not part of the policy.
    lines = "\n".join(l for l in open(path).read().splitlines() if "# not granted" not in l)
    for command in re.findall(r"^\s*(?:[A-Z_]+=\$\()?(?:lattice|wait_gone) ([a-z-]+)", lines, re.M):
        op = "".join(part.capitalize() for part in command.split("-"))
        if op not in OPERATIONS:
            raise SystemExit(f"{path}: lattice {command} is not a model operation")
        found.add(op)
    return found


def render():
    ops = swift_operations(os.path.join(ROOT, "Examples", "SeedTopology", "main.swift"))
    ops |= shell_operations(os.path.join(ROOT, "Examples", "ecs-deploy-guide.sh"))
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "LatticeKitExamples",
                "Effect": "Allow",
                "Action": sorted(f"vpc-lattice:{op}" for op in ops),
                "Resource": "*",
            },
            {
                "Sid": "VpcLatticeServiceLinkedRole",
                "Effect": "Allow",
                "Action": "iam:CreateServiceLinkedRole",
                "Resource": "arn:aws:iam::*:role/aws-service-role/vpc-lattice.amazonaws.com/AWSServiceRoleForVpcLattice",
                "Condition": {"StringLike": {"iam:AWSServiceName": "vpc-lattice.amazonaws.com"}},
            },
        ],
    }
    return json.dumps(policy, indent=2) + "\n"


def main():
    path = os.path.join(ROOT, "Examples", "iam-policy.json")
    text = render()
    current = open(path).read() if os.path.exists(path) else None
    if "--check" in sys.argv[1:]:
        if current != text:
            print("Examples/iam-policy.json does not match the operations the examples call; run python3 scripts/iam-policy.py")
            return 1
        return 0
    with open(path, "w") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
