# test_net: iface and route conditions with keel in a network namespace of its own: links, carrier, addresses, routes, globs, and a storm of address changes.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

IP=$(command -v ip) || { echo "not ok - net: ip (iproute2) is installed"; exit 1; }
NS=keeltest$$
HOST_IF=keelh$$
net_cleanup() {
	"$IP" link del "$HOST_IF" 2>/dev/null
	"$IP" netns del "$NS" 2>/dev/null
}
# lib.sh's cleanup first: keel (and every process in the netns) is gone
# before the netns is deleted.
trap 'cleanup; net_cleanup' EXIT

# Left over from a killed run with the same pid: ours to remove.
net_cleanup
# veth0 inside the namespace, its peer on the host side: the peer's up/down
# is veth0's carrier.
if ! "$IP" netns add "$NS" || ! "$IP" link add "$HOST_IF" type veth peer name veth0 netns "$NS"; then
	not_ok "a network namespace with a veth pair"
	finish
	exit 1
fi
nip() { "$IP" -n "$NS" "$@"; }
# vboot0 has an IPv4 address before keel starts: what keel reads at boot.
if ! nip link add vboot0 type veth peer name vboot1 || ! nip addr add 10.66.0.1/24 dev vboot0; then
	not_ok "a second veth pair with an address"
	finish
	exit 1
fi

sys_new net

# keel_start runs "$UNSHARE" with an empty environment: the wrapper puts the
# usual unshare inside the network namespace.
cat >"$BIN/netns_unshare" <<EOF
#!/bin/sh
# netns_unshare: unshare, run inside network namespace $NS
exec "$IP" netns exec "$NS" "$UNSHARE" "\$@"
EOF
chmod 755 "$BIN/netns_unshare"
UNSHARE=$BIN/netns_unshare

svc ex <<EOF
condition iface veth0
exec $BIN/daemon ex
EOF
svc ex_state <<EOF
condition iface veth0 exists
exec $BIN/daemon ex_state
EOF
svc b4 <<EOF
condition iface vboot0 ipv4
exec $BIN/daemon b4
EOF
# Must never start: the address is there from the start, keel must not act
# on a half-read state (links read, addresses not yet).
svc nb4 <<EOF
condition !iface vboot0 ipv4
exec $BIN/daemon nb4
EOF
svc late_ex <<EOF
condition iface vlate0
exec $BIN/daemon late_ex
EOF
svc no_if <<EOF
condition !iface vlate1
exec $BIN/daemon no_if
EOF
svc up <<EOF
condition iface veth0 up
condition-lost restart
exec $BIN/daemon up
EOF
svc carrier <<EOF
condition iface veth0 carrier
exec $BIN/daemon carrier
EOF
svc gl <<EOF
condition iface veth* up
exec $BIN/daemon gl
EOF
svc glc <<EOF
condition iface vl?te1
exec $BIN/daemon glc
EOF
svc v4 <<EOF
condition iface veth0 ipv4
condition-lost restart
exec $BIN/daemon v4
EOF
svc v6 <<EOF
condition iface veth0 ipv6
exec $BIN/daemon v6
EOF
# vlate0 stays down: its global address stays tentative.
svc v6t <<EOF
condition iface vlate0 ipv6
exec $BIN/daemon v6t
EOF
svc r4 <<EOF
condition route default4
exec $BIN/daemon r4
EOF
svc r6 <<EOF
condition route default6
condition-lost restart
exec $BIN/daemon r6
EOF
svc rany <<EOF
condition route default
exec $BIN/daemon rany
EOF
svc timed <<EOF
condition iface nosuch0 carrier
condition-timeout 1s
exec $BIN/daemon timed
EOF
svc stm0 <<EOF
condition iface vlate0 ipv4
condition-lost restart
exec $BIN/daemon stm0
EOF
svc stm1 <<EOF
condition iface vlate1 ipv4
exec $BIN/daemon stm1
EOF

cond_val() {
	ctl --json cond | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(next((x["value"] for x in d["conditions"] if x["condition"] == sys.argv[1]), "absent"))' "$1" 2>/dev/null
}
starts() { log_count "start $1"; }
not_started() { ! log_has "^start $1 "; }
waiting() { state_is "$1" waiting; }

keel_start || { finish; exit 1; }
check "keel sees only its namespace's links" eval 'wait_log "^start ex " 20 && wait_log "^start no_if " 20'
check "iface NAME exists (spelled out)" wait_log "^start ex_state " 20
check "iface ipv4 of an address there at boot: starts" wait_log "^start b4 " 20
check "!iface ipv4 of an address there at boot: waits" eval 'wait_state nb4 waiting 10 && not_started nb4'
for n in late_ex up carrier gl glc v4 v6 v6t r4 r6 rany stm0 stm1; do
	check "$n: waits at boot" wait_state "$n" waiting 10
done
check "status says what it waits for" eval 'ctl status v4 | grep -qF "waiting for: iface veth0 ipv4"'
check "condition-timeout on an interface: failed" wait_state timed failed 20
check "condition-timeout: the reason names the condition" \
	eval 'json_get "svc(\"timed\")[\"reason\"]" | grep -qF "iface nosuch0 carrier"'

# ---- links ----
nip link add vlate0 type veth peer name vlate1
nip addr add fd01::1/64 dev vlate0
check "iface appearing later: starts" wait_log "^start late_ex " 20
check "iface glob (vl?te1): starts" wait_log "^start glc " 20
check "!iface: running service left alone when the interface appears (keep)" \
	eval 'state_is no_if running && ! log_has "^stop no_if "'
check "iface up: still waiting while down" waiting up
nip link set veth0 up
check "iface up: starts once the link is up" wait_log "^start up " 20
check "iface glob (veth*) up: starts" wait_log "^start gl " 20
check "iface carrier: waits while the peer is down" waiting carrier
"$IP" link set "$HOST_IF" up
check "iface carrier: starts once the peer is up" wait_log "^start carrier " 20
check "keelctl cond: the carrier condition is true" wait_until 10 eval '[ "$(cond_val "iface veth0 carrier")" = True ]'

# ---- addresses ----
# The kernel adds a link-local IPv6 address once the link has carrier: not
# global, so v6 must not start on it. Waiting until it is no longer tentative
# and then watching keel act on a later change (the IPv4 address) proves keel
# has seen it.
linklocal_ready() { nip -6 addr show dev veth0 scope link | grep -q fe80 && ! nip -6 addr show dev veth0 | grep -q tentative; }
wait_until 10 linklocal_ready || note "no link-local address on veth0 (IPv6 off?)"
check "iface ipv4: not started before the address" eval 'waiting v4 && not_started v4'
t_add=$(date +%s.%N)
nip addr add 10.77.0.1/24 dev veth0
check "iface ipv4: starts within 5 s of the address" wait_log "^start v4 " 5
t_start=$(log_time "start v4")
check "iface ipv4: started after the address was added ($t_add < $t_start)" \
	awk -v a="$t_add" -v b="$t_start" 'BEGIN { exit !(b + 0 > a + 0) }'
check "iface ipv6: a link-local address is not enough" eval 'waiting v6 && not_started v6'
check "iface ipv6: a tentative address is not enough" eval 'waiting v6t && not_started v6t'
nip addr add fd00::1/64 dev veth0 nodad
check "iface ipv6: starts with a global address" wait_log "^start v6 " 20

# ---- routes ----
nip route add default dev veth0 table 100
check "route default4: starts on a default route in another table" wait_log "^start r4 " 20
check "route default: starts on an IPv4 default route" wait_log "^start rany " 20
check "route default6: waits with only an IPv4 default route" eval 'waiting r6 && not_started r6'
nip -6 route add default dev veth0
check "route default6: starts on an IPv6 default route" wait_log "^start r6 " 20
wait_state r6 running 10
nip -6 route del default dev veth0
check "route default6 with restart: removing the route stops it" wait_log "^stop r6 " 20
check "route default6 with restart: waiting again" wait_state r6 waiting 20
check "route default (keep): still running" eval 'state_is rany running && ! log_has "^stop rany "'

# ---- address removed with condition-lost restart ----
wait_state v4 running 10
nip addr del 10.77.0.1/24 dev veth0
check "iface ipv4 with restart: removing the address stops it" wait_log "^stop v4 " 20
check "iface ipv4 with restart: waiting again" wait_state v4 waiting 20
check "keelctl cond: the ipv4 condition is false" wait_until 10 eval '[ "$(cond_val "iface veth0 ipv4")" = False ]'
nip addr add 10.77.0.2/24 dev veth0
check "iface ipv4 with restart: a new address starts it again" wait_until 20 eval '[ "$(starts v4)" -eq 2 ]'
check "iface ipv6 (keep): still running" eval 'state_is v6 running && ! log_has "^stop v6 "'

nip link set veth0 down
check "iface up with restart: link down stops it" wait_log "^stop up " 20
check "iface up with restart: waiting again" wait_state up waiting 20
nip link set veth0 up
check "iface up with restart: link up starts it again" wait_until 20 eval '[ "$(starts up)" -eq 2 ]'

# ---- a storm of address changes ----
# 10.88.255.1 stays on vlate0 for the whole storm, so stm0 starts once and
# stops only at the end, when it goes; vlate1 gets its address last.
{
	echo "addr add 10.88.255.1/32 dev vlate0"
	for i in $(seq 0 999); do
		a="10.88.$((i / 250)).$((i % 250 + 1))/32"
		echo "addr add $a dev vlate0"
		echo "addr del $a dev vlate0"
	done
	echo "addr add 10.89.0.1/32 dev vlate1"
	echo "addr del 10.88.255.1/32 dev vlate0"
} >"$OUT/storm.batch"
stops_before=$(grep -cE "^stop (up|v4|r4|carrier) " "$LOG")
check "storm: 2003 address changes applied" nip -batch "$OUT/storm.batch"
t0=$(now_ms)
ctl list >/dev/null
dt=$(($(now_ms) - t0))
check "storm: keelctl list answers within 2 s right after ($dt ms)" [ "$dt" -lt 2000 ]
check "storm: the last address (vlate1) starts its service" wait_log "^start stm1 " 20
check "storm: the address gone at the end stops the other" wait_state stm0 waiting 20
check "storm: final condition values right" \
	wait_until 10 eval '[ "$(cond_val "iface vlate0 ipv4")" = False ] && [ "$(cond_val "iface vlate1 ipv4")" = True ]'
n=$(starts stm0)
check "storm: a condition that held throughout did not flap ($n starts)" [ "$n" -le 1 ]
check "storm: untouched services still running" \
	eval 'state_is v6 running && state_is carrier running && state_is ex running'
check "storm: conditions it did not touch did not flap" \
	[ "$(grep -cE "^stop (up|v4|r4|carrier) " "$LOG")" = "$stops_before" ]

# The same with keel stopped (SIGSTOP from the parent namespace): its netlink
# socket overflows for certain, and keel must re-read the state, not lose it.
# This time vlate0 ends with an address and vlate1 without.
{
	for i in $(seq 0 999); do
		a="10.90.$((i / 250)).$((i % 250 + 1))/32"
		echo "addr add $a dev vlate0"
		echo "addr del $a dev vlate0"
	done
	echo "addr add 10.91.0.1/32 dev vlate0"
	echo "addr del 10.89.0.1/32 dev vlate1"
} >"$OUT/storm2.batch"
stm0_starts=$(starts stm0)
kill -STOP "$KEEL_PID1"
nip -batch "$OUT/storm2.batch"
rc=$?
kill -CONT "$KEEL_PID1"
check "overflow: 2002 changes while keel was stopped" [ "$rc" -eq 0 ]
t0=$(now_ms)
ctl list >/dev/null
dt=$(($(now_ms) - t0))
check "overflow: keelctl list answers within 2 s ($dt ms)" [ "$dt" -lt 2000 ]
check "overflow: the address added last starts its service again" \
	wait_until 20 eval '[ "$(starts stm0)" -gt "$stm0_starts" ] && state_is stm0 running'
check "overflow: final condition values right" \
	wait_until 10 eval '[ "$(cond_val "iface vlate0 ipv4")" = True ] && [ "$(cond_val "iface vlate1 ipv4")" = False ]'
check "overflow: the keep service stays" eval 'state_is stm1 running && ! log_has "^stop stm1 "'
check "overflow: conditions it did not touch did not flap" \
	[ "$(grep -cE "^stop (up|v4|r4|carrier) " "$LOG")" = "$stops_before" ]
check "storm: keel answers" keel_answers
check "!iface ipv4 of an address there all along: never started" not_started nb4

check "poweroff ends the namespace" keel_stop
finish
