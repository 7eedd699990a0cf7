#!/usr/bin/env python3
"""Copies botocore's vpc-lattice model into Codegen/Model.

Writes Codegen/Model/service-2.json (shapes, constraints, HTTP bindings and the documentation,
which Codegen turns into the generated code's doc comments and the CLI's help; only
`documentationUrl`, which this model does not use, is dropped), Codegen/Model/paginators-1.json
and Codegen/Model/botocore-version.txt. Output is deterministic: the model keeps botocore's key
order (member order matters to generated initializers), paginators are written with sorted keys.

    python3 scripts/trim-model.py          # rewrite
    python3 scripts/trim-model.py --check  # exit 1 if the committed files differ
"""
import gzip
import json
import os
import sys

import botocore

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Codegen", "Model")
SRC = os.path.join(os.path.dirname(botocore.__file__), "data", "vpc-lattice", "2022-11-30")


def strip(value):
    if isinstance(value, dict):
        return {k: strip(v) for k, v in value.items() if k != "documentationUrl"}
    if isinstance(value, list):
        return [strip(v) for v in value]
    return value


def load(name):
    path = os.path.join(SRC, name)
    if os.path.exists(path + ".gz"):
        with gzip.open(path + ".gz", "rt") as f:
            return json.load(f)
    with open(path) as f:
        return json.load(f)


def render():
    service = strip(load("service-2.json"))
    paginators = load("paginators-1.json")
    return {
        "service-2.json": json.dumps(service, indent=1) + "\n",  # model order kept: it is the members order
        "paginators-1.json": json.dumps(paginators, indent=1, sort_keys=True) + "\n",
        "botocore-version.txt": botocore.__version__ + "\n",
    }


def main():
    check = "--check" in sys.argv[1:]
    stale = []
    for name, text in render().items():
        path = os.path.join(OUT, name)
        current = open(path).read() if os.path.exists(path) else None
        if current != text:
            stale.append(name)
            if not check:
                os.makedirs(OUT, exist_ok=True)
                with open(path, "w") as f:
                    f.write(text)
    if check and stale:
        print(f"Codegen/Model is out of date with botocore {botocore.__version__}: {', '.join(stale)}; run `make generate`")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
