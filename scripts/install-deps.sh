#!/bin/sh
# Installs what Triad's tests and benches need: Debian packages (when root and missing), Node.js 24
# (see node.sh) and the npm dependencies. Idempotent and quick when everything is there.
set -e
ROOT=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
PKGS="openssl docker.io skopeo umoci debootstrap rpm docker-registry apache2-utils zstd gzip golang-go golang-github-knqyf263-go-rpmdb-dev libdpkg-perl libxml2-utils bpftrace podman"
missing=""
for p in $PKGS; do
  dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "triad: installing Debian packages:$missing" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >&2
  else
    echo "triad: missing Debian packages (tests that need them will be skipped):$missing" >&2
  fi
fi
"$ROOT/scripts/node.sh" >/dev/null
if [ ! -d "$ROOT/node_modules" ] || [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
