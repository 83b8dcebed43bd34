#!/usr/bin/env bash
# Provides the Kubernetes server binaries (kube-apiserver, kube-controller-manager,
# kube-scheduler, kube-proxy, kubelet), kubectl and etcd at the release k8s-tests/kubernetes/go.mod
# pins, and CoreDNS (k8s-tests/coredns/), built from the Go module proxy, and prints the folder
# that holds them:
#   K8S_BIN=$(scripts/kubernetes-binaries.sh)
# The build (several minutes, once) is cached in .cache/kubernetes-<version>/bin. Progress goes
# to stderr, the folder to stdout.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mod="$root/k8s-tests/kubernetes"
version=$(awk '$1 == "k8s.io/kubernetes" { print $2 }' "$mod/go.mod" | head -1)
etcd_version=$(awk '$1 == "go.etcd.io/etcd/server/v3" { print $2 }' "$mod/go.mod" | head -1)
programs="kube-apiserver kube-controller-manager kube-scheduler kube-proxy kubelet kubectl"
out="$root/.cache/kubernetes-$version/bin"

complete() {
  for p in $programs etcd coredns; do [ -x "$out/$p" ] || return 1; done
  "$out/kubelet" --version 2>/dev/null | grep -qx "Kubernetes $version"
}
if complete; then echo "$out"; exit 0; fi

command -v go >/dev/null || { echo "Go is needed to build Kubernetes $version (https://go.dev/dl)" >&2; exit 1; }
echo "Building Kubernetes $version and etcd $etcd_version into $out (first time only, 10-20 minutes)..." >&2
mkdir -p "$out"
start=$SECONDS
cd "$mod"
# What Kubernetes' own build stamps (hack/lib/version.sh); unstamped, every binary says v0.0.0.
minor=${version#v1.}; minor=${minor%%.*}
pkg=k8s.io/component-base/version
ldflags="-s -w -X $pkg.gitVersion=$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor
  -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z
  -X k8s.io/client-go/pkg/version.gitVersion=$version -X k8s.io/client-go/pkg/version.gitMajor=1
  -X k8s.io/client-go/pkg/version.gitMinor=$minor"
targets=()
for p in $programs; do targets+=("k8s.io/kubernetes/cmd/$p"); done
# One `go build` for all of them: the packages they share are compiled once.
CGO_ENABLED=0 nice -n 10 go build -trimpath -ldflags "$ldflags" -o "$out/" "${targets[@]}"
CGO_ENABLED=0 nice -n 10 go build -trimpath -ldflags "-s -w" -o "$out/etcd" ./etcd
cd "$root/k8s-tests/coredns"
CGO_ENABLED=0 nice -n 10 go build -trimpath -ldflags "-s -w" -o "$out/coredns" .
complete || { echo "the binaries in $out do not report Kubernetes $version" >&2; exit 1; }
echo "Built in $((SECONDS - start)) s: $(du -sh "$out" | cut -f1)" >&2
echo "$out"
