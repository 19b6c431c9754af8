#!/usr/bin/env bash
# log.sh: keel's log ring against busybox syslogd -C — syslog flood throughput with zero loss, CPU per 100k lines and memory; stdout capture; PID 1 PSS on workload B.
# SPDX-License-Identifier: MIT
#
# usage: bench/log.sh                       (as root; about a minute or two)
#   RUNS=9 COUNT=20000 RING=32M bench/log.sh
#   KEEL_BUILD=build/benchlog bench/log.sh  (parts 1 and 2 with that build's keel)
# SENDERS senders (or services) write COUNT numbered lines each, LEN bytes
# per syslog datagram, LINE bytes per stdout line; RING is the ring size of
# both loggers (large enough that nothing is overwritten); B services in
# part 3. Prints a markdown report and writes it to bench/results/log-latest.md.
# A benchmark, not a test: no figure fails it.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-5}
SENDERS=${SENDERS:-10}
COUNT=${COUNT:-10000}
LEN=${LEN:-100}
LINE=${LINE:-80}
RING=${RING:-16M}
B=${B:-200}
OUT=$ROOT/build/bench-log
RESULTS=$ROOT/bench/results

die() { echo "log.sh: $*" >&2; exit 1; }
note() { echo "log.sh: $*" >&2; }
[ "$(id -u)" = 0 ] || die "needs root (PID, mount and IPC namespaces)"
command -v python3 >/dev/null || die "needs python3"
command -v busybox >/dev/null || die "needs busybox (Debian package busybox-static)"
command -v unshare >/dev/null && command -v nsenter >/dev/null || die "needs unshare and nsenter (util-linux)"
T_START=$(date +%s)

case $RING in
*[Mm]) RING_KB=$((${RING%?} * 1024)) ;;
*[Kk]) RING_KB=${RING%?} ;;
*) RING_KB=$((RING / 1024)) ;;
esac

# ---- build ---------------------------------------------------------------------------
# keel: static with musl, as on a router, built in private trees (links to
# src/ and the Makefile, as bench/ns.sh does) so nobody's build or `make
# clean` changes a binary halfway. The baseline for part 3 is the last
# commit before the log ring came in, unpacked with `git archive` (read-only
# on the repository).
mkdir -p "$OUT" "$RESULTS"
build_tree() { # DIR -> path of keel, or fails
	make -s -C "$1" VARIANT=musl build/musl/keel build/musl/keelctl >>"$OUT/make.log" 2>&1 &&
		echo "$1/build/musl"
}
: >"$OUT/make.log"
mkdir -p "$OUT/tree"
ln -sfn ../../../src "$OUT/tree/src"
ln -sfn ../../../Makefile "$OUT/tree/Makefile"
make -s -C "$OUT/tree" VARIANT=musl build/musl/logread >>"$OUT/make.log" 2>&1 || true
NEW=$(build_tree "$OUT/tree") || die "cannot build keel with musl (see $OUT/make.log)"
DIRTY=$( [ -n "$(git -C "$ROOT" status --porcelain -- src Makefile 2>/dev/null)" ] && echo ' + uncommitted changes in src/' || true)
HEAD_ID=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo ?)
BASE_ID=
if first=$(git -C "$ROOT" log --diff-filter=A --format=%H -- src/lib/logring.c 2>/dev/null | tail -n 1) && [ -n "$first" ]; then
	BASE_ID=$(git -C "$ROOT" rev-parse --short "$first^")
elif [ -n "$DIRTY" ]; then
	BASE_ID=$HEAD_ID # the ring is not committed yet: HEAD is the last commit without it
fi
BASE=
if [ -n "$BASE_ID" ]; then
	bdir=$OUT/base-$BASE_ID
	if [ ! -x "$bdir/build/musl/keel" ]; then
		rm -rf "$bdir"
		mkdir -p "$bdir"
		git -C "$ROOT" archive "$BASE_ID" src Makefile | tar -x -C "$bdir"
	fi
	BASE=$(build_tree "$bdir") || { note "baseline $BASE_ID does not build (see $OUT/make.log)"; BASE=; }
fi
if [ -n "${KEEL_BUILD:-}" ]; then
	case $KEEL_BUILD in /*) ;; *) KEEL_BUILD=$ROOT/$KEEL_BUILD ;; esac
	[ -x "$KEEL_BUILD/keel" ] || die "no keel in $KEEL_BUILD"
	KB=$KEEL_BUILD
else
	KB=$NEW
fi
KEEL=$KB/keel LOGREAD=$KB/logread
[ -x "$LOGREAD" ] || LOGREAD=$NEW/logread

LF=$OUT/logflood NSRUN=$OUT/nsrun
for h in logflood nsrun; do
	if [ ! -x "$OUT/$h" ] || [ "$ROOT/bench/$h.c" -nt "$OUT/$h" ]; then
		cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -o "$OUT/$h" "$ROOT/bench/$h.c"
	fi
done

# What this keel understands (docs/logging.md names the options).
has_opt() { # PROG OPTION: PROG's usage names OPTION
	local h
	h=$("$1" --help 2>&1 || true)
	grep -q -- "$2" <<<"$h"
}
has_opt "$KEEL" --log-size || die "$KEEL has no --log-size: not a build with the log ring"
SYSLOG_OPT=
has_opt "$KEEL" --syslog-socket && SYSLOG_OPT=--syslog-socket
LOGSOCK_OPT=
has_opt "$KEEL" --log-socket && LOGSOCK_OPT=--log-socket

# ---- scratch space and cleanup --------------------------------------------------------------
WORK=$(mktemp -d /tmp/keel-logbench.XXXXXX)
chmod 755 "$WORK"
NS_PID='' KPID='' BB_PID=''
cleanup() {
	# Only what we started: SIGKILL to a namespace's PID 1 ends all of it.
	if [ -n "$NS_PID" ] && kill -0 "$NS_PID" 2>/dev/null; then
		[ -n "$KPID" ] && kill -KILL "$KPID" 2>/dev/null || true
		wait "$NS_PID" 2>/dev/null || true
	fi
	if [ -n "$BB_PID" ] && kill -0 "$BB_PID" 2>/dev/null; then
		kill -KILL "$BB_PID" 2>/dev/null || true
		wait "$BB_PID" 2>/dev/null || true
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
CTLSOCK=$WORK/ctl.sock LOGSOCK=$WORK/log.sock CONSOLE=$WORK/console.log

# ---- small tools -----------------------------------------------------------------------------
stats() { # numbers on stdin -> "median min max n"
	python3 -c '
import sys, statistics
v = [float(l) for l in sys.stdin if l.strip()]
print("%g %g %g %d" % (statistics.median(v), min(v), max(v), len(v)) if v else "nan nan nan 0")'
}
med() { stats | cut -d' ' -f1; }
range0() { stats | awk '{printf "%.0f (%.0f–%.0f)", $1, $2, $3}'; }
calc() { python3 -c "print($1)"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
mem() { awk '/^Rss:/ {r = $2} /^Pss:/ {p = $2} END {print r, p}' "/proc/$1/smaps_rollup"; }
kv() { sed -n "s/^$1=//p" "$2"; } # KEY FILE

# "${PRIVDEV[@]}" DIR CMD...: CMD in a mount namespace of its own whose
# /dev is a small tmpfs (mounted on DIR first) holding only null. busybox
# syslogd binds /dev/log and has no option for another path; keel runs the
# same way so that neither can create anything in the host's /dev (a
# devtmpfs shared with the host) and the host's kernel log stays out of
# keel's ring. An array, not a function: `CMD &` then gives CMD's own pid
# (unshare and sh exec in place).
PRIVDEV=(unshare --mount --propagation private -- /bin/sh -c '
	set -e
	d=$1; shift
	mkdir -p "$d"
	mount -t tmpfs -o mode=0755,size=1m bench-dev "$d"
	: >"$d/null"
	mount --bind /dev/null "$d/null"
	mount --move "$d" /dev
	exec "$@"' sh)

# keel_boot KEEL DIR [ARGS...]: KEEL as PID 1 of a fresh PID namespace.
# Sets KPID (host pid) and SYSLOG (the path senders use).
keel_boot() {
	local k=$1 dir=$2
	shift 2
	rm -f "$WORK/pid" "$WORK/t0" "$CTLSOCK" "$LOGSOCK" "$WORK/syslog.sock"
	local args=(--service-dir "$dir" --socket "$CTLSOCK")
	if has_opt "$k" --log-size; then
		[ -n "$LOGSOCK_OPT" ] && args+=("$LOGSOCK_OPT" "$LOGSOCK")
		[ -n "$SYSLOG_OPT" ] && args+=("$SYSLOG_OPT" "$WORK/syslog.sock")
	fi
	CTLBIN=$(dirname "$k")/keelctl
	"${PRIVDEV[@]}" "$WORK/dev.$RANDOM" "$NSRUN" "$WORK/t0" "$WORK/pid" "$k" "${args[@]}" "$@" >"$CONSOLE" 2>&1 &
	NS_PID=$!
	"$LF" waitlines "$WORK/pid" 1 5000 || die "nsrun did not start"
	KPID=$(cat "$WORK/pid")
	"$LF" waitsock "$CTLSOCK" 10000 || { cat "$CONSOLE" >&2; die "keel's control socket did not appear"; }
	SYSLOG=
	if has_opt "$k" --log-size; then
		if [ -n "$SYSLOG_OPT" ]; then SYSLOG=$WORK/syslog.sock; else SYSLOG=/proc/$KPID/root/dev/log; fi
		"$LF" waitsock "$SYSLOG" 10000 || { cat "$CONSOLE" >&2; die "keel's syslog socket $SYSLOG did not appear"; }
	fi
}
keel_halt() {
	timeout 30 "$CTLBIN" --socket "$CTLSOCK" poweroff >/dev/null 2>&1 || kill -KILL "$KPID" 2>/dev/null || true
	wait "$NS_PID" || true
	NS_PID='' KPID=''
}
# keel_dump FILE: the whole ring, one record a line: keel's logread, else
# the protocol spoken directly (logflood keeldump).
keel_dump() {
	if [ -x "$LOGREAD" ] && "$LOGREAD" --socket "$LOGSOCK" >"$1" 2>"$WORK/logread.err"; then
		DUMPER=logread
		return 0
	fi
	DUMPER="logflood keeldump (logread failed: $(head -c 200 "$WORK/logread.err" | tr '\n' ' '))"
	"$LF" keeldump "$LOGSOCK" >"$1"
}
DUMPER=

# bb_boot: busybox syslogd with a RING_KB ring in shared memory, in its own
# mount namespace (a private /dev/log) and IPC namespace (a private ring:
# the key is fixed). Sets BB_PID.
bb_boot() {
	unshare --ipc -- true 2>/dev/null || die "no IPC namespaces"
	"${PRIVDEV[@]}" "$WORK/dev.$RANDOM" unshare --ipc -- busybox syslogd -n -C"$RING_KB" -O /dev/null >"$WORK/bb.log" 2>&1 &
	BB_PID=$!
	# unshare and sh exec in place: $! becomes syslogd itself.
	"$LF" waitsock "/proc/$BB_PID/root/dev/log" 5000 || { cat "$WORK/bb.log" >&2; die "busybox syslogd did not start"; }
}
bb_halt() { kill -TERM "$BB_PID"; wait "$BB_PID" || true; BB_PID=; }
bb_dump() { nsenter -t "$BB_PID" --ipc busybox logread; }

REPORT=$WORK/report.md
LOAD0=$(load)

# ---- 1. syslog flood ---------------------------------------------------------------------------
# flood LOGGER_PID SOCK RATE: one flood; its key=value lines land in $WORK/flood.
flood() { "$LF" dgram "$2" "$SENDERS" "$COUNT" "$LEN" "$1" "$3" >"$WORK/flood" 2>"$WORK/flood.err" || { cat "$WORK/flood.err" >&2; die "the flood failed"; }; }

# one_run WHO RATE: boot WHO (keel|bb), flood, count; appends a row of raw
# figures to $WORK/raw.WHO: rate ticks cpu_ns rss0 pss0 rss1 pss1 missing dup
one_run() {
	local who=$1 rate=$2 pid sock r0 p0 r1 p1
	if [ "$who" = keel ]; then
		mkdir -p "$WORK/empty"
		keel_boot "$KEEL" "$WORK/empty" --log-size "$RING"
		pid=$KPID sock=$SYSLOG
	else
		bb_boot
		pid=$BB_PID sock=/proc/$BB_PID/root/dev/log
	fi
	"$LF" idle "$pid" 100 10000 || true
	read -r r0 p0 < <(mem "$pid")
	flood "$pid" "$sock" "$rate"
	read -r r1 p1 < <(mem "$pid")
	if [ "$who" = keel ]; then keel_dump "$WORK/dump"; else bb_dump >"$WORK/dump"; fi
	"$LF" count "$SENDERS" "$COUNT" <"$WORK/dump" >"$WORK/count"
	if [ "$who" = keel ]; then keel_halt; else bb_halt; fi
	echo "$(kv rate "$WORK/flood") $(kv ticks "$WORK/flood") $(kv cpu_ns "$WORK/flood") $r0 $p0 $r1 $p1 $(kv missing "$WORK/count") $(kv dup "$WORK/count") $rate $(kv suppressed "$WORK/count")" >>"$WORK/raw.$who"
}

note "1. syslog flood: $SENDERS senders x $COUNT lines, $RUNS runs per logger"
: >"$WORK/raw.keel"
: >"$WORK/raw.bb"
for ((r = 0; r < RUNS; r++)); do
	# Interleaved, so load from the machine's other users hits both alike.
	one_run keel 0
	one_run bb 0
done
# Blocking senders cannot lose a datagram at the socket (a full queue
# makes them wait), so flat out is the highest zero-loss rate unless the
# logger itself drops lines. If it does, pace the senders down from its
# flat-out rate until a run keeps every line.
PACED=
for who in keel bb; do
	if awk '$8 != 0 {bad = 1} END {exit !bad}' "$WORK/raw.$who"; then
		top=$(cut -d' ' -f1 "$WORK/raw.$who" | med)
		for f in 0.8 0.6 0.4 0.2 0.1; do
			# A slow paced run takes long: the whole bench stays under 5 minutes.
			if (($(date +%s) - T_START > 150)); then
				note "$who: no more paced runs (time)"
				PACED+="$who: stopped for time "
				break
			fi
			per=$(calc "int($top * $f / $SENDERS)")
			note "$who lost lines flat out: paced at $per lines/s per sender"
			: >"$WORK/raw.$who"
			one_run "$who" "$per"
			PACED+="$who:$per "
			awk '$8 != 0 {bad = 1} END {exit !bad}' "$WORK/raw.$who" || break
		done
	fi
done

LINES=$((SENDERS * COUNT))
HZ=$(getconf CLK_TCK)
row() { # LABEL SOURCE RAWFILE
	local f=$3
	local rate cpu cpuns r0 p0 r1 p1 miss
	rate=$(cut -d' ' -f1 "$f" | range0)
	cpu=$(awk -v hz="$HZ" -v n="$LINES" '{print $2 / hz * 100000 / n}' "$f" | med)
	cpuns=$(awk -v n="$LINES" '{print $3 / 1e6 * 100000 / n}' "$f" | med)
	r0=$(cut -d' ' -f4 "$f" | med) p0=$(cut -d' ' -f5 "$f" | med)
	r1=$(cut -d' ' -f6 "$f" | med) p1=$(cut -d' ' -f7 "$f" | med)
	miss=$(awk '{m += $8; d += $9; s += $11} END {printf "%d lost, %d duplicated, %d \"suppressed\" records", m, d, s}' "$f")
	local paced
	paced=$(awk '$10 > 0 {print "; paced at " $10 * '"$SENDERS"' " lines/s"; exit}' "$f")
	printf '| %s | %s | %d × %d | %s%s | **%s** | %.2f | %.0f | %s → %s | %s → %s |\n' "$1" "$2" \
		"$(wc -l <"$f")" "$LINES" "$miss" "$paced" "$rate" "$cpu" "$cpuns" "${r0%.*}" "${r1%.*}" "${p0%.*}" "${p1%.*}"
}

# ---- 2. stdout capture ---------------------------------------------------------------------------
# gen_out DIR [LOG_LINE]: SENDERS flooding services.
gen_out() {
	local i
	mkdir -p "$1"
	for ((i = 0; i < SENDERS; i++)); do
		{
			printf 'type respawn\nexec %s out %d %d %d %s %s %s\n' "$LF" "$i" "$COUNT" "$LINE" \
				"$WORK/go" "$WORK/ready" "$WORK/done"
			if [ -n "${2:-}" ]; then printf '%s\n' "$2"; fi
		} >"$1/$(printf 'flood%02d' "$i")"
	done
}
# cap_run DIR RAWFILE: one boot, the services released together, counted.
cap_run() {
	local r0 p0 r1 p1
	rm -f "$WORK/go" "$WORK/ready" "$WORK/done"
	mkfifo "$WORK/go"
	keel_boot "$KEEL" "$1" --log-size "$RING"
	"$LF" waitlines "$WORK/ready" "$SENDERS" 20000 || { cat "$CONSOLE" >&2; die "the flooding services did not start"; }
	"$LF" idle "$KPID" 100 10000 || true
	read -r r0 p0 < <(mem "$KPID")
	"$LF" capture "$KPID" "$WORK/go" "$WORK/done" "$SENDERS" "$COUNT" >"$WORK/flood" 2>"$WORK/flood.err" ||
		{ cat "$WORK/flood.err" "$CONSOLE" >&2; die "the capture run failed"; }
	read -r r1 p1 < <(mem "$KPID")
	keel_dump "$WORK/dump"
	"$LF" count "$SENDERS" "$COUNT" <"$WORK/dump" >"$WORK/count"
	[ -z "$CAP_STATUS" ] && CAP_STATUS=$(timeout 10 "$CTLBIN" --socket "$CTLSOCK" status flood00 2>&1 | head -n 3 || true)
	keel_halt
	echo "$(kv rate "$WORK/flood") $(kv ticks "$WORK/flood") $(kv cpu_ns "$WORK/flood") $r0 $p0 $r1 $p1 $(kv missing "$WORK/count") $(kv dup "$WORK/count") 0 $(kv suppressed "$WORK/count")" >>"$2"
}
note "2. stdout capture: $SENDERS services x $COUNT lines, $RUNS runs, and one with the default rate limit"
gen_out "$WORK/svc-out" "log ring rate 0"
gen_out "$WORK/svc-default"
: >"$WORK/raw.cap"
: >"$WORK/raw.capdef"
CAP_STATUS=
for ((r = 0; r < RUNS; r++)); do
	cap_run "$WORK/svc-out" "$WORK/raw.cap"
done
# The control: the same services without `rate 0` (the default limit,
# 1000 lines/s per service) lose lines, so the rows above really ran
# without the limit.
cap_run "$WORK/svc-default" "$WORK/raw.capdef"

# ---- 3. PID 1 PSS on workload B --------------------------------------------------------------------
note "3. PID 1 memory, $B independent daemons, $RUNS boots per build"
SVCB=$WORK/svc-b
mkdir -p "$SVCB"
for ((i = 0; i < B; i++)); do
	printf 'type respawn\nexec %s stamp %s\n' "$LF" "$WORK/stamps" >"$SVCB/$(printf 'd%04d' "$i")"
done
: >"$WORK/raw.b.new"
: >"$WORK/raw.b.base"
b_boot() { # KEEL-DIR RAWFILE
	rm -f "$WORK/stamps"
	keel_boot "$1/keel" "$SVCB"
	"$LF" waitlines "$WORK/stamps" "$B" 60000 || { cat "$CONSOLE" >&2; die "workload B did not start"; }
	"$LF" idle "$KPID" 100 10000 || true
	local r0 p0 r1=- p1=- fds
	read -r r0 p0 < <(mem "$KPID")
	fds=$(find "/proc/$KPID/fd" -mindepth 1 -maxdepth 1 | wc -l)
	if [ -n "$SYSLOG" ]; then
		# The same boot with its ring full (every page of it touched):
		# 1000 lines of LEN bytes are more than the default ring holds.
		"$LF" dgram "$SYSLOG" 1 1000 "$LEN" "$KPID" >/dev/null
		read -r r1 p1 < <(mem "$KPID")
	fi
	keel_halt
	echo "$r0 $p0 $r1 $p1 $fds" >>"$2"
}
for ((r = 0; r < RUNS; r++)); do
	b_boot "$NEW" "$WORK/raw.b.new"
	[ -n "$BASE" ] && b_boot "$BASE" "$WORK/raw.b.base"
done
col() { cut -d' ' -f"$1" "$2" | med | cut -d. -f1; }

# ---- report ------------------------------------------------------------------------------------------
{
	echo "# keel's log ring against busybox syslogd -C"
	echo ""
	echo "- date: $(date '+%Y-%m-%d %H:%M %Z'); host: $(uname -srm); $(nproc) CPUs; load average at start $LOAD0, at the end $(load); $(($(date +%s) - T_START)) s in all"
	echo "- keel: commit $HEAD_ID$DIRTY; parts 1–2: \`${KB#"$ROOT"/}/keel\`$(file -L "$KEEL" 2>/dev/null | grep -q 'statically linked' && echo ' (static)'); part 3: musl static builds (\`make VARIANT=musl\` in build/bench-log/)"
	echo "- busybox: $(busybox 2>&1 | head -n 1 | sed 's/ multi-call binary.*//') (Debian package busybox-static), \`syslogd -n -C$RING_KB -O /dev/null\`, read with \`busybox logread\`"
	echo "- keel's ring read with: ${DUMPER:-?}"
	echo "- $SENDERS senders × $COUNT lines, $RUNS runs per row (interleaved), ring $RING for both; \`net.unix.max_dgram_qlen\` = $(cat /proc/sys/net/unix/max_dgram_qlen); CPU ticks of $((1000 / HZ)) ms"
	echo ""
	echo "## 1–2. Throughput with zero loss, CPU and memory of the logger"
	echo ""
	echo "| logger | source | runs × lines | loss (counted by sequence number in the ring) | lines/s, median (min–max) | CPU s / 100k lines (utime+stime) | CPU ms / 100k (schedstat) | RSS KiB idle → after | PSS KiB idle → after |"
	echo "|---|---|---|---|---:|---:|---:|---:|---:|"
	row "keel (PID 1)" "/dev/log datagrams, $SENDERS senders (${SYSLOG_OPT:-/dev/log in a private /dev}), ${LEN} B" "$WORK/raw.keel"
	row "busybox syslogd -C" "/dev/log datagrams, $SENDERS senders (private /dev), ${LEN} B" "$WORK/raw.bb"
	row "keel (PID 1)" "stdout of $SENDERS services, one write per ${LINE} B line, \`log ring rate 0\`" "$WORK/raw.cap"
	row "keel (PID 1), control" "the same with the default limit (no \`log\` line: 1000 lines/s per service); lines/s counts lines sent" "$WORK/raw.capdef"
	echo ""
	echo "Method. Each run starts a fresh logger. Senders (\`logflood dgram\`, forked first, released together)"
	echo "send numbered RFC 3164 messages with blocking \`sendto()\` on an AF_UNIX datagram socket, so a full"
	echo "receive queue makes them wait instead of losing a line: flat out is the highest zero-loss rate as long"
	echo "as the logger itself keeps every line, which the count checks$( [ -n "$PACED" ] && echo " (it did not: paced runs, $PACED lines/s per sender)")."
	echo "The time runs from the release to the instant the logger last used CPU before 50 ms of idleness"
	echo "(read from \`/proc/PID/schedstat\` every ms: by then it has taken every queued line). CPU is the logger's"
	echo "utime+stime (\`/proc/PID/stat\`) over the same span, per 100,000 lines; memory is \`/proc/PID/smaps_rollup\`"
	echo "before the flood (idle) and after it (busybox's shared-memory ring is mapped in syslogd, so it counts)."
	echo "After each run the whole ring is read (\`logread\`) and every sender's numbers 1…$COUNT are looked for."
	echo "Stdout: $SENDERS keel services (\`logflood out\`, \`log ring rate 0\`) wait on a FIFO and are released"
	echo "together; one \`write()\` per line into the pipe keel holds. The control run (once) has the same services"
	echo "with keel's default per-service limit: its losses and \"N lines suppressed\" records show the other rows ran without it."
	echo "The machine has 2 shared cores: $SENDERS senders and the logger compete for them, as on a busy device."
	if [ -n "$CAP_STATUS" ]; then
		echo ""
		echo "\`keelctl status flood00\` after a run of part 2 (its last lines come from the ring):"
		echo ""
		echo '```'
		printf '%s\n' "$CAP_STATUS"
		echo '```'
	fi
	echo ""
	echo "## 3. PID 1 memory on workload B ($B independent daemons), KiB, median of $RUNS boots"
	echo ""
	echo "| build | Pss after boot | Rss after boot | Pss, ring full | Rss, ring full | PID 1's open files |"
	echo "|---|---:|---:|---:|---:|---:|"
	echo "| with the log ring (default settings: 64 KiB ring, stdout/stderr of each daemon captured), $HEAD_ID$DIRTY | **$(col 2 "$WORK/raw.b.new")** | $(col 1 "$WORK/raw.b.new") | **$(col 4 "$WORK/raw.b.new")** | $(col 3 "$WORK/raw.b.new") | $(col 5 "$WORK/raw.b.new") |"
	if [ -n "$BASE" ]; then
		echo "| without (commit $BASE_ID, the last before the log ring) | $(col 2 "$WORK/raw.b.base") | $(col 1 "$WORK/raw.b.base") | – | – | $(col 5 "$WORK/raw.b.base") |"
	fi
	echo ""
	echo "Budget: 450 KiB PSS for PID 1 on B. Each daemon is \`logflood stamp\` (one line to a file, then"
	echo "\`pause()\`), \`type respawn\`; memory is read once PID 1 has been idle 100 ms after the last daemon started;"
	echo "\"ring full\" is the same boot after 1000 syslog lines of $LEN B (more than the ring holds), so every page"
	echo "of the ring is resident. keel runs as PID 1 of a PID namespace with a private /dev (no /dev/kmsg)."
} >"$REPORT"
cat "$REPORT"
cp "$REPORT" "$RESULTS/log-latest.md"
note "written to bench/results/log-latest.md"
