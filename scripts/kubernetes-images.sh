#!/usr/bin/env bash
# Builds, without any registry, the images the Kubernetes test cluster runs, and prints them
# as variables (k8s-tests reads them):
#   - the stand-ins of scripts/docker-standin-images.sh --kubernetes: Redis, the pause image,
#     and Dapr's control plane and sidecar (operator, injector, sentry, placement, scheduler,
#     daprd) as local/<name>:<dapr version>, for Dapr's Helm chart (global.registry=local);
#   - local/coredns:<version>: the CoreDNS of scripts/kubernetes-binaries.sh;
#   - the five apps from the repository's Dockerfile on the Node stand-in, as
#     dapr-orders/<app>:<tag> (the chart's image.repository), <tag> the first argument
#     (default: test). The image carries its tag as a label, so two tags are two images.
#   eval "$(scripts/kubernetes-images.sh test)"
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tag=${1:-test}
say() { echo "kubernetes-images: $*" >&2; }

standins=$("$root/scripts/docker-standin-images.sh" --kubernetes)
eval "$standins"
dapr_version=${DAPRD_IMAGE##*:}

k8s_bin=$("$root/scripts/kubernetes-binaries.sh")
coredns_version=$("$k8s_bin/coredns" -version | awk -F- '/^CoreDNS/ { print $2; exit }')
coredns_image=local/coredns:$coredns_version
binary_hash=$(sha256sum "$k8s_bin/coredns" | cut -c1-16)
if [ "$(docker image inspect -f '{{index .Config.Labels "dapr-orders.binary"}}' "$coredns_image" 2>/dev/null)" != "$binary_hash" ]; then
  ctx=$(mktemp -d)
  cp "$k8s_bin/coredns" "$ctx/coredns"
  mkdir -p "$ctx/etc/ssl/certs" && cp /etc/ssl/certs/ca-certificates.crt "$ctx/etc/ssl/certs/"
  printf '%s\n' 'FROM scratch' 'COPY etc/ /etc/' 'COPY coredns /coredns' "LABEL dapr-orders.binary=$binary_hash" \
    'EXPOSE 53 53/udp' 'ENTRYPOINT ["/coredns"]' >"$ctx/Dockerfile"
  docker build -q -t "$coredns_image" "$ctx" >/dev/null 2>&1 || { say "building $coredns_image failed"; exit 1; }
  rm -rf "$ctx"
  say "built $coredns_image"
fi

# The apps: one Dockerfile, SERVICE and PORT pick the app (as docker-compose.yml builds them).
declare -A ports=([order-processor]=3000 [notifications]=3001 [inventory]=3002 [payments]=3003 [shipping]=3004)
apps=()
start=$SECONDS
for app in order-processor notifications inventory payments shipping; do
  log="$root/.cache/kubernetes-images-$app.log"
  mkdir -p "$root/.cache"
  if ! docker build -f "$root/Dockerfile" --build-arg "NODE_IMAGE=$NODE_IMAGE" --build-arg "SERVICE=$app" \
      --build-arg "PORT=${ports[$app]}" --label "org.opencontainers.image.version=$tag" \
      -t "dapr-orders/$app:$tag" "$root" >"$log" 2>&1; then
    say "building dapr-orders/$app:$tag failed:"; tail -30 "$log" >&2; exit 1
  fi
  apps+=("dapr-orders/$app:$tag")
done
say "app images (tag $tag) built in $((SECONDS - start)) s"

dapr_images=""
for name in operator injector sentry placement scheduler daprd; do dapr_images+=" local/$name:$dapr_version"; done
cat <<VARS
export DAPR_VERSION=$dapr_version
export DAPR_IMAGES="${dapr_images# }"
export REDIS_IMAGE=$REDIS_IMAGE
export PAUSE_IMAGE=$PAUSE_IMAGE
export COREDNS_IMAGE=$coredns_image
export APP_IMAGES="${apps[*]}"
VARS
