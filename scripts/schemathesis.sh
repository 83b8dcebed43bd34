#!/usr/bin/env bash
# Provides the PyPI package schemathesis (pinned: a property-based fuzzer of HTTP APIs
# from their OpenAPI document) in a venv under .cache/ (scripts/pypi-venv.sh), and
# prints the path of its `st` command.
# Progress goes to stderr, the path to stdout:  ST=$(scripts/schemathesis.sh)
set -euo pipefail
bin=$("$(dirname "$0")/pypi-venv.sh" schemathesis 4.32.5)
echo "$bin/st"
