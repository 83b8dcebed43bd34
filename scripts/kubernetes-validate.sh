#!/usr/bin/env bash
# Provides the PyPI package kubernetes-validate (pinned; it bundles the JSON schemas of
# every Kubernetes version up to its own) in a venv under .cache/ (scripts/pypi-venv.sh),
# and prints the path of that venv's python.
# Progress goes to stderr, the path to stdout:  PYTHON=$(scripts/kubernetes-validate.sh)
set -euo pipefail
bin=$("$(dirname "$0")/pypi-venv.sh" kubernetes-validate 1.37.0)
echo "$bin/python"
