# test_order: start order honours after, before, generic instance names and provides.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

sys_new order

# A chain in an order that is neither alphabetical nor its reverse, so a
# plain name sort cannot pass by luck. Links alternate between "after" in
# the later service and "before" in the earlier one. Type wait: each starts
# only after the previous one exited, so the log order is the start order.
chain="n07 n03 n10 n01 n05 n09 n02 n08 n04 n06"
prev=
i=0
for n in $chain; do
	deps=
	if [ -n "$prev" ] && [ $((i % 2)) -eq 1 ]; then
		deps="after $prev"
	fi
	next=$(echo "$chain" | tr ' ' '\n' | sed -n "$((i + 2))p")
	if [ -n "$next" ] && [ $((i % 2)) -eq 1 ]; then
		deps="$deps
before $next"
	fi
	svc "$n" <<EOF
description chain $n
type wait
$deps
exec $BIN/job $n
EOF
	prev=$n
	i=$((i + 1))
done

# A diamond: top, then left and right together, then bottom after both.
# left takes longer, so bottom must really wait for the slower branch.
svc d_top <<EOF
type wait
exec $BIN/job d_top
EOF
svc d_left <<EOF
type wait
after d_top
exec $BIN/job d_left 0.5
EOF
svc d_right <<EOF
type wait
after d_top
exec $BIN/job d_right
EOF
svc a_bottom <<EOF
type wait
after d_left d_right
exec $BIN/job a_bottom
EOF

# Generic names: "after getty" waits for every getty@X instance; the
# instances are links to one file that uses %0.
svc getty getty@tty1 getty@tty2 getty@tty3 <<EOF
description getty on %0
type wait
exec $BIN/job getty-%0 0.3
EOF
svc login <<EOF
type wait
after getty
exec $BIN/job login
EOF

# provides: "after network" means the service providing it.
svc netd <<EOF
type wait
provides network
exec $BIN/job netd 0.3
EOF
svc aweb <<EOF
type wait
after network
exec $BIN/job aweb
EOF

# before: a service may put itself ahead of another.
svc zearly <<EOF
type wait
before aweb login
exec $BIN/job zearly
EOF

# Type once: the order is the fork order, which the debug console shows as
# the first "NAME: waiting -> ..." line of each.
svc o3 <<EOF
after o2
exec $BIN/job o3
EOF
svc o2 <<EOF
after o1
exec $BIN/job o2
EOF
svc o1 <<EOF
exec $BIN/job o1
EOF

keel_start --debug || { finish; exit 1; }
check "boot target reached" wait_for "target boot reached" 30

prev=
ordered=0
for n in $chain; do
	[ -z "$prev" ] || log_before "end $prev" "start $n" || { ordered=1; note "$n started before $prev ended"; }
	prev=$n
done
check "generated chain (after and before) starts in order" [ "$ordered" -eq 0 ]

check "diamond: both branches start after the top" \
	eval 'log_before "end d_top" "start d_left" && log_before "end d_top" "start d_right"'
check "diamond: bottom starts after both branches ended" \
	eval 'log_before "end d_left" "start a_bottom" && log_before "end d_right" "start a_bottom"'

gettys_first=0
for t in tty1 tty2 tty3; do
	log_before "end getty-$t" "start login" || gettys_first=1
done
check "after getty waits for every getty@ instance (%0 expanded)" [ "$gettys_first" -eq 0 ]
check "after a provided name waits for its provider" log_before "end netd" "start aweb"
check "before puts a service ahead of the named ones" \
	eval 'log_before "end zearly" "start aweb" && log_before "end zearly" "start login"'

fork_order() {
	local a b
	a=$(grep -n "^keel: $1: waiting -> " "$CONSOLE" | head -n 1 | cut -d: -f1)
	b=$(grep -n "^keel: $2: waiting -> " "$CONSOLE" | head -n 1 | cut -d: -f1)
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]
}
check "once services are forked in dependency order" eval 'fork_order o1 o2 && fork_order o2 o3'

nstart=$(grep -c '^start ' "$LOG")
check "every service ran exactly once (24 starts, got $nstart)" [ "$nstart" -eq 24 ]

check "poweroff ends the namespace" keel_stop poweroff
finish
