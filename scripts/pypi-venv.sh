#!/usr/bin/env bash
# Provides a pinned PyPI package in a venv of its own under .cache/ and prints the
# venv's bin folder. Uses Debian's python3, installing python3-venv with apt (as root)
# when venv or ensurepip is missing. The test tools written in Python come this way
# (scripts/kubernetes-validate.sh, scripts/schemathesis.sh).
# Progress goes to stderr, the folder to stdout:  BIN=$(scripts/pypi-venv.sh NAME VERSION)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
package=$1
version=$2
venv="$root/.cache/$package-$version"

installed() {
  "$venv/bin/python" -c "import sys, importlib.metadata as m; sys.exit(m.version('$package') != '$version')" 2>/dev/null
}
if installed; then echo "$venv/bin"; exit 0; fi

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

echo "Installing $package $version into $venv..." >&2
rm -rf "$venv"
"$base" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "$package==$version" >&2
installed || { echo "$package $version did not install into $venv" >&2; exit 1; }
echo "$venv/bin"
