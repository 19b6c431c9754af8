# test_trim: once booted, PID 1's boot-only code is unmapped (trim.c); a reload runs the parsers again from the page cache and lets go of them again.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

sys_new trim

for i in 1 2 3 4 5; do
	svc "d$i" <<EOF
type respawn
exec /bin/sleep 1000
EOF
done

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
finish
