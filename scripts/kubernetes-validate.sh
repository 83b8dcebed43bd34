#!/usr/bin/env bash
# Provides the PyPI package kubernetes-validate (pinned; it bundles the JSON schemas of
# every Kubernetes version up to its own) in a venv under .cache/, and prints the path
# of that venv's python. Uses Debian's python3, installing python3-venv with apt (as
# root) when venv or ensurepip is missing.
# Progress goes to stderr, the path to stdout:  PYTHON=$(scripts/kubernetes-validate.sh)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
version=1.37.0
venv="$root/.cache/kubernetes-validate-$version"
python="$venv/bin/python"

installed() {
  [ -x "$python" ] && "$python" -c "import sys, kubernetes_validate as k; sys.exit(k.__version__ != '$version')" 2>/dev/null
}
if installed; then echo "$python"; exit 0; fi

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

echo "Installing kubernetes-validate $version into $venv..." >&2
rm -rf "$venv"
"$base" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "kubernetes-validate==$version" >&2
installed || { echo "kubernetes-validate $version did not install into $venv" >&2; exit 1; }
echo "$python"
