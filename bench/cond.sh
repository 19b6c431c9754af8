#!/usr/bin/env bash
# cond.sh: what start conditions and path triggers cost keel as PID 1 of a PID namespace — memory, CPU at rest, an rtnetlink storm, trigger latency.
# SPDX-License-Identifier: MIT
#
# usage: bench/cond.sh                                  (as root; about a minute per build)
#   KEEL_BUILD="build build/musl" bench/cond.sh          (every folder measured, one report)
#   N=1000 CHANGES=10000 TRIGS=50 QUIET=10 RUNS=3 bench/cond.sh
# KEEL_BUILD: folder(s) holding keel and keelctl, relative to the repository
# or absolute (default: build). Prints a markdown report and writes it to
# bench/results/cond-latest.md. A benchmark, not a test: no figure fails it.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
KEEL_BUILD=${KEEL_BUILD:-build}
N=${N:-1000}
CHANGES=${CHANGES:-10000}
TRIGS=${TRIGS:-50}
QUIET=${QUIET:-10}
RUNS=${RUNS:-3}
OUT=$ROOT/build/bench-cond
RESULTS=$ROOT/bench/results

die() { echo "cond.sh: $*" >&2; exit 1; }
note() { echo "cond.sh: $*" >&2; }
[ "$(id -u)" = 0 ] || die "needs root (PID and network namespaces)"
command -v python3 >/dev/null || die "needs python3"
command -v ip >/dev/null || die "needs ip (iproute2)"

BUILDS=()
for b in $KEEL_BUILD; do
	case $b in /*) ;; *) b=$ROOT/$b ;; esac
	[ -x "$b/keel" ] && [ -x "$b/keelctl" ] || die "no keel and keelctl in $b (make VARIANT=... all)"
	BUILDS+=("$b")
done

# ---- helpers -----------------------------------------------------------------------
# Built as bench/ns.sh builds its own: static with musl, so the trigger
# service is as small a process as a real one can be. musl-gcc sees only
# musl's headers; condtool needs the kernel's netlink ones, linked in the
# way the Makefile does it for keel's musl build.
mkdir -p "$OUT" "$RESULTS"
HCC="musl-gcc -static"
if command -v musl-gcc >/dev/null; then
	KHDR=$OUT/kernel-headers
	mkdir -p "$KHDR"
	ln -sfn /usr/include/linux "$KHDR/linux"
	ln -sfn /usr/include/asm-generic "$KHDR/asm-generic"
	ln -sfn "/usr/include/$(gcc -dumpmachine)/asm" "$KHDR/asm"
	HCC="$HCC -isystem $KHDR"
else
	HCC="cc -static"
fi
for h in stamp nsrun benchtool condtool; do
	if [ ! -x "$OUT/$h" ] || [ "$ROOT/bench/$h.c" -nt "$OUT/$h" ]; then
		$HCC -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Os -o "$OUT/$h" "$ROOT/bench/$h.c"
	fi
done
STAMP=$OUT/stamp NSRUN=$OUT/nsrun BT=$OUT/benchtool CT=$OUT/condtool

# ---- scratch space and cleanup ------------------------------------------------------------
WORK=$(mktemp -d /tmp/keel-cond.XXXXXX)
chmod 755 "$WORK"
NSRUN_PID= KPID= NETNS=
cleanup() {
	# Only what we started: killing the namespace's PID 1 ends everything in it.
	if [ -n "$NSRUN_PID" ] && kill -0 "$NSRUN_PID" 2>/dev/null; then
		[ -n "$KPID" ] && kill -KILL "$KPID" 2>/dev/null || true
		wait "$NSRUN_PID" 2>/dev/null || true
	fi
	[ -n "$NETNS" ] && ip netns del "$NETNS" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
SOCK=$WORK/sock CONSOLE=$WORK/console.log STAMPS=$WORK/stamps

# ---- small tools -----------------------------------------------------------------------------
# stats: numbers on stdin (lines starting with # ignored) -> "median min max n".
stats() {
	python3 -c '
import sys, statistics
v = [float(l) for l in sys.stdin if l.strip() and not l.startswith("#")]
print("%.3f %.3f %.3f %d" % (statistics.median(v), min(v), max(v), len(v)) if v else "nan nan nan 0")'
}
med() { stats | cut -d' ' -f1; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
calc() { python3 -c "print($1)"; }

# gen DIR N KIND: N respawn services running the same command; KIND adds
# lines: none, reboot (not started at boot), same (one shared path
# condition), distinct (a path condition each), iface (an interface
# condition and a flag nobody sets, both shared).
gen() {
	local dir=$1 n=$2 kind=$3 i
	rm -rf "$dir"
	mkdir -p "$dir"
	for ((i = 0; i < n; i++)); do
		{
			printf 'type respawn\nexec %s %s\n' "$STAMP" "$STAMPS"
			case $kind in
			reboot) printf 'target reboot\n' ;;
			same) printf 'condition path %s/x/same\n' "$WORK" ;;
			distinct) printf 'condition path %s/x/%d\n' "$WORK" "$i" ;;
			iface) printf 'condition iface bench0 ipv4\ncondition flag bench.hold\n' ;;
			esac
		} >"$dir/$(printf 's%05d' "$i")"
	done
}

# boot DIR [NETNS]: keel as PID 1 of a fresh PID namespace (inside NETNS
# if given), in the background. Sets KPID, its pid as seen from here.
boot() {
	local pre=()
	[ -n "${2:-}" ] && pre=(ip netns exec "$2")
	rm -f "$STAMPS" "$WORK/pid" "$WORK/t0" "$SOCK"
	"${pre[@]}" "$NSRUN" "$WORK/t0" "$WORK/pid" "$KEEL" --service-dir "$1" --socket "$SOCK" \
		>"$CONSOLE" 2>&1 &
	NSRUN_PID=$!
	"$BT" waitlines "$WORK/pid" 1 5000 || die "nsrun did not start"
	KPID=$(cat "$WORK/pid")
	local i
	for ((i = 0; i < 5000; i++)); do
		[ -S "$SOCK" ] && break
		sleep 0.002
	done
	[ -S "$SOCK" ] || { cat "$CONSOLE" >&2; die "keel's socket did not appear"; }
}
# settle: until PID 1 has used no CPU for 100 ms (read from the host, so
# the wait costs PID 1 nothing). Not fatal: says so if it never happens.
settle() { "$CT" idle "$KPID" "${1:-100}" 30000 >/dev/null || note "PID 1 did not go idle"; }
halt() {
	timeout 30 "$CTL" --socket "$SOCK" poweroff >/dev/null 2>&1 || kill -KILL "$KPID" 2>/dev/null || true
	wait "$NSRUN_PID" || true
	NSRUN_PID= KPID=
}

# cpu: "NS TICKS CSW": PID 1's CPU time in ns (schedstat), utime+stime in
# clock ticks (stat), voluntary + involuntary context switches (each
# wake-up is one).
cpu() {
	local ns ticks csw
	read -r ns _ </proc/"$KPID"/schedstat
	ticks=$(awk '{print $14 + $15}' /proc/"$KPID"/stat)
	csw=$(awk '/ctxt_switches/ {s += $2} END {print s}' /proc/"$KPID"/status)
	echo "$ns $ticks $csw"
}
# mem: "PSS RSS HWM" in KiB.
mem() {
	local pss rss hwm
	pss=$(awk '/^Pss:/ {print $2}' /proc/"$KPID"/smaps_rollup)
	rss=$(awk '/^Rss:/ {print $2}' /proc/"$KPID"/smaps_rollup)
	hwm=$(awk '/^VmHWM:/ {print $2}' /proc/"$KPID"/status)
	echo "$pss $rss $hwm"
}
# states: "waiting 1000" style summary of every service's state.
states() {
	timeout 30 "$CTL" --socket "$SOCK" --json status 2>/dev/null | python3 -c '
import collections, json, sys
try:
    c = collections.Counter(s["state"] for s in json.load(sys.stdin)["services"])
    print(", ".join("%d %s" % (n, s) for s, n in sorted(c.items())) or "none")
except Exception:
    print("?")' || echo "?"
}
# cond_line COND: keelctl cond's line for COND, blanks squeezed, services cut.
cond_line() {
	timeout 30 "$CTL" --socket "$SOCK" cond 2>&1 | grep -F -- "$1" | head -n 1 |
		awk '{$NF = ""; print}' | cut -c1-60 || true
}

S1=$WORK/s1 S2=$WORK/s2 S3=$WORK/s3 S4=$WORK/s4 DERIV=$WORK/deriv NOTES=$WORK/notes
: >"$S1"; : >"$S2"; : >"$S3"; : >"$S4"; : >"$DERIV"; : >"$NOTES"
LOAD0=$(load)
T_START=$(date +%s)

# ---- the network namespace for the storm -----------------------------------------------------
# A dummy interface if the kernel has the driver, else one end of a veth
# pair (both stay inside the namespace). Either way keel sees every
# address change on it over rtnetlink.
NETNS=keel-cond-$$
ip netns add "$NETNS"
if ip -n "$NETNS" link add bench0 type dummy 2>/dev/null; then
	IFKIND=dummy
else
	modprobe dummy 2>/dev/null || true
	if ip -n "$NETNS" link add bench0 type dummy 2>/dev/null; then
		IFKIND=dummy
	else
		ip -n "$NETNS" link add bench0 type veth peer name bench0p
		ip -n "$NETNS" link set bench0p up
		IFKIND="veth (no dummy driver in this kernel)"
	fi
fi
ip -n "$NETNS" link set bench0 up

for KB in "${BUILDS[@]}"; do
	KEEL=$KB/keel CTL=$KB/keelctl
	LABEL=${KB#"$ROOT"/}
	if file -L "$KEEL" 2>/dev/null | grep -q 'statically linked'; then LABEL="$LABEL (static)"; fi

	# ---- 1. memory and boot CPU --------------------------------------------------------------
	note "$LABEL: memory, $N services x 4 kinds x $RUNS runs"
	rm -rf "$WORK/x"
	mkdir -p "$WORK/x"
	declare -A PSS RSS HWM CPUMS TICKS STATE
	for kind in none reboot same distinct; do
		gen "$WORK/svc-$kind" "$N" "$kind"
	done
	for ((r = 0; r < RUNS; r++)); do
		for kind in none reboot same distinct; do
			boot "$WORK/svc-$kind"
			[ "$kind" = none ] && { "$BT" waitlines "$STAMPS" "$N" 60000 || note "not every service started"; }
			settle
			read -r ns ticks _ < <(cpu)
			read -r pss rss hwm < <(mem)
			PSS[$kind]+="$pss"$'\n' RSS[$kind]+="$rss"$'\n' HWM[$kind]+="$hwm"$'\n'
			CPUMS[$kind]+="$(calc "$ns / 1e6")"$'\n' TICKS[$kind]+="$ticks"$'\n'
			((r == 0)) && STATE[$kind]=$(states)
			halt
		done
	done
	for kind in none reboot same distinct; do
		case $kind in
		none) what="no condition (all start)" ;;
		reboot) what="no condition, \`target reboot\` (none starts)" ;;
		same) what="\`condition path $WORK/x/same\`, all the same" ;;
		distinct) what="\`condition path $WORK/x/N\`, each its own" ;;
		esac
		printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$LABEL" "$what" "${STATE[$kind]}" \
			"$(printf '%s' "${PSS[$kind]}" | med | cut -d. -f1)" "$(printf '%s' "${RSS[$kind]}" | med | cut -d. -f1)" \
			"$(printf '%s' "${HWM[$kind]}" | med | cut -d. -f1)" "$(printf '%s' "${CPUMS[$kind]}" | med)" \
			"$(printf '%s' "${TICKS[$kind]}" | med | cut -d. -f1)" >>"$S1"
	done
	m() { printf '%s' "$1" | med; }
	per() { calc "'%.0f' % (($(m "$1") - $(m "$2")) * 1024 / $3)"; }
	{
		printf '| %s | one more distinct condition: (each its own − all the same) / %d | %s | %s |\n' \
			"$LABEL" $((N - 1)) "$(per "${PSS[distinct]}" "${PSS[same]}" $((N - 1)))" \
			"$(per "${RSS[distinct]}" "${RSS[same]}" $((N - 1)))"
		printf '| %s | a waiting service with one shared condition: (all the same − none starts) / %d | %s | %s |\n' \
			"$LABEL" "$N" "$(per "${PSS[same]}" "${PSS[reboot]}" "$N")" "$(per "${RSS[same]}" "${RSS[reboot]}" "$N")"
		printf '| %s | a service with its own condition against one with none that runs: (each its own − all start) / %d | %s | %s |\n' \
			"$LABEL" "$N" "$(per "${PSS[distinct]}" "${PSS[none]}" "$N")" "$(per "${RSS[distinct]}" "${RSS[none]}" "$N")"
	} >>"$DERIV"
	unset PSS RSS HWM CPUMS TICKS STATE

	# ---- 2. at rest ----------------------------------------------------------------------------
	note "$LABEL: $QUIET s at rest, $N services waiting on distinct paths"
	quiet_row() { # WHAT
		settle
		read -r ns0 t0 c0 < <(cpu)
		sleep "$QUIET" # the measurement window itself, not a wait for something
		read -r ns1 t1 c1 < <(cpu)
		printf '| %s | %s | %s | %s s | %s | %d | %d |\n' "$LABEL" "$1" "$(states)" "$QUIET" \
			"$(calc "'%.3f' % (($ns1 - $ns0) / 1e6)")" $((t1 - t0)) $((c1 - c0)) >>"$S2"
	}
	boot "$WORK/svc-distinct"
	quiet_row "$N × \`condition path …/x/N\` (one inotify watch on x/)"
	halt

	# ---- 3. netlink storm ------------------------------------------------------------------------
	note "$LABEL: netlink storm, $CHANGES changes x 2"
	gen "$WORK/svc-iface" "$N" iface
	boot "$WORK/svc-iface" "$NETNS"
	quiet_row "$N × \`condition iface bench0 ipv4\` + \`condition flag bench.hold\` (own netns)"
	storm_row() { # MODE WHAT
		settle
		read -r ns0 t0 _ < <(cpu)
		read -r _ _ hwm0 < <(mem)
		ip netns exec "$NETNS" "$CT" storm bench0 "$1" "$CHANGES" "$SOCK" "iface bench0 ipv4" false "$CTL" \
			>"$WORK/storm.out" 2>"$WORK/storm.err" || note "storm $1: $(cat "$WORK/storm.err")"
		settle 50
		read -r ns1 t1 _ < <(cpu)
		read -r _ _ hwm1 < <(mem)
		# shellcheck disable=SC1090
		local changes=0 storm_ms=nan final_ms=nan final_value=? list_ms=nan list_rc=? list_before_end_ms=nan
		eval "$(grep -E '^[a-z_]+=-?[0-9.]+$' "$WORK/storm.out")"
		local shown kern
		shown=$(cond_line "iface bench0 ipv4")
		kern=$(ip -n "$NETNS" -4 addr show dev bench0 | grep -c ' inet ' || true)
		printf '| %s | %s | %s | %s | %s (%s ticks) | %s → %s | %s | %s (exit %s; %s ms before the last change) | `%s` (kernel: %s IPv4 addresses); services: %s |\n' \
			"$LABEL" "$2" "$changes" "$storm_ms" "$(calc "'%.3f' % (($ns1 - $ns0) / 1e9)")" $((t1 - t0)) \
			"$hwm0" "$hwm1" "$final_ms" "$list_ms" "$list_rc" "$list_before_end_ms" "$shown" "$kern" "$(states)" >>"$S3"
	}
	storm_row churn "churn: add a(i), del a(i−1); true from the first change to the last"
	storm_row flap "flap: add a(i), del a(i); the value flips on every change"
	halt

	# ---- 4. trigger latency ------------------------------------------------------------------------
	note "$LABEL: trigger latency, $TRIGS creations"
	rm -rf "$WORK/t" "$WORK/svc-trig" "$WORK/trig.stamps"
	mkdir -p "$WORK/t" "$WORK/svc-trig"
	printf 'trigger start %s/t/DIR/file created\nexec %s stampx %s\n' "$WORK" "$CT" "$WORK/trig.stamps" \
		>"$WORK/svc-trig/trig"
	boot "$WORK/svc-trig"
	settle
	trig_row() { # WHAT ROUNDS [dir]
		local rc=0 md mn mx cnt lost
		"$CT" trig "$KPID" "$WORK/t/DIR" file "$WORK/trig.stamps" "$2" ${3:-} >"$WORK/trig.out" 2>"$WORK/trig.err" || rc=$?
		read -r md mn mx cnt < <(stats <"$WORK/trig.out")
		lost=$(sed -n 's/^# lost round //p' "$WORK/trig.out")
		[ "$rc" = 0 ] || cnt="$cnt of $(($2 - 1)): **round ${lost:-?} never ran** ($(tr '\n' ' ' <"$WORK/trig.err"))"
		printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$LABEL" "$1" "$cnt" "$md" "$mn" "$mx" \
			"$(sed -n 's/^# first //p' "$WORK/trig.out")" "$(sed -n 's/^# extra //p' "$WORK/trig.out")" \
			"$(sed -n 's/^# other //p' "$WORK/trig.out")" >>"$S4"
	}
	trig_row "\`…/t/DIR/file\` created, DIR missing at boot (first round creates it; the file is removed between rounds)" $((TRIGS + 1))
	trig_row "DIR and file created each round (both removed between rounds; t0 before mkdir)" $((TRIGS / 2 + 1)) dir
	halt
	grep -iE 'error|warn|cannot|fail' "$CONSOLE" | head -n 5 | sed "s|^|- $LABEL console: |" >>"$NOTES" || true
done

# ---- report ---------------------------------------------------------------------------------------
REPORT=$WORK/report.md
{
	echo "# keel: cost of start conditions and path triggers"
	echo ""
	echo "- date: $(date '+%Y-%m-%d %H:%M %Z'); host: $(uname -srm); $(nproc) CPUs"
	echo "- commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo ?)$( [ -n "$(git -C "$ROOT" status --porcelain -- src Makefile 2>/dev/null)" ] && echo ' + uncommitted changes in src/')"
	echo "- $N services; memory figures are medians of $RUNS boots; load average at start $LOAD0, at the end $(load); $(($(date +%s) - T_START)) s in all"
	echo ""
	echo "## 1. PID 1 after boot, $N services (read from the host once PID 1 has been idle for 100 ms)"
	echo ""
	echo "| build | services | states | Pss KiB | Rss KiB | VmHWM KiB | boot CPU ms | utime+stime ticks |"
	echo "|---|---|---|---:|---:|---:|---:|---:|"
	cat "$S1"
	echo ""
	echo "Memory per condition, in bytes (from the medians; a page is 4096 B, so ±4 B at 1000):"
	echo ""
	echo "| build | what | Pss B | Rss B |"
	echo "|---|---|---:|---:|"
	cat "$DERIV"
	echo ""
	echo "The inotify watches are kernel memory, not PID 1's: not in these figures."
	echo ""
	echo "## 2. At rest: PID 1's CPU over a quiet window (no polling means ~0 and a handful of wake-ups)"
	echo ""
	echo "| build | services waiting on | states | window | CPU ms (schedstat) | utime+stime ticks | context switches |"
	echo "|---|---|---|---:|---:|---:|---:|"
	cat "$S2"
	echo ""
	echo "## 3. rtnetlink storm: $CHANGES address changes on bench0 ($IFKIND) in keel's own network namespace"
	echo ""
	echo "$N services wait on \`condition iface bench0 ipv4\` and a flag nobody sets (so none starts: the"
	echo "storm alone is measured). The changes are /32 IPv4 addresses, each one acknowledged by the kernel"
	echo "before the next (\`condtool storm\`, rtnetlink directly). *Final* is from the kernel's ack of the"
	echo "last change to the first \`cond\` answer giving \`false\` (asked on the socket every 2 ms, after"
	echo "1 s every 50 ms, for 20 s at most; -1: never): with"
	echo "churn the value is true from the first change to the last, so \`false\` means keel has seen the"
	echo "last one; with flap it is also false half the time in between, so that figure is only an upper"
	echo "bound on keel's lag. \`keelctl list\` is run as a process when half the changes are done, while"
	echo "the storm goes on. CPU is PID 1's from before the storm until it has been idle for 50 ms after."
	echo ""
	echo "| build | storm | changes | storm ms | PID 1 CPU s | VmHWM KiB before → after | final ms | \`keelctl list\` ms in the middle | \`keelctl cond\` after; states |"
	echo "|---|---|---:|---:|---:|---:|---:|---|---|"
	cat "$S3"
	echo ""
	echo "## 4. Path trigger: creation → the service's first instruction (ms, CLOCK_REALTIME on both sides)"
	echo ""
	echo "\`trigger start $WORK/t/DIR/file created\`; the service is a static program that notes the time first"
	echo "thing in \`main()\` and says which event started it (\`KEEL_TRIGGER_EVENT\`). Each round waits until the"
	echo "previous run has ended (keel has no child) and PID 1 has been idle for 20 ms, and measures up to the"
	echo "first run that starts after it; *extra runs* are runs beyond one per creation (\`condtool trig\`)."
	echo ""
	echo "| build | case | rounds | median | min | max | first round | extra runs by \`created\` | runs by another event |"
	echo "|---|---|---|---:|---:|---:|---:|---:|---:|"
	cat "$S4"
	if [ -s "$NOTES" ]; then
		echo ""
		echo "Console lines worth a look:"
		echo ""
		cat "$NOTES"
	fi
} >"$REPORT"
cat "$REPORT"
cp "$REPORT" "$RESULTS/cond-latest.md"
note "written to bench/results/cond-latest.md"
