#!/usr/bin/env bash
# Provides Helm at the pinned version and prints the path of its binary. In order of
# preference:
#   1. a `helm` on PATH that is the pinned version;
#   2. a build from the Go module helm.sh/helm/v4, cached in .cache/helm-<version>/helm.
# Progress goes to stderr, the path to stdout:  HELM=$(scripts/helm-binary.sh)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
version=v4.3.2

is_version() { # binary -> true if it is Helm $version
  [ -x "$1" ] && [ "$("$1" version --template '{{.Version}}' 2>/dev/null)" = "$version" ]
}

if on_path=$(command -v helm) && is_version "$on_path"; then echo "$on_path"; exit 0; fi

cache="$root/.cache/helm-$version"
if is_version "$cache/helm"; then echo "$cache/helm"; exit 0; fi

command -v go >/dev/null || { echo "Go is needed to build Helm $version (https://go.dev/dl)" >&2; exit 1; }
echo "Building Helm $version from its Go module into $cache (first time only, a few minutes)..." >&2
start=$SECONDS
# The module has no replace directives, so `go install module@version` builds it as released.
# Helm's Makefile stamps the version the same way (it is "v4.3" otherwise).
mkdir -p "$cache"
GOBIN="$cache" CGO_ENABLED=0 go install -trimpath \
  -ldflags "-s -w -X helm.sh/helm/v4/internal/version.version=$version" \
  "helm.sh/helm/v4/cmd/helm@$version"
is_version "$cache/helm" || { echo "the Helm built in $cache does not report $version" >&2; exit 1; }
echo "Built in $((SECONDS - start)) s: $(du -sh "$cache/helm" | cut -f1)" >&2
echo "$cache/helm"
