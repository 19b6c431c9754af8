#!/usr/bin/env bash
# scale.sh: keel as PID 1 with 10,000 services — start-up, status, reload and shutdown times, and PID 1's memory per service.
# SPDX-License-Identifier: MIT
#
# usage: bench/scale.sh              (as root; about a minute)
#   N=20000 KEEL_BUILD=build bench/scale.sh
# N services (default 10000), each `type once` running /bin/true, with a
# description, in one boot target, plus a 1000-service graph of 10 levels
# with `after levelN` (generic-name fan-in; a barrier node per generic
# name keeps it linear) and the same 1000 without edges (the floor of that
# figure). Prints a markdown report and
# writes it to bench/results/scale-latest.md. A benchmark, not a test: no
# figure fails it; the budget (PID 1 <= 0.5 KiB per service) is printed.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-10000}
BUILD=${KEEL_BUILD:-$ROOT/build/musl}
KEEL=$BUILD/keel CTL=$BUILD/keelctl
[ "$(id -u)" = 0 ] || { echo "scale.sh: needs root" >&2; exit 1; }
[ -x "$KEEL" ] || make -s -C "$ROOT" static >/dev/null
W=$(mktemp -d /tmp/keel-scale.XXXXXX)
trap 'kill -9 $NS 2>/dev/null; rm -rf "$W"' EXIT
ms() { echo $(($(date +%s%N) / 1000000)); }
kib() { awk -v k="$2" '$1 == k":" {print $2}' "$1"; }

# boot NAME DIR ARGS...: keel on DIR; sets PID1, T0 (ms when started).
boot() {
	rm -f "$W/sock"
	T0=$(ms)
	unshare --pid --fork --mount --mount-proc "$KEEL" --service-dir "$2" --socket "$W/sock" \
		--cmdline "" --log-mode null "${@:3}" >"$W/$1.console" 2>&1 </dev/null &
	NS=$!
	until PID1=$(pgrep -P "$NS" | head -n 1) && [ -n "$PID1" ]; do sleep 0.01; done
}
reached() { grep -q "target boot reached" "$W/$1.console"; }

mkdir -p "$W/big" "$W/levels" "$W/flat"
for i in $(seq 1 "$N"); do
	printf 'type once\nexec /bin/true\ndescription "service %s"\n' "$i" >"$W/big/s$i"
done
for l in $(seq 0 9); do
	for i in $(seq 1 100); do
		{
			echo "exec /bin/true"
			echo "type once"
			[ "$l" -gt 0 ] && echo "after level$((l - 1))"
		} >"$W/levels/level$l@$i"
		printf 'exec /bin/true\ntype once\n' >"$W/flat/level$l@$i"
	done
done

# ---- N services ----
base_rss=$( { boot base "$W/levels/none" || true; sleep 0.5; kib "/proc/$PID1/status" VmRSS; \
	"$CTL" --socket "$W/sock" poweroff >/dev/null 2>&1; wait "$NS" 2>/dev/null; } || true)
boot big "$W/big"
until reached big; do sleep 0.01; done
t_start=$(($(ms) - T0))
until [ "$("$CTL" --socket "$W/sock" status 2>/dev/null | grep -c ' done ')" -ge "$N" ]; do sleep 0.2; done
t_all=$(($(ms) - T0))
rss_boot=$(kib "/proc/$PID1/status" VmRSS)
t=$(ms); "$CTL" --socket "$W/sock" status >"$W/status.txt"; t_status=$(($(ms) - t))
rss_status=$(kib "/proc/$PID1/status" VmRSS)
t=$(ms); "$CTL" --socket "$W/sock" reload >/dev/null; t_reload=$(($(ms) - t))
rss=$(kib "/proc/$PID1/status" VmRSS); hwm=$(kib "/proc/$PID1/status" VmHWM)
pss=$(awk '/^Pss:/ {print $2}' "/proc/$PID1/smaps_rollup")
t=$(ms); "$CTL" --socket "$W/sock" poweroff >/dev/null; wait "$NS" 2>/dev/null || true; t_stop=$(($(ms) - t))
dropped=$(grep -o "[0-9]* console lines dropped" "$W/big.console" | head -n 1 || true)

# ---- 1000 services in 10 levels, `after levelN` ----
boot levels "$W/levels"
until reached levels; do sleep 0.01; done
t_levels=$(($(ms) - T0))
lv_hwm=$(kib "/proc/$PID1/status" VmHWM); lv_rss=$(kib "/proc/$PID1/status" VmRSS)
"$CTL" --socket "$W/sock" poweroff >/dev/null; wait "$NS" 2>/dev/null || true
boot flat "$W/flat"
until reached flat; do sleep 0.01; done
fl_hwm=$(kib "/proc/$PID1/status" VmHWM)
"$CTL" --socket "$W/sock" poweroff >/dev/null; wait "$NS" 2>/dev/null || true

per=$(( (pss - ${base_pss:-0}) ))
report=$(cat <<REPORT
# keel at scale ($(date -u +%Y-%m-%d), $(uname -r), $(nproc) CPUs, $(basename "$BUILD") build, $(size "$KEEL" | awk 'NR==2 {print $1 "+" $2 "+" $3}') text+data+bss)

| $N services (\`type once\`, /bin/true) | figure |
|---|---|
| start-up: keel started → \`target boot reached\` | $t_start ms |
| every service done | $t_all ms |
| \`keelctl status\` ($(wc -c <"$W/status.txt") bytes) | $t_status ms |
| \`keelctl reload\` (nothing changed) | $t_reload ms |
| \`keelctl poweroff\` → namespace ended | $t_stop ms |
| PID 1 RSS after boot / after \`status\` / after the reload | $rss_boot / $rss_status / $rss KiB |
| PID 1 peak (VmHWM) / PSS at the end | $hwm / $pss KiB |
| PID 1 with no service (RSS) | ${base_rss:-?} KiB |
| per service (RSS after boot over the empty one) | $(( (rss_boot - ${base_rss:-0}) * 1024 / N )) bytes (budget 512) |
| console | ${dropped:-no line dropped} |

| 1000 services, 10 levels, \`after levelN\` (100 instances each) | figure |
|---|---|
| start-up → target reached | $t_levels ms |
| PID 1 peak (VmHWM) / RSS | $lv_hwm / $lv_rss KiB |
| the same 1000 without \`after\` (the floor): PID 1 peak | $fl_hwm KiB |
REPORT
)
echo "$report"
mkdir -p "$ROOT/bench/results"
echo "$report" >"$ROOT/bench/results/scale-latest.md"
