#!/bin/sh
# The container's entrypoint, as with the docker-in-docker feature: starts dockerd in the
# background (its log in /tmp/dockerd.log), then runs the container's command.
#
# Without --privileged, Docker mounts the container's cgroup v1 hierarchies read-only:
# they are mounted again, writable, so that dockerd can make its containers' cgroups
# (the container runs in a cgroup namespace of its own, so each is its own subtree).
if awk '$3 == "cgroup" && $4 ~ /(^|,)ro(,|$)/ { found = 1 } END { exit !found }' /proc/self/mounts; then
  awk '$3 == "cgroup" { print $2, $4 }' /proc/self/mounts >/tmp/cgroup-mounts
  mount -t tmpfs -o mode=755 cgroup /sys/fs/cgroup
  while read -r dir options; do
    controllers=$(echo "$options" | tr , '\n' | grep -v -E '^(ro|rw|nosuid|nodev|noexec|relatime)$' | paste -sd, -)
    mkdir -p "$dir" && mount -t cgroup -o "$controllers" cgroup "$dir"
  done </tmp/cgroup-mounts
  if grep -q '^0::' /proc/self/cgroup; then mkdir -p /sys/fs/cgroup/unified && mount -t cgroup2 cgroup2 /sys/fs/cgroup/unified; fi
fi
if ! pidof dockerd >/dev/null 2>&1; then
  nohup dockerd >/tmp/dockerd.log 2>&1 &
fi
exec "$@"
