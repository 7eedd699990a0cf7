#!/usr/bin/env python3
"""Checks that the README's marked Swift snippets are the code the tests compile and run.

A README block preceded by `<!-- snippet: NAME, ... by PATH -->` must equal, line for line and
apart from its leading `import` lines and blank lines after them, the lines between
`// README snippet: NAME` and `// end README snippet` in PATH (dedented). Usage:
    python3 scripts/readme-snippets.py --check
"""
import re
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARK = re.compile(r"<!-- snippet: (\w[\w-]*), compiled and run by (\S+) -->\n```swift\n(.*?)```", re.S)


def test_snippet(path: Path, name: str) -> str:
    text = path.read_text(encoding="utf-8")
    start = text.find(f"// README snippet: {name}\n")
    if start < 0:
        raise SystemExit(f"{path}: no '// README snippet: {name}' marker; add it around the code the README shows")
    start = text.index("\n", start) + 1
    end = text.find("// end README snippet", start)
    if end < 0:
        raise SystemExit(f"{path}: the snippet '{name}' has no '// end README snippet' marker")
    body = text[start:text.rfind("\n", start, end) + 1]
    return textwrap.dedent(body)


def readme_code(block: str) -> str:
    lines = block.splitlines(keepends=True)
    while lines and (lines[0].startswith("import ") or not lines[0].strip()):
        lines.pop(0)
    return "".join(lines)


def main() -> int:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = MARK.findall(readme)
    if not found:
        print("README.md: no marked snippet found", file=sys.stderr)
        return 1
    failures = 0
    for name, rel, block in found:
        path = (ROOT / rel).resolve()
        if ROOT not in path.parents or not path.is_file():
            print(f"README.md: snippet '{name}' names {rel}, which is not a file of the repository", file=sys.stderr)
            failures += 1
            continue
        want, have = readme_code(block), test_snippet(path, name)
        if want != have:
            failures += 1
            print(f"README.md snippet '{name}' differs from {rel}:", file=sys.stderr)
            for i, (a, b) in enumerate(zip(want.splitlines(), have.splitlines()), 1):
                if a != b:
                    print(f"  line {i}: README  {a!r}\n          test    {b!r}", file=sys.stderr)
                    break
            else:
                print(f"  README has {len(want.splitlines())} lines, the test {len(have.splitlines())}", file=sys.stderr)
    if failures:
        print("Edit the README and the test together.", file=sys.stderr)
        return 1
    print(f"README.md: {len(found)} Swift snippets are the code the tests run")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] != ["--check"]:
        raise SystemExit("usage: readme-snippets.py --check")
    sys.exit(main())
