# test_respawn: respawn restarts a dying service, gives up at its limit, and backs off instead of spinning.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

sys_new respawn

# Both spellings of a limit: on the type line and on a respawn line.
svc lim_type <<EOF
type respawn limit 3
exec $BIN/job lim_type 0 1
EOF
svc lim_line <<EOF
type respawn
respawn limit 3
exec $BIN/job lim_line 0 1
EOF
# No limit: only the default backoff (100 ms, doubling) slows it down.
svc spin <<EOF
type respawn
exec $BIN/job spin 0 1
EOF
# A respawn service that stays up is not restarted.
svc steady <<EOF
type respawn
exec $BIN/daemon steady
EOF

keel_start || { finish; exit 1; }

for n in lim_type lim_line; do
	check "$n: gives up after the limit (state failed)" wait_state "$n" failed 30
	check "$n: 3 restarts counted" [ "$(svc_field "$n" restarts)" = 3 ]
	check "$n: ran 4 times (first start + 3 restarts)" [ "$(log_count "start $n")" -eq 4 ]
	check "$n: last exit shown" [ "$(svc_field "$n" last_exit)" = "exit 1" ]
	check "$n: [FAIL] with the reason on the console" console_has "\[FAIL\] $n: respawned 3 times, giving up"
done

# Backoff: 100, 200, 400, 800, 1600 ms... The gaps are lower bounds (the next
# start cannot come before its delay), so load can only make them longer.
check "spin: a crash loop is announced with its delay" wait_for "spin: crashing, next restart in [0-9]+s" 30
t=$(grep '^start spin ' "$LOG" | awk '{print $NF}' | head -n 5)
n=$(echo "$t" | wc -l)
# The message comes with the fifth exit, when the delay reaches 1.6 s.
check "spin: 5 starts before the delay reaches 1 s ($n)" [ "$n" -ge 5 ]
gaps_ok=$(echo "$t" | awk 'NR > 1 { gap = ($1 - prev) * 1000; want = 100 * 2 ^ (NR - 2);
	if (gap < want * 0.95) { print "gap " NR-1 " was " gap " ms, want >= " want; bad = 1 } }
	{ prev = $1 } END { if (!bad) print "ok" }')
[ "$gaps_ok" = ok ] || note "$gaps_ok"
check "spin: each delay doubles (100, 200, 400, 800 ms)" [ "$gaps_ok" = ok ]
# The sixth start comes about 3 s after the first: a spinning service would
# have started thousands of times by then, the backoff allows 6.
check "spin: sixth start after the 1.6 s delay" wait_until 20 eval '[ "$(log_count "start spin")" -ge 6 ]'
total=$(log_count "start spin")
check "spin: not spinning (started $total times in about 3 s)" [ "$total" -le 7 ]
st=$(svc_field spin state)
check "spin: still supervised (backoff or running, got $st)" \
	eval '[ "$st" = backoff ] || [ "$st" = running ] || [ "$st" = starting ]'

check "steady: a healthy respawn service runs once" \
	eval 'state_is steady running && [ "$(log_count "start steady")" -eq 1 ]'

# A manual start gives a service that gave up a new chance.
before=$(log_count "start lim_type")
ctl start lim_type >/dev/null
check "start after giving up runs it again" wait_until 20 eval '[ "$(log_count "start lim_type")" -gt "$before" ]'

check "poweroff ends the namespace" keel_stop
check "steady was stopped at shutdown, not respawned" eval '[ "$(log_count "start steady")" -eq 1 ] && log_has "^stop steady "'
finish
