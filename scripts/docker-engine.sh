#!/usr/bin/env bash
# Makes `docker` and `docker compose` (Compose v2) usable on a Debian/Ubuntu machine:
#   1. installs the Docker engine (docker.io) from apt if it is missing;
#   2. provides Compose v2 as a docker CLI plugin, built once from its Go module
#      (Debian bookworm only packages Compose v1, which lacks `up --wait`), cached in .cache/;
#   3. starts dockerd if no daemon answers, and waits for it.
# Idempotent and quiet when everything is already in place. Needs root for steps 1 and 3.
#   scripts/docker-engine.sh && docker compose up -d --wait
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
compose_version=v2.40.3
dockerd_log=${DOCKERD_LOG:-/tmp/dockerd.log}
say() { echo "docker-engine: $*" >&2; }

# 1. Engine and CLI.
if ! command -v docker >/dev/null || ! command -v dockerd >/dev/null; then
  say "installing docker.io from apt"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
fi

# 2. Compose v2. `go install` cannot be used directly: the main package lives in ./cmd, so the
#    binary would be called "cmd". Build it in a throwaway module that requires Compose.
plugin_dir=${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins
if ! docker compose version >/dev/null 2>&1; then
  cached="$root/.cache/compose-$compose_version/docker-compose"
  if [ ! -x "$cached" ]; then
    command -v go >/dev/null || { say "Go is needed to build Compose $compose_version (https://go.dev/dl)"; exit 1; }
    say "building Compose $compose_version from source (first time only, a few minutes)"
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    start=$SECONDS
    (
      cd "$work"
      go mod init compose-build >/dev/null 2>&1
      go get "github.com/docker/compose/v2/cmd@$compose_version" >get.log 2>&1 || { cat get.log >&2; exit 1; }
      CGO_ENABLED=0 go build -trimpath -o "$cached" \
        -ldflags "-s -w -X github.com/docker/compose/v2/internal.Version=$compose_version" \
        github.com/docker/compose/v2/cmd
    )
    say "built Compose in $((SECONDS - start)) s"
  fi
  mkdir -p "$plugin_dir"
  install -m 0755 "$cached" "$plugin_dir/docker-compose"
fi

# 3. Daemon.
if ! docker info >/dev/null 2>&1; then
  say "starting dockerd (log: $dockerd_log)"
  nohup dockerd >"$dockerd_log" 2>&1 &
  deadline=$((SECONDS + 60))
  until docker info >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then say "dockerd did not answer within 60 s:"; tail -20 "$dockerd_log" >&2; exit 1; fi
    sleep 0.5
  done
fi
