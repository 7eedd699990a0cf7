#!/usr/bin/env python3
"""Exits 0 when every `name==version` pin of a requirements file is installed, else 1.

Used by `make deps` so pip runs only when something is missing or at another version.
"""
import sys
from importlib import metadata


def main(path):
    ok = True
    for line in open(path):
        line = line.split("#", 1)[0].strip()
        if not line or "==" not in line:
            continue
        name, version = (part.strip() for part in line.split("==", 1))
        name = name.split("[", 1)[0]  # extras such as moto[server] are not part of the name
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        if installed != version:
            print(f"{name}: want {version}, have {installed or 'none'}")
            ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
