#!/bin/bash
# Sender keepalived in ns A, receiver keepalived in ns B; prints B's log lines.
# Usage (root, by hand, never from go test): ./rxcheck.sh
# Runs a sender keepalived in one namespace and a mismatched receiver in another
# and prints the receiver's log lines: the check messages asserted in checks_test.go.
set -u
TAG=gkvcodec-rx-$$
NA=$TAG-a; NB=$TAG-b
OUT=${OUT:-$(mktemp -d /tmp/gkvcodec-rx.XXXXXX)}
PA=""; PB=""
cleanup() {
  [ -n "$PA" ] && kill "$PA" 2>/dev/null && wait "$PA" 2>/dev/null
  [ -n "$PB" ] && kill "$PB" 2>/dev/null && wait "$PB" 2>/dev/null
  ip netns del $NA 2>/dev/null; ip netns del $NB 2>/dev/null
}
trap cleanup EXIT INT TERM
ip netns add $NA || exit 1; ip netns add $NB || exit 1
ip -n $NA link add gkv0 type veth peer name gkv1 netns $NB || exit 1
ip -n $NA addr add 192.0.2.1/24 dev gkv0; ip -n $NB addr add 192.0.2.2/24 dev gkv1
ip -n $NA link set lo up; ip -n $NB link set lo up
ip -n $NA link set gkv0 up; ip -n $NB link set gkv1 up
scen() { # name body-A body-B
  local n=$1
  printf 'vrrp_instance VI_1 {\n    interface gkv0\n    state MASTER\n    priority 200\n%b\n}\n' "$2" > $OUT/$n.a.conf
  printf 'vrrp_instance VI_1 {\n    interface gkv1\n    state BACKUP\n    priority 100\n%b\n}\n' "$3" > $OUT/$n.b.conf
  ip netns exec $NA keepalived -n -l -D -P -f $OUT/$n.a.conf -p $OUT/$TAG-a.pid -r $OUT/$TAG-a_vrrp.pid >$OUT/$n.a.log 2>&1 &
  PA=$!
  ip netns exec $NB keepalived -n -l -D -P -f $OUT/$n.b.conf -p $OUT/$TAG-b.pid -r $OUT/$TAG-b_vrrp.pid >$OUT/$n.b.log 2>&1 &
  PB=$!
  sleep 7
  kill $PA $PB; wait $PA $PB 2>/dev/null; PA=""; PB=""
  echo "== $n"; grep -vE "Starting|Running on|Command line|Configuration file|NOTICE|WARNING - default|Registering|Script user|Opening file|Stopp|Startup|Unable|Initializing|Assigned|Gratuitous|sockpool|VRRP_Instance|child process|Exiting|Entering|Remov|setting|Sending|forcing|sent 0|protocol|removing" $OUT/$n.b.log | sed 's/^[A-Z][a-z][a-z] [A-Z][a-z][a-z] [ 0-9]* [0-9:]* [0-9]*: //' | sort | uniq -c
}
V2='    virtual_router_id 51\n    advert_int 1\n    virtual_ipaddress {\n        192.0.2.100/24\n        192.0.2.101/24\n    }'
scen interval "$V2" '    virtual_router_id 51\n    advert_int 2\n    virtual_ipaddress {\n        192.0.2.100/24\n        192.0.2.101/24\n    }'
scen authtype '    virtual_router_id 51\n    authentication {\n        auth_type PASS\n        auth_pass s3cr3t\n    }\n    virtual_ipaddress {\n        192.0.2.100/24\n    }' '    virtual_router_id 51\n    virtual_ipaddress {\n        192.0.2.100/24\n    }'
scen passwd '    virtual_router_id 51\n    authentication {\n        auth_type PASS\n        auth_pass s3cr3t\n    }\n    virtual_ipaddress {\n        192.0.2.100/24\n    }' '    virtual_router_id 51\n    authentication {\n        auth_type PASS\n        auth_pass other\n    }\n    virtual_ipaddress {\n        192.0.2.100/24\n    }'
scen version '    version 3\n    virtual_router_id 51\n    virtual_ipaddress {\n        192.0.2.100/24\n    }' '    version 2\n    virtual_router_id 51\n    virtual_ipaddress {\n        192.0.2.100/24\n    }'
scen vipmissing "$V2" '    virtual_router_id 51\n    virtual_ipaddress {\n        192.0.2.100/24\n        192.0.2.102/24\n    }'
scen vipcount "$V2" '    virtual_router_id 51\n    virtual_ipaddress {\n        192.0.2.100/24\n    }'
scen legacy '    version 3\n    virtual_router_id 62\n    unicast_src_ip 192.0.2.1\n    unicast_peer {\n        192.0.2.2\n    }\n    old_unicast_checksum\n    virtual_ipaddress {\n        192.0.2.120/24\n    }' '    version 3\n    virtual_router_id 62\n    unicast_src_ip 192.0.2.2\n    unicast_peer {\n        192.0.2.1\n    }\n    virtual_ipaddress {\n        192.0.2.120/24\n    }'
scen legacynever '    version 3\n    virtual_router_id 62\n    unicast_src_ip 192.0.2.1\n    unicast_peer {\n        192.0.2.2\n    }\n    old_unicast_checksum\n    virtual_ipaddress {\n        192.0.2.120/24\n    }' '    version 3\n    virtual_router_id 62\n    unicast_src_ip 192.0.2.2\n    unicast_peer {\n        192.0.2.1\n    }\n    old_unicast_checksum never\n    virtual_ipaddress {\n        192.0.2.120/24\n    }'
scen notpeer '    version 3\n    virtual_router_id 62\n    unicast_src_ip 192.0.2.1\n    unicast_peer {\n        192.0.2.2\n    }\n    virtual_ipaddress {\n        192.0.2.120/24\n    }' '    version 3\n    virtual_router_id 62\n    unicast_src_ip 192.0.2.2\n    check_unicast_src\n    unicast_peer {\n        192.0.2.9\n    }\n    virtual_ipaddress {\n        192.0.2.120/24\n    }'
scen ttlrange '    version 3\n    virtual_router_id 62\n    unicast_src_ip 192.0.2.1\n    unicast_peer {\n        192.0.2.2\n    }\n    virtual_ipaddress {\n        192.0.2.120/24\n    }' '    version 3\n    virtual_router_id 62\n    unicast_src_ip 192.0.2.2\n    unicast_peer {\n        192.0.2.1 min_ttl 10 max_ttl 200\n    }\n    virtual_ipaddress {\n        192.0.2.120/24\n    }'
