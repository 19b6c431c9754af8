# test_trim: once booted, PID 1's boot-only code is unmapped (trim.c); a reload runs the parsers again from the page cache and lets go of them again.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

sys_new trim
ns() { nsenter -t "$KEEL_PID1" -p -m "$@"; }

for i in 1 2 3 4 5; do
	svc "d$i" <<EOF
type respawn
exec /bin/sleep 1000
EOF
done

# Its user is looked up by the child before exec, in PID 1's memory.
svc u1 <<EOF
type respawn
user nobody
exec /bin/sleep 1002
EOF

keel_start --verbose || { finish; exit 1; }
check "boot target reached" wait_for 'target boot reached' 20

# keel_maps: the mappings of keel's own file, one per line: "SIZE_KB RSS_KB PERMS"
keel_maps() {
	awk -v f="$(readlink -f "$KEEL")" '
		/^[0-9a-f]+-[0-9a-f]+ / { cur = ($6 == f); perms = $2; next }
		cur && /^Size:/ { size = $2 }
		cur && /^Rss:/ { print size, $2, perms }' "/proc/$KEEL_PID1/smaps"
}
# A code mapping of at least 8 KiB of keel's file with nothing resident:
# the boot-only code, on its own mapping (the advice split it off).
trimmed() { keel_maps | awk '$3 ~ /x/ && $1 >= 8 && $2 == 0 { ok = 1 } END { exit !ok }'; }
check "after boot: the boot-only code is a mapping of its own, none of it resident" \
	wait_until 10 trimmed
note "keel's mappings after boot (KiB size, rss, perms): $(keel_maps | tr '\n' ';')"

# A reload runs the parsers (their pages come back), then lets go again.
cat >"$SVC/d6" <<EOF
type respawn
description added by the reload
exec /bin/sleep 1001
EOF
check "reload: answered" ctl reload
check "reload: the new service, parsed by the trimmed code, runs" wait_state d6 running 20
check "reload: the description was read" eval '[ "$(svc_field d6 description)" = "added by the reload" ]'
check "after the reload: trimmed again" wait_until 10 trimmed
check "unrelated services kept running" eval 'state_is d1 running && state_is d5 running'

# The device's life after boot: services respawn (one with a user to look
# up), keelctl asks for status. None of it runs boot-only code, so none of
# it comes back (a single fault there would map up to 16 pages).
for n in u1 d2 d3; do
	pid=$(svc_field "$n" pid)
	ns kill "$pid"
	wait_until 20 eval '[ "$(svc_field '"$n"' pid)" != "'"$pid"'" ] && state_is '"$n"' running'
done
uid_of() { ns awk '/^Uid:/ { print $2 }' "/proc/$(svc_field "$1" pid)/status"; }
check "respawned, the user service runs as nobody again" eval '[ "$(uid_of u1)" = 65534 ]'
ctl status >/dev/null
ctl status d1 >/dev/null
check "after respawns and status requests: the boot-only code is still not resident" trimmed
note "keel's mappings then: $(keel_maps | tr '\n' ';')"
finish
