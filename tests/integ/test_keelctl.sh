# test_keelctl: every keelctl verb against a live keel, exit codes, reload as a reconcile, and a hostile control socket.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

sys_new ctl

for n in alpha beta keep changeme removeme; do
	svc "$n" <<EOF
description daemon $n
exec $BIN/daemon $n
EOF
done
svc gamma <<EOF
type wait
exec $BIN/job gamma
EOF
svc delta <<EOF
exec $BIN/job delta 0 1
EOF
# In the share dir only: for enable.
cat >"$SHARE/extra" <<EOF
exec $BIN/daemon extra
EOF
cat >"$SHARE/getty" <<EOF
description getty %0
exec $BIN/daemon getty-%0
EOF

keel_start || { finish; exit 1; }
check "boot target reached" wait_for "target boot reached" 30
wait_state delta failed 20
wait_state gamma done 20

# ---- status, table and JSON ----
ctl status >"$OUT/status.txt"
rc=$?
check "status exits 0 ($rc)" [ "$rc" -eq 0 ]
check "status: the table header" \
	eval '[ "$(head -n 1 "$OUT/status.txt" | tr -s " ")" = "NAME STATE PID UPTIME RESTARTS LAST-EXIT DESCRIPTION" ]'
check "status: a row per service with state and description" \
	eval 'grep -qE "^alpha +running +[0-9]+ +[0-9.]+s +0 +- +daemon alpha$" "$OUT/status.txt" &&
	      grep -qE "^gamma +done +- +- +0 +exit 0 " "$OUT/status.txt" &&
	      grep -qE "^delta +failed +- +- +0 +exit 1 " "$OUT/status.txt"'
check "status --json parses, every service in it" \
	eval '[ "$(json_get "sorted(s[\"name\"] for s in d[\"services\"])")" = "['"'alpha', 'beta', 'changeme', 'delta', 'gamma', 'keep', 'removeme'"']" ]'
check "status --json: fields of a running service" \
	eval '[ "$(json_get "(svc(\"alpha\")[\"state\"], svc(\"alpha\")[\"pid\"] > 1, svc(\"alpha\")[\"type\"], svc(\"alpha\")[\"target\"], svc(\"alpha\")[\"description\"])")" = "('"'running', True, 'once', 'boot', 'daemon alpha'"')" ]'

status_rc() { ctl status "$1" >/dev/null 2>&1; echo $?; }
check "status NAME: running exits 0" [ "$(status_rc alpha)" = 0 ]
check "status NAME: done exits 0" [ "$(status_rc gamma)" = 0 ]
check "status NAME: failed exits 1" [ "$(status_rc delta)" = 1 ]
check "status NAME: no such service exits 1" [ "$(status_rc nosuch)" = 1 ]

# ---- list ----
check "list: one name per line" \
	eval '[ "$(ctl list | tr "\n" " ")" = "alpha beta changeme delta gamma keep removeme " ]'
check "list --json: an array of names" \
	eval '[ "$(ctl --json list | python3 -c "import json,sys; print(json.load(sys.stdin))")" = "['"'alpha', 'beta', 'changeme', 'delta', 'gamma', 'keep', 'removeme'"']" ]'

# ---- stop, start, restart ----
check "stop: exits 0" eval 'ctl stop beta >/dev/null'
check "stop: the service got its stop signal" wait_log "^stop beta " 20
check "stop: state stopped" wait_state beta stopped 20
check "status NAME: stopped exits 3" [ "$(status_rc beta)" = 3 ]
check "start: exits 0" eval 'ctl start beta >/dev/null'
check "start: runs again" wait_until 20 eval '[ "$(log_count "start beta")" -eq 2 ] && state_is beta running'
pid_before=$(svc_field alpha pid)
check "restart: exits 0" eval 'ctl restart alpha >/dev/null'
check "restart: stopped, then started again" wait_until 20 eval '[ "$(log_count "start alpha")" -eq 2 ]'
check "restart: the pid changed" eval 'state_is alpha running && [ "$(svc_field alpha pid)" != "$pid_before" ]'
check "start of an unknown service exits 1" eval '! ctl start nosuch 2>/dev/null'

# ---- reload: add, remove, change; untouched keeps its process ----
keep_pid=$(svc_field keep pid)
change_pid=$(svc_field changeme pid)
svc added <<EOF
exec $BIN/daemon added
EOF
rm "$SVC/removeme"
cat >"$SHARE/changeme" <<EOF
description daemon changeme, changed
exec $BIN/daemon changeme
EOF
ctl reload >"$OUT/reload.txt" 2>&1
rc=$?
check "reload exits 0 ($rc)" [ "$rc" -eq 0 ]
check "reload answers with a summary" grep -q "1 added, 1 changed, 1 removed" "$OUT/reload.txt"
check "reload: a new file starts" eval 'wait_log "^start added " 20 && wait_state added running 20'
check "reload: a removed file's service is stopped" wait_log "^stop removeme " 20
check "reload: a removed service leaves the list" wait_until 20 eval '! ctl list | grep -qx removeme'
check "reload: a changed file's service restarts" \
	eval 'wait_log "^stop changeme " 20 && wait_until 20 eval "[ \"\$(log_count \"start changeme\")\" -eq 2 ]"'
check "reload: the changed definition is in use" \
	eval 'wait_state changeme running 20 && [ "$(svc_field changeme description)" = "daemon changeme, changed" ] &&
	      [ "$(svc_field changeme pid)" != "$change_pid" ]'
check "reload: an untouched service keeps its process" \
	eval '[ "$(svc_field keep pid)" = "$keep_pid" ] && [ "$(log_count "start keep")" -eq 1 ] && ! log_has "^stop keep "'

# ---- enable, disable ----
check "enable: exits 0" eval 'ctl enable extra >/dev/null'
check "enable: a link in the service dir into the share dir" \
	eval '[ -L "$SVC/extra" ] && [ "$(readlink "$SVC/extra")" = "$SHARE/extra" ]'
check "enable NAME@ARG: links the instance to the template" \
	eval 'ctl enable getty@tty5 >/dev/null && [ "$(readlink "$SVC/getty@tty5")" = "$SHARE/getty" ]'
check "enable of a name not in the share dir exits 1" \
	eval '! ctl enable nosuch >/dev/null 2>&1 && [ ! -e "$SVC/nosuch" ] && [ ! -L "$SVC/nosuch" ]'
check "disable: the link is gone" eval 'ctl disable extra >/dev/null && [ ! -L "$SVC/extra" ]'
check "disable of a name not enabled exits 1" eval '! ctl disable extra 2>/dev/null'
check "a reload after enable starts the instance with its %0" \
	eval 'ctl reload >/dev/null && wait_log "^start getty-tty5 " 20'

# ---- usage errors and exit codes ----
"$KEELCTL" --socket "$SOCK" >/dev/null 2>&1
check "no command: usage, exit 2" [ $? -eq 2 ]
"$KEELCTL" --socket "$SOCK" status a b >/dev/null 2>&1
check "too many words: usage, exit 2" [ $? -eq 2 ]
"$KEELCTL" --bogus status >/dev/null 2>&1
check "unknown option: usage, exit 2" [ $? -eq 2 ]
ctl frobnicate >/dev/null 2>&1
check "unknown verb: keel refuses, exit 1" [ $? -eq 1 ]
"$KEELCTL" --socket "$SYS/nosock" status >/dev/null 2>"$OUT/unreachable.txt"
rc=$?
grep -q LeakSanitizer "$OUT/unreachable.txt" && note "keelctl leaked on its error path: $(grep -m1 -A4 'Direct leak' "$OUT/unreachable.txt" | tr '\n' ' ')"
check "no keel on the socket: exit 111 ($rc)" [ "$rc" -eq 111 ]

# ---- a hostile control socket ----
cat >"$BIN/raw.py" <<'EOF'
# raw.py: speaks to keel's control socket without keelctl, to send what keelctl never would.
import socket, sys, time
path, case = sys.argv[1], sys.argv[2]

def conn():
    # a full listen backlog refuses at once: retry until keel accepted some
    deadline = time.monotonic() + 20
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(20)
        try:
            s.connect(path)
            return s
        except BlockingIOError:
            s.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)

def reply(s):
    # everything until keel closes; a reset counts as dropped
    data = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
    except (ConnectionResetError, socket.timeout) as e:
        data += b"<" + type(e).__name__.encode() + b">"
    return data.decode(errors="replace")

def send(payload, pieces=1):
    s = conn()
    try:
        step = max(1, len(payload) // pieces)
        for i in range(0, len(payload), step):
            s.sendall(payload[i:i + step])
            if pieces > 1:
                time.sleep(0.05)
    except (BrokenPipeError, ConnectionResetError):
        pass
    print(reply(s).replace("\n", "|"))

if case == "garbage":
    send(b"hello world\n")
elif case == "long":
    send(b"x" * 100000 + b"\n")
elif case == "binary":
    send(bytes(range(256)) * 400)
elif case == "nul":
    send(b"status\0alpha\n")
elif case == "control":
    send(b"status \x01\x02\n")
elif case == "empty":
    send(b"\n")
elif case == "args":
    send(b"a b c d e f g h i j k\n")
elif case == "pieces":
    send(b"status alpha\n", pieces=6)
elif case == "noread":
    s = conn()
    s.sendall(b"status\n")
    s.close()
    print("closed")
elif case == "halfline":
    s = conn()
    s.sendall(b"status")
    s.close()
    print("closed")
elif case == "many":
    # More silent connections than keel serves at once: 16 are held, the
    # other 24 are closed (a newcomer takes the slot of a silent one, or is
    # told "ERR too many clients" while every silent one is younger than
    # 200 ms). Held ones stay open until we close them.
    import select
    socks = []
    for i in range(40):
        socks.append(conn())
    time.sleep(0.5)
    r, _, _ = select.select(socks, [], [], 0)
    print("closed", len(r))
    sys.stdout.flush()
    # hold the 16 open until told to go
    while True:
        try:
            open(sys.argv[3]).close()
            break
        except OSError:
            time.sleep(0.05)
    for s in socks:
        s.close()
elif case == "silent":
    s = conn()
    t = time.monotonic()
    r = reply(s)
    print("closed after %.1f s: %r" % (time.monotonic() - t, r))
EOF
raw() { timeout 60 python3 "$BIN/raw.py" "$SOCK" "$@" 2>&1; }

r=$(raw garbage)
check "garbage line: ERR unknown request ($r)" eval 'case $r in "ERR unknown request"*) true;; *) false;; esac'
r=$(raw long)
check "100 KB line: ERR request too long, or dropped ($r)" \
	eval 'case $r in "ERR request too long"*|""|"<ConnectionResetError>") true;; *) false;; esac'
r=$(raw binary)
check "100 KB of binary without newline: error or dropped ($r)" \
	eval 'case $r in ERR*|""|"<ConnectionResetError>") true;; *) false;; esac'
r=$(raw nul)
check "NUL byte: ERR ($r)" eval 'case $r in "ERR NUL byte"*) true;; *) false;; esac'
r=$(raw control)
check "control characters: ERR ($r)" eval 'case $r in "ERR control characters"*) true;; *) false;; esac'
r=$(raw empty)
check "empty line: ERR ($r)" eval 'case $r in "ERR empty request"*) true;; *) false;; esac'
r=$(raw args)
check "too many words: ERR ($r)" eval 'case $r in "ERR too many arguments"*) true;; *) false;; esac'
r=$(raw pieces)
check "a request sent in pieces is answered" eval 'case $r in "svc	alpha	running"*"|OK|") true;; *) false;; esac'
# Other uids get read-only access where the socket's mode lets them in
# (test_control.sh tests keel's --socket-mode): here the mode is opened by hand.
chmod 0666 "$SOCK"
chmod 0755 "$(dirname "$SOCK")"
r=$(setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 "$BIN/raw.py" "$SOCK" garbage 2>&1)
check "a client that is not root, a request that is not read-only: ERR permission denied ($r)" \
	eval 'case $r in "ERR permission denied"*) true;; *) false;; esac'
raw noread >/dev/null
raw halfline >/dev/null
check "keel answers after a client that never read its answer" keel_answers

raw many "$OUT/release" >"$OUT/many.txt" &
many=$!
wait_until 30 test -s "$OUT/many.txt"
check "40 silent connections at once: 16 are held, 24 closed ($(cat "$OUT/many.txt"))" \
	grep -qx "closed 24" "$OUT/many.txt"
# The administrator gets through: a complete request takes a silent one's slot.
ctl list >/dev/null 2>"$OUT/full.txt"
rc=$?
check "while 16 silent clients are held, keelctl is answered ($rc: $(head -n 1 "$OUT/full.txt"))" [ "$rc" -eq 0 ]
touch "$OUT/release"
wait "$many"
check "after they closed, keel answers again" wait_until 20 keel_answers

raw silent >"$OUT/silent.txt" &
silent=$!
check "a silent client does not block others" eval 'ctl status >/dev/null && ctl status alpha >/dev/null'
wait "$silent"
check "a silent client is dropped after its idle limit ($(cat "$OUT/silent.txt"))" grep -q "^closed after" "$OUT/silent.txt"
check "keel still answers after all of it" eval 'ctl status >/dev/null && [ "$(svc_field alpha state)" = running ]'

# ---- power verbs: each ends the namespace with its word ----
# reboot(2) in a PID namespace ends its init with SIGHUP (restart) or
# SIGINT (power off, halt); unshare passes that on as 128 + the signal.
check "poweroff: keel answers OK" eval '[ "$(ctl poweroff)" = poweroff ]'
check "poweroff: the namespace ends" keel_wait_end
check "poweroff: console says powering off" console_has "^keel: powering off$"
check "poweroff: the shutdown sequence in order" eval \
	'[ "$(grep -oE "stopping services|running target shutdown|killing remaining processes|unmounting file systems|powering off" "$CONSOLE" | tr "\n" ",")" = "stopping services,running target shutdown,killing remaining processes,unmounting file systems,powering off," ]'
check "poweroff: reboot(2) asked for power off (SIGINT, status $KEEL_RC)" [ "$KEEL_RC" = 130 ]

for verb in reboot halt; do
	sys_new "$verb"
	svc d <<EOF
exec $BIN/daemon d
EOF
	keel_start || continue
	wait_log "^start d " 20
	word=$([ $verb = reboot ] && echo rebooting || echo halting)
	sig=$([ $verb = reboot ] && echo 129 || echo 130)
	check "$verb: keel answers OK" eval '[ "$(ctl $verb)" = $verb ]'
	check "$verb: the namespace ends" keel_wait_end
	check "$verb: console says $word" console_has "^keel: $word$"
	check "$verb: its service was stopped" log_has "^stop d "
	check "$verb: reboot(2) got the right command (status $KEEL_RC)" [ "$KEEL_RC" = "$sig" ]
done
finish
