#!/usr/bin/env bash
# Provides daprd, placement, scheduler and sentry at the pinned Dapr version and prints
# the folder that holds them. In order of preference:
#   1. $DAPR_BIN_DIR, if it already holds the binaries of the pinned version;
#   2. ~/.dapr/bin from a Dapr CLI install ("dapr init"), if it is the pinned version;
#   3. a build from source with Go (dapr-runtime/), cached in .cache/dapr-<version>/bin and
#      rebuilt when dapr-runtime/ changes.
# Arguments name more programs of dapr-runtime/ to provide, e.g. the Kubernetes-only
# operator and injector:  scripts/dapr-binaries.sh operator injector
# Progress goes to stderr, the folder to stdout:  DAPR_BIN=$(scripts/dapr-binaries.sh)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# sentry is the certificate authority of mTLS between sidecars (and with the control plane).
binaries="daprd placement scheduler sentry $*"
version=$(awk '$1 == "github.com/dapr/dapr" { print substr($2, 2) }' "$root/dapr-runtime/go.mod")

has_version() { # folder -> true if it holds all four binaries at $version
  local dir=$1
  for b in $binaries; do [ -x "$dir/$b" ] || return 1; done
  "$dir/daprd" --version 2>/dev/null | grep -qx "$version"
}
# What the build is made of: a build from other sources is rebuilt.
source_stamp() { (cd "$root/dapr-runtime" && cat go.mod go.sum */*.go) | sha256sum | cut -c1-16; }

for dir in "${DAPR_BIN_DIR:-}" "$HOME/.dapr/bin"; do
  if [ -n "$dir" ] && has_version "$dir"; then echo "$dir"; exit 0; fi
done

out="$root/.cache/dapr-$version/bin"
stamp=$(source_stamp)
if has_version "$out" && [ "$(cat "$out/.source" 2>/dev/null)" = "$stamp" ]; then echo "$out"; exit 0; fi

command -v go >/dev/null || { echo "Go is needed to build Dapr $version (https://go.dev/dl)" >&2; exit 1; }
echo "Building Dapr $version from source into $out (first time only, several minutes)..." >&2
mkdir -p "$out"
cache="$root/.cache/dapr-$version"
cd "$root/dapr-runtime"
go mod download github.com/dapr/dapr
# daprd's components package panics at init unless built with tags that compile in
# every component. Build against a copy of the module with that one file emptied, through
# a Go workspace, so that only the components daprd/main.go registers are linked in.
rm -rf "$cache/src"
cp -r "$(go list -m -f '{{.Dir}}' github.com/dapr/dapr)" "$cache/src"
chmod -R u+w "$cache/src"
echo 'package components' > "$cache/src/cmd/daprd/components/zz_notag.go"
cat > "$cache/go.work" <<WORK
go $(awk '$1 == "go" { print $2 }' go.mod)
use $root/dapr-runtime
replace github.com/dapr/dapr v$version => ./src
WORK
ldflags="-s -w -X github.com/dapr/dapr/pkg/buildinfo.version=$version -X github.com/dapr/kit/logger.DaprVersion=$version"
start=$SECONDS
for b in $binaries; do
  GOWORK="$cache/go.work" CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$out/$b" "./$b"
done
echo "$stamp" >"$out/.source"
echo "Built in $((SECONDS - start)) s: $(du -sh "$out" | cut -f1)" >&2
echo "$out"
