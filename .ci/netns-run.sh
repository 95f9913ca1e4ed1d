#!/bin/sh
# Runs a command in a fresh network namespace that has loopback plus one veth
# pair (10.77.0.1 <-> 10.77.0.2) and nothing else, so WebRTC tests can gather a
# non-loopback host candidate (libwebrtc and Chromium ignore loopback
# interfaces) while no packet can leave the machine. Needs root (CI is root).
# Nothing in the namespace can reach a package registry: resolve dependencies
# first, then run Maven offline (-o) inside.
#   usage: .ci/netns-run.sh mvn -o -B verify   (a copy of ../shared/netns-run.sh)
set -e
if [ "$DUET_IN_NETNS" != 1 ]; then
  exec unshare -n env DUET_IN_NETNS=1 "$0" "$@"
fi
ip link set lo up
ip link add duet0 type veth peer name duet1
ip addr add 10.77.0.1/24 dev duet0
ip addr add 10.77.0.2/24 dev duet1
ip link set duet0 up
ip link set duet1 up
ip route add default via 10.77.0.2 dev duet0
exec "$@"
