#!/usr/bin/env python3
"""Random model-valid test cases for every vpc-lattice operation, as JSON lines.

Run by the Swift differential tests (and by hand):

  python3 Tests/Oracles/cases.py inputs  --seed S --per-op N
      {"operation": name, "seed": s, "params": {...}}      one line per case
  python3 Tests/Oracles/cases.py outputs --seed S --per-op N
      {"operation": name, "seed": s, "body": {...}}        one line per case

Operations come in sorted order, N cases each; case i of an operation uses seed
s = S * 1000000 + i (i = 0..N-1), so runs with different S do not overlap while
N < 1000000. `params` is model_values.input_for(name, s) (botocore-style: member names,
uri/querystring members included), ready for botocore_wire.py; `body` is
model_values.output_for(name, s) (the service's JSON response body: JSON names, body
members only). Output is deterministic: the same arguments and the same pinned botocore
give byte-identical output. JSON is written with ensure_ascii=False (UTF-8) and keys in
generation order (model member order). Standard library and botocore only; no network.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model_values  # noqa: E402

SEED_STRIDE = 1_000_000


def case_seed(seed, index):
    """The seed of case `index` (0-based) of each operation in a run with --seed `seed`."""
    return seed * SEED_STRIDE + index


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kind", choices=["inputs", "outputs"])
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--per-op", type=int, required=True)
    args = parser.parse_args(argv)
    if not 0 <= args.per_op < SEED_STRIDE:
        parser.error(f"--per-op must be between 0 and {SEED_STRIDE - 1}")
    sys.stdout.reconfigure(encoding="utf-8", newline="\n")
    out = sys.stdout
    for name in model_values.operation_names():
        for i in range(args.per_op):
            s = case_seed(args.seed, i)
            if args.kind == "inputs":
                line = {"operation": name, "seed": s, "params": model_values.input_for(name, s)}
            else:
                line = {"operation": name, "seed": s, "body": model_values.output_for(name, s)}
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
