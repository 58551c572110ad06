#!/bin/sh
# Runs Triad's whole test suite on a fresh machine: installs the Debian packages the tests drive
# for real (Docker engine, registry, skopeo, rpm, debootstrap ...), Node.js 24 and the npm
# dependencies, then runs every *.test.ts with node's test runner.
set -e
ROOT=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
cd "$ROOT"
"$ROOT/scripts/install-deps.sh"
exec "$ROOT/scripts/with-node.sh" --test --test-concurrency=2 --test-timeout=900000 \
  'src/**/*.test.ts' 'test/**/*.test.ts' "$@"
