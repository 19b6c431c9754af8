# test_badfiles: a service file that cannot be loaded shows in status and list as skipped with its first error (file:line), through boot and reload; Pygos forms run.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

sys_new badfiles

svc good <<EOF
description a good service
exec $BIN/job good
EOF
# A syntax error on line 3, with a "did you mean".
svc typo <<EOF
description a typo
exec $BIN/job typo
descripton again
EOF
# A dangling link.
ln -s "$SHARE/nowhere" "$SVC/gone"
# Pygos: the brace line carries the block's first command, "\%" is a literal %.
svc pygos <<EOF
type wait
exec { $BIN/rec pygos-1 "\%s"
	$BIN/rec pygos-2 "100\%"
}
EOF

keel_start || { finish; exit 1; }
check "boot target reached" wait_for "target boot reached" 30
check "console: did you mean" \
	console_has "^keel: error: $SVC/typo:3: unknown keyword \"descripton\" \(did you mean \"description\"\?\)"
wait_log "^pygos-2 " 20
check "Pygos \"exec { cmd\": the brace line's command ran, then the block" \
	eval 'log_has "^pygos-1 %s " && log_has "^pygos-2 100% " && [ "$(log_line pygos-1)" -lt "$(log_line pygos-2)" ]'

check "status NAME of a bad file: skipped, not unknown" \
	eval 'ctl status typo >"$OUT/typo.txt"; [ $? -eq 1 ] && grep -qE "^typo +skipped" "$OUT/typo.txt"'
check "status --json: the bad file is skipped with its file:line error as reason" \
	eval '[ "$(svc_field typo state)" = skipped ] &&
	      [ "$(svc_field typo reason)" = "$SVC/typo:3: unknown keyword \"descripton\" (did you mean \"description\"?)" ]'
check "status --json: a dangling link is skipped, its reason names the target" \
	eval '[ "$(svc_field gone state)" = skipped ] && svc_field gone reason | grep -q "link target \"$SHARE/nowhere\" does not exist"'
check "list names the bad files" eval 'ctl list >"$OUT/list.txt" && grep -qx typo "$OUT/list.txt" && grep -qx gone "$OUT/list.txt" && grep -qx good "$OUT/list.txt"'
check "start of a bad file says why" \
	eval '! ctl start typo 2>"$OUT/start.txt" && grep -q "typo: skipped: bad file $SVC/typo:3: unknown keyword" "$OUT/start.txt"'
check "an unknown name is still unknown" eval '! ctl status nosuch 2>"$OUT/nosuch.txt" && grep -q "no such service" "$OUT/nosuch.txt"'

# Reload: the fixed file becomes a service, a newly broken one is skipped.
cat >"$SHARE/typo" <<EOF
description a typo fixed
exec $BIN/job typo
EOF
printf 'exec %s/job good\nafter\n' "$BIN" >"$SHARE/good2"
ln -s "$SHARE/good2" "$SVC/good2"
ctl reload >/dev/null
check "reload: the fixed file is a service now" wait_until 20 eval '[ "$(svc_field typo state)" = done ]'
check "reload: the newly bad file is skipped with its error" \
	eval '[ "$(svc_field good2 state)" = skipped ] && svc_field good2 reason | grep -q "^$SVC/good2:2: after: wrong number of arguments"'

# Many bad files: what PID 1 keeps is bounded (SVC_BAD_MAX records), and it answers.
for i in $(seq 1 100); do echo "bogus$i x" >"$SVC/junk$i"; done
ctl reload >/dev/null
n=$(ctl --json status | python3 -c 'import json,sys; print(sum(1 for s in json.load(sys.stdin)["services"] if s["state"] == "skipped"))')
check "100 bad files: at most 64 kept as records (got $n)" eval '[ "$n" -ge 60 ] && [ "$n" -le 64 ]'
check "keel still answers" keel_answers
check "poweroff ends the namespace" keel_stop
finish
