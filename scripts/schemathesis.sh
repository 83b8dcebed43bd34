#!/usr/bin/env bash
# Provides the PyPI package schemathesis (pinned: a property-based fuzzer of HTTP APIs
# from their OpenAPI document) in a venv under .cache/, and prints the path of its `st`
# command. Uses Debian's python3, installing python3-venv with apt (as root) when venv
# or ensurepip is missing.
# Progress goes to stderr, the path to stdout:  ST=$(scripts/schemathesis.sh)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
version=4.32.5
venv="$root/.cache/schemathesis-$version"
st="$venv/bin/st"

installed() {
  [ -x "$st" ] && "$venv/bin/python" -c "import sys, importlib.metadata as m; sys.exit(m.version('schemathesis') != '$version')" 2>/dev/null
}
if installed; then echo "$st"; exit 0; fi

base=/usr/bin/python3
[ -x "$base" ] || base=$(command -v python3 || true)
if [ -z "$base" ] || ! "$base" -c 'import venv, ensurepip' 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing python3-venv with apt..." >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null
    base=/usr/bin/python3
  else
    echo "python3 with venv and ensurepip is needed (Debian: apt-get install python3-venv)" >&2
    exit 1
  fi
fi

echo "Installing schemathesis $version into $venv..." >&2
rm -rf "$venv"
"$base" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version" >&2
installed || { echo "schemathesis $version did not install into $venv" >&2; exit 1; }
echo "$st"
