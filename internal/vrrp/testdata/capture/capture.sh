#!/bin/bash
# Captures real keepalived 2.2.7 adverts inside a private netns pair.
# Usage (root, by hand, never from go test): ./capture.sh v2mcast.conf v2pass.conf ...
# Creates two namespaces and a veth pair between them (192.0.2.0/24, 2001:db8::/64),
# runs keepalived on each config in the first, prints what tcpdump captured, and
# deletes everything it made on exit. The hex in packet_test.go came from here.
set -u
TAG=gkvcodec-$$
NA=$TAG-a
NB=$TAG-b
OUT=${OUT:-$(mktemp -d /tmp/gkvcodec-out.XXXXXX)}
mkdir -p $OUT
KPID=""
TPID=""
cleanup() {
  [ -n "$KPID" ] && kill "$KPID" 2>/dev/null && wait "$KPID" 2>/dev/null
  [ -n "$TPID" ] && kill "$TPID" 2>/dev/null && wait "$TPID" 2>/dev/null
  ip netns del $NA 2>/dev/null
  ip netns del $NB 2>/dev/null
}
trap cleanup EXIT INT TERM

ip netns add $NA || exit 1
ip netns add $NB || exit 1
# veth created inside A, peer moved straight into B: root namespace untouched.
ip -n $NA link add gkv0 type veth peer name gkv1 netns $NB || exit 1
for ns in $NA $NB; do
  ip netns exec $ns sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
done
ip netns exec $NA sysctl -qw net.ipv6.conf.gkv0.accept_dad=0
ip netns exec $NB sysctl -qw net.ipv6.conf.gkv1.accept_dad=0
ip -n $NA addr add 192.0.2.1/24 dev gkv0
ip -n $NB addr add 192.0.2.2/24 dev gkv1
ip -n $NA addr add 2001:db8::1/64 dev gkv0 nodad
ip -n $NB addr add 2001:db8::2/64 dev gkv1 nodad
ip -n $NA link set lo up; ip -n $NB link set lo up
ip -n $NA link set gkv0 up; ip -n $NB link set gkv1 up

run() { # name conf count
  local name=$1 conf=$2 count=$3
  ip netns exec $NA tcpdump -U -n -i gkv0 -w $OUT/$name.pcap -c $count 'ip proto 112 or ip6 proto 112' 2>$OUT/$name.tcpdump.log &
  TPID=$!
  ip netns exec $NA keepalived -n -l -D -P -f $conf -p $OUT/$TAG.pid -r $OUT/${TAG}_vrrp.pid >$OUT/$name.keepalived.log 2>&1 &
  KPID=$!
  # wait for tcpdump to finish (bounded)
  for i in $(seq 1 200); do kill -0 $TPID 2>/dev/null || break; sleep 0.1; done
  kill $TPID 2>/dev/null; wait $TPID 2>/dev/null; TPID=""
  kill $KPID 2>/dev/null; wait $KPID 2>/dev/null; KPID=""
  echo "== $name"; tcpdump -n -r $OUT/$name.pcap -vv 2>/dev/null
}

for c in "$@"; do
  n=$(basename $c .conf)
  cnt=3
  run $n $c $cnt
done
