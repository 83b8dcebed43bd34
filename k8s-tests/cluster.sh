#!/usr/bin/env bash
# A single-node Kubernetes cluster on this machine, for tests: etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler, kube-proxy (iptables) and a kubelet, with a
# containerd and a CNI bridge network of its own, and CoreDNS. Everything it makes lives in
# one folder (certificates, kubeconfigs, data, logs, the containerd's root, state and socket,
# the kubelet's root), except what Linux keeps elsewhere: the bridge interface, the pods'
# network namespaces, iptables rules, cgroups. `down` removes all of them.
#
#   k8s-tests/cluster.sh up DIR      start it (DIR must not exist); DIR/env has KUBECONFIG etc.
#   k8s-tests/cluster.sh down DIR    stop it and remove everything it made, DIR included
#   k8s-tests/cluster.sh import DIR IMAGE...
#                                    copies Docker images into the cluster's containerd
# `up` imports the images of $IMAGES (space-separated) before it starts any pod; among them
# $PAUSE_IMAGE (the pods' sandbox) and $COREDNS_IMAGE.
#
# Needs root, cgroup v1 or v2, Debian's containerd, runc and containernetworking-plugins
# (installed from apt when missing), and the binaries of scripts/kubernetes-binaries.sh
# ($K8S_BIN). Images come from the containerd's k8s.io namespace only (import them; nothing
# is pulled).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cmd=${1:?usage: cluster.sh up|down|import DIR}
dir=${2:?usage: cluster.sh up|down|import DIR}
shift 2

# Names and addresses: the pod and service ranges must not overlap the machine's networks.
bridge=dok8s0
pod_cidr=10.244.0.0/24
service_cidr=10.96.0.0/16
api_service_ip=10.96.0.1
dns_service_ip=10.96.0.10
cgroup_parent=dapr-orders-k8s
pause_image=${PAUSE_IMAGE:-local/pause:3.10.1}

say() { echo "cluster: $*" >&2; }

# ---- down --------------------------------------------------------------------------------------
down() {
  [ -d "$dir" ] || { say "$dir does not exist: nothing to stop"; return 0; }
  # shellcheck disable=SC1091
  [ -f "$dir/env" ] && source "$dir/env"
  local bin=${K8S_BIN:-}
  # 1. With the API still up: no controller recreates pods, then the kubelet stops every pod
  #    (which undoes each pod's network through CNI). Bounded: the rest is forced below.
  if [ -n "$bin" ] && [ -f "$dir/admin.kubeconfig" ] && alive kube-apiserver && alive kubelet; then
    stop kube-controller-manager
    stop kube-scheduler
    "$bin/kubectl" --kubeconfig "$dir/admin.kubeconfig" delete pods --all-namespaces --all --force --grace-period=0 \
      --wait=false --request-timeout=20s >/dev/null 2>&1 || true
    local deadline=$((SECONDS + 60))
    while [ $SECONDS -lt $deadline ] && [ -n "$(new_netns)" ]; do sleep 1; done
  fi
  # 2. The processes, the kubelet first (so it restarts nothing), then every process left in
  #    the pods' cgroups, and the containerd shims of this cluster's containerd.
  for p in kubelet kube-proxy kube-controller-manager kube-scheduler; do stop "$p"; done
  for pid in $(pod_processes); do kill -9 "$pid" 2>/dev/null || true; done
  for pid in $(shim_processes); do kill -9 "$pid" 2>/dev/null || true; done
  stop containerd
  for p in kube-apiserver etcd; do stop "$p"; done
  # 3. kube-proxy's rules (its own cleanup), then whatever KUBE-* and CNI-* chains are left in
  #    iptables and ip6tables (the kubelet's, the CNI plugins' of pods not stopped cleanly).
  #    Docker's chains (DOCKER*) are not touched.
  if [ -n "$bin" ] && [ -x "$bin/kube-proxy" ]; then "$bin/kube-proxy" --cleanup >/dev/null 2>&1 || true; fi
  for tool in iptables ip6tables; do remove_chains "$tool"; done
  # 4. Mounts under the folder (the kubelet's volumes and its bind mount of its root, the
  #    containers' root filesystems and shm), the pods' network namespaces, the bridge.
  unmount_under "$dir"
  for ns in $(new_netns); do
    umount "/var/run/netns/$ns" 2>/dev/null || true
    rm -f "/var/run/netns/$ns"
  done
  ip link delete "$bridge" 2>/dev/null || true
  # 5. The cgroups the kubelet made, deepest first.
  for hierarchy in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
    [ -d "$hierarchy$cgroup_parent" ] || continue
    find "$hierarchy$cgroup_parent" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
  # 6. The folder, logs included (copy them first: `down` is the last step).
  if [ -n "${KEEP_LOGS:-}" ] && [ -d "$dir/logs" ]; then mkdir -p "$KEEP_LOGS" && cp -a "$dir/logs/." "$KEEP_LOGS/"; fi
  rm -rf "$dir"
  say "stopped and removed"
}

alive() { [ -f "$dir/pids/$1" ] && kill -0 "$(cat "$dir/pids/$1")" 2>/dev/null; }

# SIGTERM, then SIGKILL after 10 s; only the process this script started (its pid file).
stop() {
  local name=$1 pid
  [ -f "$dir/pids/$name" ] || return 0
  pid=$(cat "$dir/pids/$name")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/pids/$name"
}

# Every process in the pods' cgroups (the kubelet puts each pod under $cgroup_parent).
pod_processes() {
  find /sys/fs/cgroup/pids/$cgroup_parent /sys/fs/cgroup/$cgroup_parent -name cgroup.procs 2>/dev/null |
    xargs -r cat 2>/dev/null | sort -u
}

# containerd-shim-runc-v2 processes started by this cluster's containerd (its socket is in $dir).
shim_processes() {
  local p
  for p in /proc/[0-9]*; do
    { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | grep -q -- "-address $dir/containerd/containerd.sock" && echo "${p#/proc/}"
  done
  return 0
}

# Network namespaces that were not there before `up` (containerd's CRI makes cni-<uuid>).
new_netns() {
  ls /var/run/netns 2>/dev/null | grep -vxFf "$dir/netns-before" 2>/dev/null || true
}

remove_chains() {
  local tool=$1 table
  command -v "$tool" >/dev/null || return 0
  for table in nat filter mangle raw; do
    "$tool" -t "$table" -S >/dev/null 2>&1 || continue
    # Rules of other chains that jump to a KUBE-/CNI- chain, then those chains themselves.
    "$tool" -t "$table" -S | grep -E -- '-j (KUBE|CNI)-' | grep -vE '^-A (KUBE|CNI)-' | sed 's/^-A /-D /' |
      while read -r rule; do eval "$tool -t $table $rule" 2>/dev/null || true; done || true
    local chains
    chains=$("$tool" -t "$table" -S | awk '$1 == "-N" && $2 ~ /^(KUBE|CNI)-/ { print $2 }')
    for c in $chains; do "$tool" -t "$table" -F "$c" 2>/dev/null || true; done
    for c in $chains; do "$tool" -t "$table" -X "$c" 2>/dev/null || true; done
  done
}

unmount_under() {
  local base=$1 m
  # Deepest first; lazily, so that a mount still in use does not stop the rest.
  for m in $(awk -v b="$base" 'index($2, b) == 1 { print $2 }' /proc/self/mounts | sort -r | uniq); do
    umount -l "$m" 2>/dev/null || true
  done
}

# ---- up ----------------------------------------------------------------------------------------
free_port() { # the first port from $1 up that nothing listens on and this run has not taken
  local p=$1
  while ss -Htln "sport = :$p" | grep -q . || grep -qx "$p" "$dir/ports-taken" 2>/dev/null; do p=$((p + 1)); done
  echo "$p" >>"$dir/ports-taken"
  echo "$p"
}

start() { # name command...: in the background, its own session, output to logs/<name>.log
  local name=$1; shift
  setsid "$@" >"$dir/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$dir/pids/$name"
}

wait_for() { # what seconds command...: polls until the command succeeds
  local what=$1 seconds=$2 deadline; shift 2
  deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then say "$what: not ready within $seconds s"; return 1; fi
    sleep 0.5
  done
}

cert() { # name CN O "SANs" [ca]: a key and a certificate signed by the cluster's CA
  local name=$1 cn=$2 org=$3 sans=$4 subject
  subject="/CN=$cn"; [ -n "$org" ] && subject="/O=$org$subject"
  openssl ecparam -name prime256v1 -genkey -noout -out "$dir/pki/$name.key" 2>/dev/null
  openssl req -new -key "$dir/pki/$name.key" -subj "$subject" -out "$dir/pki/$name.csr" 2>/dev/null
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=serverAuth,clientAuth"
    [ -n "$sans" ] && echo "subjectAltName=$sans"
  } >"$dir/pki/$name.ext"
  openssl x509 -req -in "$dir/pki/$name.csr" -CA "$dir/pki/ca.crt" -CAkey "$dir/pki/ca.key" -CAcreateserial \
    -days 7 -extfile "$dir/pki/$name.ext" -out "$dir/pki/$name.crt" 2>/dev/null
}

kubeconfig() { # name user: a kubeconfig with the user's client certificate
  cat >"$dir/$1.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: local
    cluster:
      certificate-authority: $dir/pki/ca.crt
      server: https://$node_ip:$api_port
users:
  - name: $1
    user:
      client-certificate: $dir/pki/$2.crt
      client-key: $dir/pki/$2.key
contexts:
  - name: local
    context: { cluster: local, user: $1 }
current-context: local
EOF
}

# The Debian packages a node needs, installed when missing.
ensure_packages() {
  local p missing=()
  for p in containerd runc containernetworking-plugins iptables iproute2 openssl curl; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${missing[*]} from apt"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

up() {
  local bin=${K8S_BIN:?K8S_BIN must name the folder of scripts/kubernetes-binaries.sh}
  [ "$(id -u)" = 0 ] || { say "needs root"; exit 1; }
  ensure_packages
  [ ! -e "$dir" ] || { say "$dir exists: down it first"; exit 1; }
  mkdir -p "$dir"/{pki,logs,pids,etcd,kubelet,pod-logs,containerd,cni/net.d,cni/ipam}
  chmod 755 "$dir"
  ls /var/run/netns 2>/dev/null >"$dir/netns-before" || : >"$dir/netns-before"
  echo "K8S_BIN=$bin" >"$dir/env" # for `down`, however far `up` gets
  trap 'say "up failed: see $dir/logs"; exit 1' ERR

  node_ip=$(ip -4 route get 1.1.1.1 2>/dev/null | awk '{ for (i = 1; i < NF; i++) if ($i == "src") print $(i + 1) }')
  node_name=$(hostname | tr '[:upper:]' '[:lower:]')
  [ -n "$node_ip" ] || { say "no IPv4 address with a route out"; exit 1; }
  local etcd_port etcd_peer_port kubelet_port kubelet_healthz cm_port sched_port proxy_healthz proxy_metrics
  api_port=$(free_port 16443)
  etcd_port=$(free_port 12379); etcd_peer_port=$(free_port 12380)
  kubelet_port=$(free_port 20250); kubelet_healthz=$(free_port 20248)
  cm_port=$(free_port 20257); sched_port=$(free_port 20259)
  proxy_healthz=$(free_port 20256); proxy_metrics=$(free_port 20249)

  # The kernel settings a node needs: routing between the bridge and the host, and bridged
  # traffic through iptables (Services between pods on one bridge). Docker sets both too.
  sysctl -qw net.ipv4.ip_forward=1
  modprobe br_netfilter 2>/dev/null || true
  sysctl -qw net.bridge.bridge-nf-call-iptables=1

  # -- certificates: one CA; the API server's serving certificate; a client certificate each.
  openssl ecparam -name prime256v1 -genkey -noout -out "$dir/pki/ca.key" 2>/dev/null
  openssl req -x509 -new -key "$dir/pki/ca.key" -subj "/CN=dapr-orders-test-ca" -days 7 -out "$dir/pki/ca.crt" 2>/dev/null
  cert apiserver kube-apiserver "" \
    "IP:$node_ip,IP:127.0.0.1,IP:$api_service_ip,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost"
  cert apiserver-kubelet-client kube-apiserver-kubelet-client system:masters ""
  cert admin admin system:masters ""
  cert controller-manager system:kube-controller-manager "" ""
  cert scheduler system:kube-scheduler "" ""
  cert kube-proxy system:kube-proxy "" ""
  cert kubelet "system:node:$node_name" system:nodes ""
  openssl ecparam -name prime256v1 -genkey -noout -out "$dir/pki/sa.key" 2>/dev/null
  openssl ec -in "$dir/pki/sa.key" -pubout -out "$dir/pki/sa.pub" 2>/dev/null
  for user in admin controller-manager scheduler kube-proxy kubelet; do kubeconfig "$user" "$user"; done

  # -- etcd (loopback only; a test's data: no fsync).
  start etcd "$bin/etcd" --name node --data-dir "$dir/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$etcd_peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer_port" \
    --initial-cluster "node=http://127.0.0.1:$etcd_peer_port" --unsafe-no-fsync --log-level warn
  wait_for etcd 60 curl -fsS "http://127.0.0.1:$etcd_port/health"

  # -- the API server.
  start kube-apiserver "$bin/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$etcd_port" \
    --bind-address "$node_ip" --secure-port "$api_port" --advertise-address "$node_ip" \
    --service-cluster-ip-range "$service_cidr" \
    --client-ca-file "$dir/pki/ca.crt" \
    --tls-cert-file "$dir/pki/apiserver.crt" --tls-private-key-file "$dir/pki/apiserver.key" \
    --kubelet-client-certificate "$dir/pki/apiserver-kubelet-client.crt" --kubelet-client-key "$dir/pki/apiserver-kubelet-client.key" \
    --kubelet-preferred-address-types InternalIP \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$dir/pki/sa.pub" --service-account-signing-key-file "$dir/pki/sa.key" \
    --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction \
    --allow-privileged=true --profiling=false
  wait_for kube-apiserver 120 "$bin/kubectl" --kubeconfig "$dir/admin.kubeconfig" get --raw /readyz

  # -- the controller manager and the scheduler (loopback ports).
  start kube-controller-manager "$bin/kube-controller-manager" \
    --kubeconfig "$dir/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$dir/controller-manager.kubeconfig" --authorization-kubeconfig "$dir/controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$cm_port" --leader-elect=false \
    --cluster-signing-cert-file "$dir/pki/ca.crt" --cluster-signing-key-file "$dir/pki/ca.key" \
    --root-ca-file "$dir/pki/ca.crt" --service-account-private-key-file "$dir/pki/sa.key" \
    --use-service-account-credentials=true --service-cluster-ip-range "$service_cidr" --profiling=false
  start kube-scheduler "$bin/kube-scheduler" \
    --kubeconfig "$dir/scheduler.kubeconfig" \
    --authentication-kubeconfig "$dir/scheduler.kubeconfig" --authorization-kubeconfig "$dir/scheduler.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$sched_port" --leader-elect=false --profiling=false

  # -- containerd: its own root, state and socket; CRI on; nothing pulled (the sandbox image
  #    is imported like every other). restrict_oom_score_adj: some machines refuse a negative
  #    oom_score_adj even to root, and the kubelet asks for one for every pod sandbox.
  cat >"$dir/containerd/config.toml" <<EOF
version = 2
root = "$dir/containerd/root"
state = "$dir/containerd/state"
[grpc]
  address = "$dir/containerd/containerd.sock"
[ttrpc]
  address = "$dir/containerd/containerd.sock.ttrpc"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "docker.io/$pause_image"
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$dir/cni/net.d"
EOF
  # The pods' network: one bridge, addresses from a range kept in the folder, the pods'
  # traffic to the outside masqueraded, a pod reaching itself through its Service (hairpin),
  # and each pod's traffic let through iptables' FORWARD chain (firewall: Docker's policy
  # there is DROP, and with br_netfilter even traffic between two pods on the bridge passes it).
  cat >"$dir/cni/net.d/10-dapr-orders.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "dapr-orders-k8s",
  "plugins": [
    {
      "type": "bridge", "bridge": "$bridge", "isGateway": true, "ipMasq": true, "hairpinMode": true,
      "ipam": { "type": "host-local", "ranges": [[{ "subnet": "$pod_cidr" }]], "routes": [{ "dst": "0.0.0.0/0" }],
                "dataDir": "$dir/cni/ipam" }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } },
    { "type": "firewall" }
  ]
}
EOF
  start containerd containerd --config "$dir/containerd/config.toml"
  wait_for containerd 60 ctr --address "$dir/containerd/containerd.sock" version
  # shellcheck disable=SC2086
  [ -z "${IMAGES:-}" ] || import_images $IMAGES

  # -- the kubelet: cgroupfs (PID 1 need not be systemd), pods under their own cgroup,
  #    on cgroup v1 as well (failCgroupV1: false).
  for hierarchy in /sys/fs/cgroup/*/; do
    [ -f "${hierarchy}cgroup.procs" ] && mkdir -p "$hierarchy$cgroup_parent"
  done
  # cgroup v1's cpuset: a new cgroup has no CPUs or memory nodes until given its parent's.
  if [ -f /sys/fs/cgroup/cpuset/cpuset.cpus ]; then
    cat /sys/fs/cgroup/cpuset/cpuset.cpus >"/sys/fs/cgroup/cpuset/$cgroup_parent/cpuset.cpus"
    cat /sys/fs/cgroup/cpuset/cpuset.mems >"/sys/fs/cgroup/cpuset/$cgroup_parent/cpuset.mems"
  fi
  [ -f /sys/fs/cgroup/cgroup.controllers ] && mkdir -p "/sys/fs/cgroup/$cgroup_parent"
  cat >"$dir/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $node_ip
port: $kubelet_port
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $kubelet_healthz
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: $dir/pki/ca.crt }
authorization: { mode: Webhook }
containerRuntimeEndpoint: unix://$dir/containerd/containerd.sock
cgroupDriver: cgroupfs
cgroupRoot: /$cgroup_parent
failCgroupV1: false
failSwapOn: false
clusterDNS: [$dns_service_ip]
clusterDomain: cluster.local
resolvConf: /etc/resolv.conf
podLogsDir: $dir/pod-logs
serializeImagePulls: false
evictionHard: { memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1% }
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
EOF
  start kubelet "$bin/kubelet" --config "$dir/kubelet.yaml" --kubeconfig "$dir/kubelet.kubeconfig" \
    --root-dir "$dir/kubelet" --node-ip "$node_ip" --hostname-override "$node_name"

  # -- kube-proxy: Services in iptables; node ports on the node's address only.
  cat >"$dir/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: { kubeconfig: $dir/kube-proxy.kubeconfig }
mode: iptables
clusterCIDR: $pod_cidr
hostnameOverride: $node_name
bindAddress: 127.0.0.1
healthzBindAddress: 127.0.0.1:$proxy_healthz
metricsBindAddress: 127.0.0.1:$proxy_metrics
nodePortAddresses: [$node_ip/32]
conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s }
EOF
  start kube-proxy "$bin/kube-proxy" --config "$dir/kube-proxy.yaml"

  cat >"$dir/env" <<EOF
K8S_BIN=$bin
KUBECONFIG=$dir/admin.kubeconfig
CONTAINERD_ADDRESS=$dir/containerd/containerd.sock
NODE_IP=$node_ip
NODE_NAME=$node_name
API_PORT=$api_port
EOF
  local kc=("$bin/kubectl" --kubeconfig "$dir/admin.kubeconfig")
  wait_for "node $node_name" 120 "${kc[@]}" wait --for=condition=Ready "node/$node_name" --timeout=2s

  # -- CoreDNS (the cluster's DNS Service), and a default StorageClass with a volume per
  #    claim the charts make (hostPath folders under $dir: a node's disk).
  sed -e "s|@DNS_SERVICE_IP@|$dns_service_ip|g" -e "s|@COREDNS_IMAGE@|${COREDNS_IMAGE:-local/coredns:latest}|g" \
    "$here/manifests/coredns.yaml" | "${kc[@]}" apply -f - >/dev/null
  "${kc[@]}" apply -f "$here/manifests/storage.yaml" >/dev/null
  for i in $(seq 1 "${VOLUMES:-6}"); do
    mkdir -p "$dir/volumes/pv$i" && chmod 1777 "$dir/volumes/pv$i"
    sed -e "s|@NAME@|local-pv$i|g" -e "s|@PATH@|$dir/volumes/pv$i|g" -e "s|@NODE@|$node_name|g" \
      "$here/manifests/volume.yaml" | "${kc[@]}" apply -f - >/dev/null
  done
  "${kc[@]}" -n kube-system rollout status deployment/coredns --timeout=180s >/dev/null
  trap - ERR
  say "up: $node_name ($node_ip), API https://$node_ip:$api_port, KUBECONFIG=$dir/admin.kubeconfig"
}

# ---- import ------------------------------------------------------------------------------------
import_images() { # image...: from Docker into the containerd's k8s.io namespace (the CRI's)
  local start=$SECONDS
  docker save "$@" | ctr --address "$dir/containerd/containerd.sock" -n k8s.io images import - >/dev/null
  say "imported $# images in $((SECONDS - start)) s"
}

case "$cmd" in
  up) up ;;
  down) down ;;
  import) import_images "$@" ;;
  *) echo "usage: cluster.sh up|down|import DIR" >&2; exit 2 ;;
esac
