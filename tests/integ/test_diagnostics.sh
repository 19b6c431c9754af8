# test_diagnostics: bad files and dependency cycles are reported with file:line and the rest still boots; keel check agrees.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

sys_new diag

svc good <<EOF
description a good service
exec $BIN/job good
EOF
# Unknown keyword on line 3: the file is skipped, not the boot.
svc bad_kw <<EOF
description a bad keyword
exec $BIN/job bad_kw
frobnicate yes
EOF
# Two errors in one file: both are reported, not only the first.
svc bad_two <<EOF
type sometimes
exec $BIN/job bad_two
umask 999
EOF
# A cycle of three: one edge is dropped and reported, all three still run.
svc cy_a <<EOF
after cy_c
exec $BIN/job cy_a
EOF
svc cy_b <<EOF
after cy_a
exec $BIN/job cy_b
EOF
svc cy_c <<EOF
description cycle c

after cy_b
exec $BIN/job cy_c
EOF
# A link whose target is gone.
ln -s "$SHARE/nowhere" "$SVC/dangling"

keel_start || { finish; exit 1; }
check "boot target reached despite the errors" wait_for "target boot reached" 30
check "console: unknown keyword with file:line" \
	console_has "^keel: error: $SVC/bad_kw:3: unknown keyword \"frobnicate\""
check "console: every error of a file, each with its line" \
	eval 'console_has "^keel: error: $SVC/bad_two:1: type" && console_has "^keel: error: $SVC/bad_two:3: umask"'
check "console: the cycle with the file:line of the dropped edge" \
	console_has "^keel: error: $SVC/cy_b:1: dependency cycle: cy_a -> cy_c -> cy_b -> cy_a; ignoring \"cy_b after cy_a\"$"
check "console: a dangling link names its target" \
	console_has "^keel: error: $SVC/dangling: link target \"$SHARE/nowhere\" does not exist"

wait_log "^end cy_c " 20
check "the good service ran" log_has "^end good "
check "every service of the cycle ran" eval 'log_has "^end cy_a " && log_has "^end cy_b " && log_has "^end cy_c "'
check "bad files are not started" eval '! log_has "^start bad_kw " && ! log_has "^start bad_two "'

ctl status >"$OUT/status.txt"
check "status lists the problems under the table" \
	eval 'grep -q "^problems in the service files:" "$OUT/status.txt" &&
	      grep -q "^keel: error: $SVC/bad_kw:3: unknown keyword" "$OUT/status.txt" &&
	      grep -q "^keel: error: $SVC/cy_.:[0-9]*: dependency cycle" "$OUT/status.txt"'
check "status --json carries the diagnostics with location" \
	eval '[ "$(json_get "[x[\"location\"] for x in d[\"diagnostics\"] if \"unknown keyword\" in x[\"message\"]]")" = "['"'"'$SVC/bad_kw:3'"'"']" ]'
check "status --json: diagnostics have level error" \
	eval '[ "$(json_get "sorted(set(x[\"level\"] for x in d[\"diagnostics\"]))")" = "['"'"'error'"'"']" ]'

check "poweroff ends the namespace" keel_stop

# keel check: the same words, exit 1 on errors; 0 and the start order when good.
"$KEEL" check "$SVC" >"$OUT/check_bad.txt" 2>&1
rc=$?
check "keel check on a bad dir exits 1 ($rc)" [ "$rc" -eq 1 ]
check "keel check prints the errors with file:line" \
	eval 'grep -q "^keel: error: $SVC/bad_kw:3: unknown keyword" "$OUT/check_bad.txt" &&
	      grep -q "^keel: error: $SVC/bad_two:3: umask" "$OUT/check_bad.txt" &&
	      grep -q "^keel: error: $SVC/cy_.:[0-9]*: dependency cycle" "$OUT/check_bad.txt"'

rm "$SVC/bad_kw" "$SVC/bad_two" "$SVC/dangling" "$SVC/cy_a" "$SVC/cy_b" "$SVC/cy_c"
svc zfirst <<EOF
type wait
before good
exec $BIN/job zfirst
EOF
svc alast <<EOF
after good
exec $BIN/job alast
EOF
"$KEEL" check "$SVC" >"$OUT/check_good.txt" 2>&1
rc=$?
check "keel check on a good dir exits 0 ($rc)" [ "$rc" -eq 0 ]
check "keel check prints the start order" \
	eval 'grep -q "^target boot (3 services, start order):" "$OUT/check_good.txt" &&
	      [ "$(grep "^  [0-9]\." "$OUT/check_good.txt" | tr -s " " | cut -d" " -f3 | tr "\n" " ")" = "zfirst good alast " ]'
check "keel check reports no errors" grep -q "^3 services, 0 errors" "$OUT/check_good.txt"
finish
