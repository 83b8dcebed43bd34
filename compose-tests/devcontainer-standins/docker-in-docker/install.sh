#!/bin/sh
# Installs Debian's Docker engine and the Compose v2 plugin (the file docker-compose beside
# this script, which the test copies from the host), and the entrypoint that starts dockerd.
set -eu
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends docker.io iptables
rm -rf /var/lib/apt/lists/*
install -D -m 0755 docker-compose /usr/local/lib/docker/cli-plugins/docker-compose
install -D -m 0755 docker-init.sh /usr/local/share/docker-init.sh
