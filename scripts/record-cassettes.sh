#!/usr/bin/env bash
# Re-records the committed cassettes (Tests/LatticeKitTestingTests/Fixtures/*.json) from a
# fresh moto_server per flow, then replays them offline and scans them for secrets.
#
#   scripts/record-cassettes.sh
#
# The flows are CassetteFixtureTests in Tests/LatticeKitTestingTests/Cassettes; recording is
# those tests run with LATTICE_CASSETTE_MODE=record. Needs moto_server (Tests/requirements.txt,
# installed by `make test`). IDs, dates and request ids change on every recording; review the
# diff, then commit it.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v moto_server >/dev/null 2>&1 ||
    { echo "record-cassettes.sh: moto_server not found; run \`make deps\` (Tests/requirements.txt: moto[server])" >&2; exit 1; }

swift build --build-tests
LATTICE_CASSETTE_MODE=record swift test --skip-build --filter CassetteFixtureTests
# Build again so the test bundle carries the new cassettes, then replay and scan them.
swift build --build-tests
LATTICE_CASSETTE_MODE=replay swift test --skip-build --filter Cassette
git --no-pager diff --stat -- Tests/LatticeKitTestingTests/Fixtures || true
