#!/usr/bin/env bash
# ns.sh: keel as PID 1 of a PID namespace — start-up time against a fork+exec floor, memory, binary size, control-path micro-benchmarks.
# SPDX-License-Identifier: MIT
#
# usage: bench/ns.sh            (as root; a few minutes)
#   RUNS=5 REPS=20 bench/ns.sh  (runs per start-up figure, repetitions per micro-benchmark)
# Prints a markdown report and writes it to bench/results/ns-DATE.md and
# bench/results/ns-latest.md. A benchmark, not a test: no figure fails it.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-5}
REPS=${REPS:-20}
OUT=$ROOT/build/bench
TREE=$OUT/tree
RESULTS=$ROOT/bench/results

die() { echo "ns.sh: $*" >&2; exit 1; }
note() { echo "ns.sh: $*" >&2; }
[ "$(id -u)" = 0 ] || die "needs root (PID namespaces, mounts)"
command -v python3 >/dev/null || die "needs python3"

# ---- build ----------------------------------------------------------------
# keel is built from the working tree in a private copy of the build
# (symlinks to src/ and the Makefile): the same rules and flags as
# `make VARIANT=musl`, but other people's builds and `make clean` in build/
# cannot change the binary halfway through a run, and ours cannot disturb
# theirs.
mkdir -p "$TREE" "$RESULTS"
ln -sfn ../../../src "$TREE/src"
ln -sfn ../../../Makefile "$TREE/Makefile"
if make -s -C "$TREE" VARIANT=musl build/musl/keel build/musl/keelctl >"$OUT/make.log" 2>&1; then
	KEEL=$TREE/build/musl/keel CTL=$TREE/build/musl/keelctl
	BUILT="fresh build of the working tree (make VARIANT=musl, in build/bench/tree)"
elif [ -x "$ROOT/build/musl/keel" ]; then
	note "musl build failed (see $OUT/make.log): using the existing build/musl binaries"
	KEEL=$ROOT/build/musl/keel CTL=$ROOT/build/musl/keelctl
	BUILT="existing build/musl (the fresh build failed)"
else
	die "cannot build keel (see $OUT/make.log)"
fi
# The glibc build only serves as a memory comparison: optional.
GKEEL=
if make -s -C "$TREE" build/keel >>"$OUT/make.log" 2>&1; then
	GKEEL=$TREE/build/keel
fi

# Helpers: static like keel, so the floor forks a process of the same kind.
HCC="musl-gcc -static"
command -v musl-gcc >/dev/null || HCC="cc -static"
for h in stamp nsrun forkexec benchtool; do
	if [ ! -x "$OUT/$h" ] || [ "$ROOT/bench/$h.c" -nt "$OUT/$h" ]; then
		$HCC -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Os -o "$OUT/$h" "$ROOT/bench/$h.c"
	fi
done
STAMP=$OUT/stamp NSRUN=$OUT/nsrun FORKEXEC=$OUT/forkexec BT=$OUT/benchtool

# ---- scratch space and cleanup -----------------------------------------------
WORK=$(mktemp -d /tmp/keel-bench.XXXXXX)
NSRUN_PID=
cleanup() {
	# Only the namespace we started: killing its PID 1 ends everything in it.
	if [ -n "$NSRUN_PID" ] && kill -0 "$NSRUN_PID" 2>/dev/null; then
		[ -s "$WORK/pid" ] && kill -KILL "$(cat "$WORK/pid")" 2>/dev/null || true
		wait "$NSRUN_PID" 2>/dev/null || true
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
STAMPS=$WORK/stamps SOCK=$WORK/sock CONSOLE=$WORK/console.log

# ---- small tools ---------------------------------------------------------------
# stats: numbers on stdin (lines starting with # ignored) -> "median min max n".
stats() {
	python3 -c '
import sys, statistics
v = [float(l) for l in sys.stdin if l.strip() and not l.startswith("#")]
print("%.2f %.2f %.2f %d" % (statistics.median(v), min(v), max(v), len(v)) if v else "nan nan nan 0")'
}
med() { stats | cut -d' ' -f1; }
range() { stats | awk '{printf "%s (%s–%s)", $1, $2, $3}'; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

# gen_indep DIR N [EXTRA_LINE...]: N independent respawn services.
gen_indep() {
	local dir=$1 n=$2 i
	shift 2
	rm -rf "$dir"
	mkdir -p "$dir"
	for ((i = 0; i < n; i++)); do
		{
			printf 'type respawn\nexec %s %s\n' "$STAMP" "$STAMPS"
			local l
			for l in "$@"; do printf '%s\n' "$l"; done
		} >"$dir/$(printf 's%05d' "$i")"
	done
}

# gen_levels DIR N: 10 levels of N/10 services; each service of level k
# waits for the generic name of level k-1 (every instance of it).
gen_levels() {
	local dir=$1 n=$2 per=$(($2 / 10)) l i
	rm -rf "$dir"
	mkdir -p "$dir"
	for ((l = 0; l < 10; l++)); do
		for ((i = 0; i < per; i++)); do
			{
				printf 'type respawn\n'
				((l > 0)) && printf 'after L%d\n' $((l - 1))
				printf 'exec %s %s\n' "$STAMP" "$STAMPS"
			} >"$dir/L$l@$(printf '%04d' "$i")"
		done
	done
}

# boot PROG ARGS...: PROG as PID 1 of a fresh namespace, in the background.
# Sets KPID, its pid as seen from here.
boot() {
	rm -f "$STAMPS" "$WORK/pid" "$WORK/t0" "$SOCK"
	"$NSRUN" "$WORK/t0" "$WORK/pid" "$@" >"$CONSOLE" 2>&1 &
	NSRUN_PID=$!
	# benchtool polls without forking: a shell loop of `sleep` would
	# compete for the CPU with the boot being measured.
	"$BT" waitlines "$WORK/pid" 1 5000 || die "nsrun did not start"
	KPID=$(cat "$WORK/pid")
}
# --verbose: the host's command line may say "quiet", and the figures read keel's
# "target boot reached" line.
boot_keel() { boot "${3:-$KEEL}" --service-dir "$1" --socket "$SOCK" --verbose; wait_up "$2"; }
wait_up() { "$BT" waitlines "$STAMPS" "$1" 60000 || { cat "$CONSOLE" >&2; die "services did not start"; }; }
# halt: ask keel to power off and wait until the namespace is gone.
halt() {
	"$CTL" --socket "$SOCK" poweroff >/dev/null || kill -USR2 "$KPID"
	wait "$NSRUN_PID" || true
	NSRUN_PID=
}
kill_ns() { kill -KILL "$KPID"; wait "$NSRUN_PID" || true; NSRUN_PID=; }

# start_figures [0]: "ALL FIRST REACHED" in ms after PID 1's exec: the last
# and the first service's own start, and keel's "target boot reached" line
# (not waited for with 0: the floor prints none).
start_figures() {
	local i
	for ((i = 0; i < 2000 && ${1:-1}; i++)); do
		grep -q 'target boot reached' "$CONSOLE" 2>/dev/null && break
		sleep 0.001
	done
	python3 - "$WORK/t0" "$STAMPS" "$CONSOLE" <<'EOF'
import re, sys
mono0, boot0 = (int(x) for x in open(sys.argv[1]).read().split())
t = sorted(int(l.split()[0]) for l in open(sys.argv[2]) if l.strip())
m = re.search(r"target boot reached .* at (\d+)\.(\d+)s uptime", open(sys.argv[3]).read())
reached = (int(m.group(1)) * 1e9 + int(m.group(2)) * 1e6 - boot0) / 1e6 if m else float("nan")
print("%.3f %.3f %.3f" % ((t[-1] - mono0) / 1e6, (t[0] - mono0) / 1e6, reached))
EOF
}

# mem_figures: VmHWM VmRSS Pss (KiB) of PID 1, read from the host.
mem_figures() {
	local hwm rss pss
	hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$KPID/status")
	rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$KPID/status")
	pss=$(awk '/^Pss:/ {print $2}' "/proc/$KPID/smaps_rollup")
	echo "$hwm $rss $pss"
}

REPORT=$WORK/report.md
md() { printf '%s\n' "$*" >>"$REPORT"; }

# ---- 0. context ------------------------------------------------------------------
LOAD0=$(load)
md "# keel in a PID namespace: speed and size"
md ""
md "- date: $(date '+%Y-%m-%d %H:%M %Z'); host: $(uname -srm); $(nproc) CPUs; $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM"
md "- keel: $BUILT; commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo ?)$( [ -n "$(git -C "$ROOT" status --porcelain -- src Makefile 2>/dev/null)" ] && echo ' + uncommitted changes in src/')"
md "- runs per start-up figure: $RUNS; repetitions per micro-benchmark: $REPS; times in ms, \`median (min–max)\`"
md "- load average at start: $LOAD0 (the machine is shared: read medians, not single runs)"
md ""

# ---- 1 + 2. start-up time and the floor ---------------------------------------------
note "start-up time (${RUNS} runs per row)"
for n in 1 100 1000; do
	gen_indep "$WORK/ind$n" "$n"
	((n >= 10)) && gen_levels "$WORK/lev$n" "$n"
done
declare -A ALL FIRST REACHED
for ((r = 0; r < RUNS; r++)); do
	# Rows are interleaved run by run, so a burst of load from the other
	# users of the machine hits every row alike rather than one.
	for n in 1 100 1000; do
		for kind in ind lev floor; do
			[ "$kind" = lev ] && ((n < 10)) && continue
			if [ "$kind" = floor ]; then
				boot "$FORKEXEC" "$n" "$STAMP" "$STAMPS"
				wait_up "$n"
				read -r all first _ < <(start_figures 0)
				reached=nan
				kill_ns
			else
				boot_keel "$WORK/$kind$n" "$n"
				read -r all first reached < <(start_figures)
				halt
			fi
			ALL[$kind$n]+="$all"$'\n'
			FIRST[$kind$n]+="$first"$'\n'
			REACHED[$kind$n]+="$reached"$'\n'
		done
	done
done
LOAD1=$(load)
md "## 1. Start-up: exec of PID 1 → every service running (median of $RUNS)"
md ""
md "| services | graph | all running | first service running | keel's \"reached\" line | floor (fork+exec loop) | keel / floor |"
md "|---:|---|---:|---:|---:|---:|---:|"
for n in 1 100 1000; do
	fl=$(printf '%s' "${ALL[floor$n]}" | med)
	for kind in ind lev; do
		[ "$kind" = lev ] && ((n < 10)) && continue
		a=$(printf '%s' "${ALL[$kind$n]}" | med)
		ratio=$(python3 -c "print('%.2f' % ($a / $fl))")
		graph=independent
		[ "$kind" = lev ] && graph="10 levels × $((n / 10)), \`after\` previous level"
		md "| $n | $graph | $(printf '%s' "${ALL[$kind$n]}" | range) | $(printf '%s' "${FIRST[$kind$n]}" | med) | $(printf '%s' "${REACHED[$kind$n]}" | med) | $(printf '%s' "${ALL[floor$n]}" | range) | **${ratio}×** |"
	done
done
md ""
md "Load average before / after: $LOAD0 / $LOAD1."
md ""

# ---- 3. memory --------------------------------------------------------------------------
note "memory"
md "## 2. PID 1 memory after boot (KiB, read from the host: VmHWM, VmRSS from status, Pss from smaps_rollup)"
md ""
md "| build | services | VmHWM (peak RSS) | VmRSS | Pss |"
md "|---|---:|---:|---:|---:|"
gen_indep "$WORK/ind10" 10
mem_row() { # BUILD-LABEL KEEL DIR N
	boot_keel "$3" "$4" "$2"
	read -r hwm rss pss < <(mem_figures)
	halt
	md "| $1 | $5 | $hwm | $rss | $pss |"
}
mem_row "musl static" "$KEEL" "$WORK/ind10" 10 10
mem_row "musl static" "$KEEL" "$WORK/ind100" 100 100
mem_row "musl static" "$KEEL" "$WORK/ind1000" 1000 1000
mem_row "musl static" "$KEEL" "$WORK/lev1000" 1000 "1000 (10 levels)"
[ -n "$GKEEL" ] && mem_row "glibc (make)" "$GKEEL" "$WORK/ind100" 100 100
md ""

# ---- 4. size ----------------------------------------------------------------------------
ks=$(stat -c %s "$KEEL")
cs=$(stat -c %s "$CTL")
md "## 3. Size of the stripped static binaries"
md ""
md "| keel | keelctl | together |"
md "|---:|---:|---:|"
md "| $ks B ($((ks / 1024)) KiB) | $cs B ($((cs / 1024)) KiB) | **$(((ks + cs) / 1024)) KiB** |"
md ""

# ---- 5. micro-benchmarks ---------------------------------------------------------------------
note "micro-benchmarks"
md "## 4. Micro-benchmarks"
md ""
md "| what | median (min–max) ms | runs |"
md "|---|---:|---:|"

# Respawn: `respawn delay 0` takes the backoff policy out, so what is left
# is keel's own path: SIGCHLD, reap, decide, fork, exec, ready.
mkdir -p "$WORK/resp"
gen_indep "$WORK/resp" 1 'respawn delay 0' 'ready fd 3'
sed -i "s|^exec .*|exec $STAMP $STAMPS 3|" "$WORK/resp/s00000"
boot_keel "$WORK/resp" 1
md "| respawn: SIGKILL → replacement running (\`ready fd 3\`, \`respawn delay 0\`) | $("$BT" respawn "$KPID" "$STAMPS" "$REPS" | range) | $REPS |"
halt

# keelctl round trips, against the same binary's exec cost and a bare client.
for n in 10 1000; do
	boot_keel "$WORK/ind$n" "$n"
	md "| \`keelctl status\`, $n services | $("$BT" reps "$REPS" "$CTL" --socket "$SOCK" status | range) | $REPS |"
	md "| bare client (connect, \`status\`, read to EOF), $n services: $("$BT" ctl "$SOCK" status 1 | sed -n 's/# bytes //p') B answer | $("$BT" ctl "$SOCK" status "$REPS" | range) | $REPS |"
	if ((n == 1000)); then
		# Reload, one file changed: the answer comes once the new set is
		# reconciled; the changed service restarts afterwards, and we let
		# it finish before the next round.
		rel=$WORK/reload.txt
		: >"$rel"
		for ((r = 0; r < RUNS; r++)); do
			lines=$(wc -l <"$STAMPS")
			printf 'env BENCH_ROUND=%d\n' "$r" >>"$WORK/ind1000/s00500"
			"$BT" reps 1 "$CTL" --socket "$SOCK" reload | grep -v '^#' >>"$rel"
			"$BT" waitlines "$STAMPS" $((lines + 1)) 10000
		done
		md "| \`keelctl reload\`, 1000 services, 1 changed | $(range <"$rel") | $RUNS |"
		md "| \`keelctl reload\`, 1000 services, none changed | $("$BT" reps "$RUNS" "$CTL" --socket "$SOCK" reload | range) | $RUNS |"
	fi
	halt
done
md "| \`keelctl --help\` (exec + exit, no socket: keelctl's fixed cost) | $("$BT" reps "$REPS" "$CTL" --help | range) | $REPS |"

# Shutdown: poweroff request -> PID 1 gone (it goes only once every process
# of the namespace is gone). The first figure is keelctl's answer.
sd_req=$WORK/sd_req sd_all=$WORK/sd_all
: >"$sd_req"
: >"$sd_all"
for ((r = 0; r < RUNS; r++)); do
	boot_keel "$WORK/ind100" 100
	"$BT" gone "$KPID" "$CTL" --socket "$SOCK" poweroff >"$WORK/gone"
	sed -n 1p "$WORK/gone" >>"$sd_req"
	sed -n 2p "$WORK/gone" >>"$sd_all"
	wait "$NSRUN_PID" || true
	NSRUN_PID=
done
md "| shutdown, 100 services: \`keelctl poweroff\` answered | $(range <"$sd_req") | $RUNS |"
md "| shutdown, 100 services: request → namespace gone | $(range <"$sd_all") | $RUNS |"

# keel check over 10,000 files: time, and peak RSS from /usr/bin/time -v.
gen_indep "$WORK/check" 10000
ck=$("$BT" reps "$RUNS" "$KEEL" check -q "$WORK/check" | range)
if [ -x /usr/bin/time ]; then
	ckrss=$(/usr/bin/time -v "$KEEL" check -q "$WORK/check" 2>&1 >/dev/null |
		awk -F': ' '/Maximum resident set size/ {print $2 " KiB peak RSS"}')
else
	ckrss="peak RSS not measured (apt-get install time)"
fi
md "| \`keel check\`, 10,000 service files ($ckrss) | $ck | $RUNS |"
md ""
md "Load average at the end: $(load)."

# ---- output ---------------------------------------------------------------------------------------
cat "$REPORT"
cp "$REPORT" "$RESULTS/ns-$(date +%Y-%m-%d).md"
cp "$REPORT" "$RESULTS/ns-latest.md"
note "written to bench/results/ns-$(date +%Y-%m-%d).md and bench/results/ns-latest.md"
