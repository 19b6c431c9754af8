# test_control: the control socket under hostile clients — held connections, slow senders, readers that never read, the fd limit, read-only uids.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

sys_new control

svc alpha <<EOF
exec $BIN/daemon alpha
EOF
# Many services with long descriptions make `status` a long answer (about
# 300 KB, more than a socket's buffer); they wait for a flag that is never set, so nothing runs.
desc=$(printf 'a long description %.0s' $(seq 1 20))
for i in $(seq -w 1 600); do
	printf 'description %s %s\ncondition flag never\nexec /bin/true\n' "$i" "$desc" >"$SHARE/w$i"
	ln -s "$SHARE/w$i" "$SVC/w$i"
done

keel_start --socket-mode 0666 || { finish; exit 1; }
check "boot target reached" wait_for "target boot reached" 30

cat >"$BIN/hostile.py" <<'PY'
# hostile.py: keeps N bad clients against keel's control socket until a file appears.
import os, resource, select, socket, sys, time
path, case, n, release = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(2)
    try:
        s.connect(path)
    except OSError:
        s.close()
        return None
    s.setblocking(False)
    if case == "noread":
        s.send(b"status\n")
    return s

socks = [conn() for _ in range(n)]
open(release + ".ready", "w").close()
reconnects = 0
counts = []
while not os.path.exists(release):
    # poll, not select: 1000 fds go beyond select's FD_SETSIZE
    p = select.poll()
    byfd = {}
    for s in socks:
        if s:
            p.register(s, select.POLLIN)
            byfd[s.fileno()] = s
    r = [byfd[fd] for fd, _ in p.poll(1000 if case == "slow" else 200)]
    for s in r:
        # "held": dropped by keel, so open another one in its place
        try:
            data = s.recv(65536) if case != "noread" else b"x"
        except OSError:
            data = b""
        if not data:
            socks[socks.index(s)] = None
            s.close()
    for i, s in enumerate(socks):
        if s is None:
            socks[i] = conn()
            reconnects += 1
        elif case == "slow":
            try:
                s.send(b"s")  # one byte per second, never a whole request
            except OSError:
                pass
    counts.append(sum(1 for s in socks if s))
# the median turn, not the last one: on a loaded machine one snapshot can
# fall in the middle of a wave of reconnects
counts.sort()
print("held", counts[len(counts) // 2] if counts else 0, "reconnects", reconnects)
PY
hostile() { python3 "$BIN/hostile.py" "$SOCK" "$@"; }

# answered N: how many of N keelctl calls got their answer within 5 s each.
answered() {
	local ok=0 i
	for i in $(seq 1 "$1"); do
		timeout 5 "$KEELCTL" --socket "$SOCK" status alpha >/dev/null 2>&1 && ok=$((ok + 1))
	done
	echo "$ok"
}

# ---- 1000 held connections: the administrator always gets through ----
hostile hold 1000 "$OUT/rel1" >"$OUT/hold.txt" 2>&1 &
h=$!
wait_until 30 test -e "$OUT/rel1.ready"
n=$(answered 10)
check "1000 held connections: keelctl answered $n of 10" [ "$n" = 10 ]
touch "$OUT/rel1"
wait "$h"
check "... while most of the 1000 were held (median turn), opened again as keel dropped them ($(cat "$OUT/hold.txt"))" \
	grep -qE "^held ([5-9][0-9]{2}|1000) reconnects [0-9]{3,}" "$OUT/hold.txt"

# ---- 20 clients sending one byte per second ----
hostile slow 20 "$OUT/rel2" >"$OUT/slow.txt" 2>&1 &
h=$!
wait_until 30 test -e "$OUT/rel2.ready"
sleep 1.5
n=$(answered 10)
check "20 clients sending one byte a second: keelctl answered $n of 10" [ "$n" = 10 ]
touch "$OUT/rel2"
wait "$h"

# ---- 16 clients that ask for `status` and never read: bounded memory ----
rss() { awk '/^VmRSS/ {print $2}' "/proc/$KEEL_PID1/status"; }
ctl status >/dev/null
before=$(rss)
hostile noread 16 "$OUT/rel3" >"$OUT/noread.txt" 2>&1 &
h=$!
wait_until 30 test -e "$OUT/rel3.ready"
sleep 1
after=$(rss)
n=$(answered 5)
check "16 readers that never read a 300 KB answer: PID 1 grew by $((after - before)) KiB (under 1024)" \
	[ $((after - before)) -lt 1024 ]
check "... and keelctl is answered meanwhile ($n of 5)" [ "$n" = 5 ]
touch "$OUT/rel3"
wait "$h"
size=$(ctl status | wc -c)
check "status of 600 services, produced as the socket drains, is complete ($size bytes)" \
	eval '[ "$size" -gt 250000 ] && [ "$(ctl status --json | python3 -c "import json,sys; print(len(json.load(sys.stdin)[\"services\"]))")" = 601 ]'

# ---- the open-file limit: accepting pauses, no spinning ----
cpu() { awk '{print $14 + $15}' "/proc/$KEEL_PID1/stat"; }
nfd=$(ls "/proc/$KEEL_PID1/fd" | wc -l)
soft=$(prlimit --pid "$KEEL_PID1" --nofile --output SOFT --noheadings | tr -d ' ')
prlimit --pid "$KEEL_PID1" --nofile=$((nfd + 2)):
hostile hold 20 "$OUT/rel4" >"$OUT/emfile.txt" 2>&1 &
h=$!
wait_until 30 test -e "$OUT/rel4.ready"
sleep 0.5
c0=$(cpu)
sleep 2
c1=$(cpu)
check "at the open-file limit PID 1 does not spin ($((c1 - c0)) ticks in 2 s)" [ $((c1 - c0)) -lt 50 ]
check "the console says accepting is paused" console_has "control socket: .*not accepting for"
touch "$OUT/rel4"
wait "$h"
prlimit --pid "$KEEL_PID1" --nofile="$soft":
check "after the limit is raised, keelctl is answered" wait_until 10 keel_answers

# ---- read-only access for other uids (--socket-mode 0666) ----
check "the socket's mode is 0666" [ "$(stat -c %a "$SOCK")" = 666 ]
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
check "nobody: status is answered" eval 'nobody "$KEELCTL" --socket "$SOCK" status alpha >/dev/null'
check "nobody: cond and list are answered" \
	eval 'nobody "$KEELCTL" --socket "$SOCK" cond >/dev/null && nobody "$KEELCTL" --socket "$SOCK" list >/dev/null'
nobody "$KEELCTL" --socket "$SOCK" stop alpha >"$OUT/ro.txt" 2>&1
rc=$?
check "nobody: stop is refused, exit 1 ($rc: $(cat "$OUT/ro.txt"))" \
	eval '[ "$rc" = 1 ] && grep -q "permission denied: read-only" "$OUT/ro.txt" && state_is alpha running'
check "nobody: cond set is refused" eval '! nobody "$KEELCTL" --socket "$SOCK" cond set x 2>/dev/null'
nobody timeout 2 "$KEELCTL" --socket "$SOCK" events --json >"$OUT/ro-events.json" 2>&1
check "nobody: events are followed" grep -q '"kind":"subscribed"' "$OUT/ro-events.json"
# Per uid: a uid other than root holds at most 4 connections (here 4 that
# never read a long answer); the next one is told so, and keelctl reports
# keel's answer with exit 1 (not 111).
nobody /usr/bin/python3 "$BIN/hostile.py" "$SOCK" noread 4 "$OUT/rel5" >/dev/null 2>&1 &
h=$!
wait_until 30 test -e "$OUT/rel5.ready"
nobody "$KEELCTL" --socket "$SOCK" status alpha >"$OUT/peruid.txt" 2>&1
rc=$?
check "nobody's 5th connection: keel's ERR, exit 1 ($rc: $(cat "$OUT/peruid.txt"))" \
	eval '[ "$rc" = 1 ] && grep -q "too many clients" "$OUT/peruid.txt"'
check "... while root is answered" keel_answers
touch "$OUT/rel5"
wait "$h"

# ---- a reset after keel's answer is that answer, not "unreachable" ----
cat >"$BIN/resetter.py" <<'PY'
# resetter.py: answers ERR without reading the request and closes (a reset for the peer).
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(1)
open(sys.argv[1] + ".ready", "w").close()
c, _ = s.accept()
time.sleep(0.3)  # the request is in our buffer, unread: close() resets
c.send(b"ERR busy, try later\n")
c.close()
PY
python3 "$BIN/resetter.py" "$SYS/fake" &
f=$!
wait_until 10 test -e "$SYS/fake.ready"
"$KEELCTL" --socket "$SYS/fake" status >"$OUT/reset.txt" 2>&1
rc=$?
wait "$f"
check "a refusal with a reset: keel's ERR, exit 1 ($rc: $(cat "$OUT/reset.txt"))" \
	eval '[ "$rc" = 1 ] && grep -q "busy, try later" "$OUT/reset.txt"'

check "PID 1 still answers after all of it" eval 'ctl status alpha >/dev/null'
keel_stop
finish
