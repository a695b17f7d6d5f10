#!/usr/bin/env bash
# make demo: two hosts in network namespaces, joined by a bridge on
# 192.0.2.0/24, run gokeepalived on a unicast configuration shaped like the
# project's first seed article. The demo shows which host is master and holds
# the VIP, kills the master, and shows the VIP move and how long it took.
# Everything it creates is removed on every exit path.
set -euo pipefail

BIN=${1:-bin/gokeepalived}
[ -x "$BIN" ] || { echo "demo: $BIN not built (run make build)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "demo: needs root (network namespaces)" >&2; exit 1; }
command -v ip >/dev/null || { echo "demo: needs iproute2" >&2; exit 1; }

ID=$$
A=gkdemo-a-$ID B=gkdemo-b-$ID LAN=gkdemo-l-$ID
DIR=$(mktemp -d /tmp/gokeepalived-demo.XXXXXX)
VIP=192.0.2.53
PIDS=()

cleanup() {
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	for n in "$A" "$B" "$LAN"; do ip netns del "$n" 2>/dev/null || true; done
	rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

ip netns add "$LAN"; ip netns add "$A"; ip netns add "$B"
ip -n "$LAN" link add br0 type bridge
ip -n "$LAN" link set br0 type bridge mcast_snooping 0 forward_delay 0
ip -n "$LAN" link set br0 up
i=0
for h in "$A" "$B"; do
	i=$((i + 1))
	ip -n "$h" link set lo up
	ip -n "$h" link add eth0 type veth peer name port$i netns "$LAN"
	ip -n "$LAN" link set port$i master br0 up
	ip -n "$h" addr add 192.0.2.2$i/24 dev eth0
	ip -n "$h" link set eth0 up
done

# The seed's unicast configuration, with documentation addresses: both hosts
# BACKUP at priority 100 with nopreempt; whichever wins first stays master.
conf() { # $1 own address, $2 peer address
	cat <<EOC
vrrp_instance 23533267-f960-4bd9-9c72-2dd18e2eca8c {
    interface eth0
    state BACKUP
    virtual_router_id 50
    priority 100
    nopreempt
    advert_int 1
    unicast_src_ip $1
    unicast_peer {
        $2
    }
    virtual_ipaddress {
        $VIP/24 dev eth0
    }
}
EOC
}
conf 192.0.2.21 192.0.2.22 >"$DIR/a.conf"
conf 192.0.2.22 192.0.2.21 >"$DIR/b.conf"

start() { # $1 namespace, $2 name
	ip netns exec "$1" "$BIN" -n -l -G -f "$DIR/$2.conf" -p "$DIR/$2.pid" -r "$DIR/$2-vrrp.pid" >"$DIR/$2.log" 2>&1 &
	PIDS+=($!)
}
has_vip() { ip -n "$1" -4 -o addr show dev eth0 | grep -q " $VIP/"; }
now() { date +%s.%N; }
wait_for() { # $1 seconds, then a command: poll until it succeeds
	local end; end=$(echo "$(now) + $1" | bc)
	shift
	until "$@"; do
		(($(echo "$(now) > $end" | bc))) && return 1
		sleep 0.01
	done
}
either_has_vip() { has_vip "$A" || has_vip "$B"; }

echo "== starting gokeepalived on host A (192.0.2.21) and host B (192.0.2.22), VIP $VIP"
start "$A" a
start "$B" b
wait_for 15 either_has_vip || { echo "no master after 15 s"; cat "$DIR"/*.log; exit 1; }
if has_vip "$A"; then MASTER=$A M=a MPID=${PIDS[0]} OTHER=$B O=b; else MASTER=$B M=b MPID=${PIDS[1]} OTHER=$A O=a; fi
echo "== host ${M^^} is MASTER and holds $VIP:"
ip -n "$MASTER" -4 -o addr show dev eth0 | awk '{print "   ", $4}'
grep -h "Entering" "$DIR/$M.log" | sed "s/^/    $M: /"

echo "== killing the master (SIGKILL, host ${M^^})"
t0=$(now)
kill -KILL "$MPID"
wait_for 15 has_vip "$OTHER" || { echo "the VIP did not move"; cat "$DIR/$O.log"; exit 1; }
t1=$(now)
echo "== $VIP moved to host ${O^^} after $(printf '%.3f' "$(echo "$t1 - $t0" | bc)") s (Master_Down_Interval for priority 100, advert_int 1: 3.609 s):"
ip -n "$OTHER" -4 -o addr show dev eth0 | awk '{print "   ", $4}'
grep -h "Receive advertisement timeout\|Entering MASTER" "$DIR/$O.log" | sed "s/^/    $O: /"
echo "== cleaning up"
