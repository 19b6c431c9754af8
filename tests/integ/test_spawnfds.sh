# test_spawnfds: a burst of starts that share PID 1's fd table until each child copies its own few fds: every service gets its own pipes and nothing else, and PID 1's table is grown before the burst.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

LOGREAD=$KEEL_BUILD/logread
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)

sys_new spawnfds
FL=$BIN/fdlist
if ! cc -O2 -Wall -o "$FL" "$KEEL_SRC/tests/integ/fdlist.c" 2>"$OUT/cc.txt"; then
	not_ok "fdlist builds" "$(head -n 5 "$OUT/cc.txt")"
	finish
	exit 1
fi

# 240 independent services, started in one burst with 8 in flight at a
# time: a quarter with `log null` (their listing goes to a file), a quarter
# with a ready fd, the rest with both streams in the ring. Each has 4 fds in
# PID 1 (2 pipes), so the table passes 1000 while children share it.
N=240
for ((i = 0; i < N; i++)); do
	name=$(printf 's%03d' "$i")
	case $((i % 4)) in
	0) printf 'log null\nexec %s %s %s\n' "$FL" "$name" "$OUT/$name.fds" ;;
	1) printf 'ready fd 3\nenv READY=1\nexec %s %s\n' "$FL" "$name" ;;
	*) printf 'exec %s %s\n' "$FL" "$name" ;;
	esac | svc "$name"
done

cat >"$T/fds.py" <<'EOF2'
# fds.py: checks the ring and the listings of test_spawnfds; prints what is wrong, or OK.
import json, os, sys
ring, outdir, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
R = [json.loads(l) for l in open(ring, "rb") if l.strip()]
bad = []
seen = {}
for r in R:
    if not r.get("source", "").startswith("std"):
        continue
    words = r["message"].split()
    if not words or words[0] != r["tag"]:
        bad.append("record of %s says %r" % (r["tag"], r["message"]))
        continue
    kind = words[1] if len(words) > 1 else ""
    want = {"out": "stdout", "err": "stderr", "fds:": "stdout"}.get(kind)
    if want != r["source"]:
        bad.append("%s: %r came on %s" % (r["tag"], r["message"], r["source"]))
    seen.setdefault(r["tag"], []).append(kind)
    if kind == "fds:":
        fds = words[2:]
        expect = ["3"] if int(r["tag"][1:]) % 4 == 1 else []
        if fds != expect:
            bad.append("%s started with fds %s beyond stdio (expected %s)" % (r["tag"], fds, expect))
for i in range(n):
    name = "s%03d" % i
    if i % 4 == 0:
        try:
            fds = open(os.path.join(outdir, name + ".fds")).read().split()[2:]
        except OSError as e:
            bad.append("%s: no listing (%s)" % (name, e))
            continue
        if fds:
            bad.append("%s (log null) started with fds %s beyond stdio" % (name, fds))
        if name in seen:
            bad.append("%s has `log null` but its lines are in the ring" % name)
    elif sorted(seen.get(name, [])) != ["err", "fds:", "out"]:
        bad.append("%s: lines in the ring %s" % (name, seen.get(name)))
print("OK" if not bad else "\n".join(bad[:10]) + ("\n... %d in all" % len(bad) if len(bad) > 10 else ""))
EOF2

# burst LABEL: boots keel ($KEEL) with the N services and checks what each got.
burst() {
	local l=$1
	rm -f "$OUT"/s*.fds
	keel_start --log-socket "$SYS/log.sock" || return 1
	check "$l: boot target reached" wait_for "target boot reached" 60
	fdsize=$(awk '/^FDSize:/ {print $2}' "/proc/$KEEL_PID1/status")
	note "$l: FDSize of PID 1: $fdsize"
	# Every ring service said its 3 lines; wait for the last of them.
	ring_lines() { timeout 20 "$LOGREAD" --socket "$SYS/log.sock" --json >"$OUT/ring.json" 2>"$OUT/ring.err" &&
		[ "$(grep -c '"source":"std' "$OUT/ring.json")" -ge $((N / 4 * 3 * 3)) ]; }
	check "$l: every logged service's lines are in the ring" wait_until 30 ring_lines
	res=$("$PY" "$T/fds.py" "$OUT/ring.json" "$OUT" "$N" 2>&1)
	[ "$res" = OK ] || note "$res"
	check "$l: each service's lines carry its own name and stream, and it started with only its own fds" [ "$res" = OK ]
	ndone=$(ctl status 2>/dev/null | grep -c ' done')
	check "$l: all $N services exited 0 ($ndone done)" [ "$ndone" -eq "$N" ]
}

KEEL_CMDLINE="keel.log.size=1M"
# A kernel without close_range (before 5.9), simulated with seccomp: every
# child copies PID 1's table, and closes what is not its own by the list in
# /proc/self/fd.
cc -O2 -Wall -o "$SYS/enosys" "$KEEL_SRC/tests/integ/enosys.c" 2>"$OUT/cc.txt" ||
	not_ok "enosys builds" "$(head -n 5 "$OUT/cc.txt")"
printf '#!/bin/sh\nexec %s close_range %s "$@"\n' "$SYS/enosys" "$KEEL" >"$SYS/keel-old"
chmod 755 "$SYS/keel-old"
REAL_KEEL=$KEEL
KEEL=$SYS/keel-old
burst "no close_range" && check "no close_range: poweroff ends the namespace" keel_stop
KEEL=$REAL_KEEL

burst "Linux 5.9+" || { finish; exit 1; }
check "PID 1's fd table was grown for the services before they started ($fdsize >= $((6 * N + 64)))" \
	[ "${fdsize:-0}" -ge $((6 * N + 64)) ]

# Twice more, by hand, while the slots are reused: the pipes kept from the
# first start are handed on again.
ctl restart s002 >/dev/null 2>&1 && ctl restart s003 >/dev/null 2>&1
check "a restarted service writes to the same pipes" wait_until 20 eval \
	'[ "$(timeout 20 "$LOGREAD" --socket "$SYS/log.sock" -s s002 | grep -c "s002 out")" -ge 2 ]'
check "keel answers" keel_answers
check "poweroff ends the namespace" keel_stop
finish
