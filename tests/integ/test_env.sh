# test_env: env, user, group, cwd, umask and rlimit lines reach the service's process; defaults are sane.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

sys_new env

# make_report: $BIN/report NAME writes what the process sees into $OUT/NAME.*
make_report() {
	cat >"$BIN/report" <<EOF
#!/bin/sh
# report: writes the process's environment, ids, directory, umask and limits
env | sort >"$OUT/\$1.env"
id -u >"$OUT/\$1.uid"
id -g >"$OUT/\$1.gid"
id -G >"$OUT/\$1.groups"
pwd >"$OUT/\$1.cwd"
umask >"$OUT/\$1.umask"
ulimit -n >"$OUT/\$1.nofile"
ulimit -Hn >"$OUT/\$1.nofile_hard"
touch "$OUT/\$1.done"
EOF
	chmod 755 "$BIN/report"
}
make_report
mkdir -p "$OUT/wd"
chmod 755 "$OUT/wd"

svc custom <<EOF
user nobody
group nogroup
env GREETING="hello world"
env PATH=/bin:/usr/bin
env HOME=/nonexistent
cwd $OUT/wd
umask 027
rlimit nofile 123 456
exec $BIN/report custom
EOF
svc numeric <<EOF
user 65534
exec $BIN/report numeric
EOF
svc plain <<EOF
exec $BIN/report plain
EOF
svc bad_user <<EOF
user no_such_user_here
exec $BIN/report bad_user
EOF

# The model's initd.env beside the service dir: every service's base
# environment; a bad line is reported with file:line and skipped.
cat >"$SVC/../initd.env" <<EOF
# initd.env
FROM_ENVFILE="set by initd.env"
not a variable
EOF

keel_start || { finish; exit 1; }
check "boot target reached" wait_for "target boot reached" 30
wait_until 20 eval '[ -e "$OUT/custom.done" ] && [ -e "$OUT/numeric.done" ] && [ -e "$OUT/plain.done" ]'

field() { cat "$OUT/$1" 2>/dev/null; }
check "user nobody: uid 65534" [ "$(field custom.uid)" = 65534 ]
check "group nogroup: gid 65534" [ "$(field custom.gid)" = 65534 ]
check "no supplementary group of root is kept" not grep -qw 0 "$OUT/custom.groups"
check "env with a quoted value" grep -qx "GREETING=hello world" "$OUT/custom.env"
check "env overrides keel's PATH and HOME" \
	eval 'grep -qx "PATH=/bin:/usr/bin" "$OUT/custom.env" && grep -qx "HOME=/nonexistent" "$OUT/custom.env"'
check "cwd" [ "$(field custom.cwd)" = "$OUT/wd" ]
check "umask 027" [ "$(field custom.umask)" = 0027 ]
check "rlimit nofile soft 123" [ "$(field custom.nofile)" = 123 ]
check "rlimit nofile hard 456" [ "$(field custom.nofile_hard)" = 456 ]
check "numeric user id" eval '[ "$(field numeric.uid)" = 65534 ] && [ "$(field numeric.gid)" = 65534 ]'

check "default: runs as root" [ "$(field plain.uid)" = 0 ]
check "default: the open-file limit keel was started with" [ "$(field plain.nofile)" = "$(ulimit -n)" ]
check "default: cwd is /" [ "$(field plain.cwd)" = / ]
check "default: umask 022" [ "$(field plain.umask)" = 0022 ]
check "default: PATH, HOME=/ and TERM=linux are set" \
	eval 'grep -qx "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" "$OUT/plain.env" &&
	      grep -qx "HOME=/" "$OUT/plain.env" && grep -qx "TERM=linux" "$OUT/plain.env"'
check "default: no variable of another service leaks in" not grep -q "^GREETING=" "$OUT/plain.env"
check "initd.env: its variables reach every service" \
	eval 'grep -qx "FROM_ENVFILE=set by initd.env" "$OUT/plain.env" && grep -qx "FROM_ENVFILE=set by initd.env" "$OUT/custom.env"'
check "initd.env: a bad line is reported with file and line" console_has 'error: .*initd\.env:3: '

check "unknown user: the service fails" wait_state bad_user failed 20
check "unknown user: never ran" not test -e "$OUT/bad_user.done"
check "unknown user: the console says why" console_has "bad_user.*unknown user.*no_such_user_here"

check "poweroff ends the namespace" keel_stop

# More services than a low open-file limit leaves room for (a pipe or two
# each while starting): keel raises its own limit, and each service still
# gets the one keel was started with. (The last part of this test: the
# shell keeps the low limit.)
sys_new env_nofile
for i in 1 2 3 4 5 6; do
	echo "exec $BIN/report n$i" | svc "n$i"
done
make_report
ulimit -Sn 40
keel_start || { finish; exit 1; }
wait_until 20 eval '[ -e "$OUT/n6.done" ]'
check "low limit: keel raised its own" \
	eval '[ "$(awk "/^Max open files/ {print \$4}" "/proc/$KEEL_PID1/limits")" -gt 40 ]'
check "low limit: every service gets the limit keel was started with" \
	eval '[ "$(cat "$OUT"/n*.nofile | sort -u)" = 40 ]'
check "low limit: poweroff ends the namespace" keel_stop
finish
