#!/bin/sh
# Runs Node.js 24 (see node.sh) with native TypeScript type stripping.
set -e
ROOT=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
NODE=$("$ROOT/scripts/node.sh")
exec "$NODE" --disable-warning=ExperimentalWarning "$@"
