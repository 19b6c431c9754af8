#!/bin/bash
# run.sh: boots keel, the floor and five peer inits (busybox, sysvinit, runit, s6, finit) under QEMU on workloads A/B/C and writes bench/results/vm-latest.{md,png}.
# SPDX-License-Identifier: MIT
# Usage: bench/vm/run.sh [--runs N] [--workloads A,B,C] [--inits keel,floor,busybox,...] [--fresh]
#   inits: keel keelv (keel --verbose) floor busybox sysvinit runit s6 finit
#   --runs N       boots per (workload, init), default 5; added to the boots already logged
#                  in build/bench-vm/logs (so 3 now and 2 later make 5); --fresh clears them
#   --report-only  no boots: rebuild the report from the logs
# Workloads: A = 20 daemons in a DAG 9 levels deep, B = 200 independent, C = 1000 independent.
# Same kernel (Debian cloud), QEMU (TCG, 2 vCPUs, 512 MiB), busybox userland and prelude
# (/init = pre: mounts, then exec of the init) for every init; only PID 1 and its
# configuration differ. Figures come from the guest's kernel clock (see report.py).
set -u
RUNS=5 WLS=A,B INITS=keel,keelv,floor,busybox,sysvinit,runit,s6,finit FRESH=0 REPORT_ONLY=0
while [ $# -gt 0 ]; do
	case $1 in
	--runs) RUNS=$2; shift ;;
	--workloads) WLS=$2; shift ;;
	--inits) INITS=$2; shift ;;
	--fresh) FRESH=1 ;;
	--report-only) REPORT_ONLY=1 ;;
	*) echo "usage: $0 [--runs N] [--workloads A,B,C] [--inits keel,floor,...] [--fresh] [--report-only]" >&2; exit 100 ;;
	esac
	shift
done
TOP=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$TOP/build/bench-vm
LOGS=$OUT/logs
PKG=$OUT/pkg
mkdir -p "$OUT/bin" "$LOGS" "$PKG" "$TOP/bench/results"
[ "$FRESH" = 1 ] && rm -f "$LOGS"/*.log
die() { echo "vm/run.sh: $*" >&2; exit 1; }
note() { echo "vm/run.sh: $*" >&2; }

report() { python3 "$TOP/bench/vm/report.py" "$OUT" "$TOP/bench/results"; }
[ "$REPORT_ONLY" = 1 ] && { report; exit; }

# ---- build: keel in a private tree (as bench/ns.sh does), the helpers -------------------
TREE=$OUT/tree
mkdir -p "$TREE"
ln -sfn ../../../src "$TREE/src"
ln -sfn ../../../Makefile "$TREE/Makefile"
make -s -C "$TREE" VARIANT=musl build/musl/keel build/musl/keelctl >"$OUT/make.log" 2>&1 ||
	die "keel build failed (see $OUT/make.log)"
mkdir -p "$OUT/keel"
cp "$TREE/build/musl/keel" "$TREE/build/musl/keelctl" "$OUT/keel/"
for c in bd pre probe floor; do
	musl-gcc -static -std=c11 -D_GNU_SOURCE -Os -s -Wall -Wextra -o "$OUT/bin/$c" "$TOP/bench/vm/$c.c" ||
		die "cannot compile $c.c"
done

# ---- peers: Debian's packages, unpacked once, one folder per init -------------------------
declare -A DEBS=(
	[busybox]="busybox-static"
	[sysvinit]="sysvinit-core"
	[runit]="runit"
	[s6]="s6 libs6-2.11 libskarnet2.13 execline libexecline2.9"
	[finit]="finit libite5 libuev3"
)
for i in ${INITS//,/ }; do
	[ -n "${DEBS[$i]:-}" ] || continue
	[ -d "$PKG/$i" ] && continue
	tmp=$(mktemp -d)
	(cd "$tmp" && apt-get download ${DEBS[$i]} >/dev/null 2>&1) || die "apt-get download ${DEBS[$i]} failed"
	mkdir -p "$PKG/$i.new"
	for d in "$tmp"/*.deb; do dpkg-deb -x "$d" "$PKG/$i.new"; done
	rm -rf "$tmp"
	mv "$PKG/$i.new" "$PKG/$i"
done

# ---- the harness ---------------------------------------------------------------------------
export KEEL_SRC=$TOP KEEL_BUILD=$OUT/keel
VM_SMP=2 VM_MEM=512M VM_MODULES=
# printk.time: every kmsg record and console line carries the kernel clock; a larger log
# buffer keeps all 1000 ready stamps of workload C.
VM_APPEND="printk.time=1 log_buf_len=4M ${BENCH_APPEND:-}"
# The kernel line stays "console=ttyS0 quiet ...", as on a production image: no
# keel.verbose (which tests/vm/lib.sh adds for the tests).
VM_KEEL_ARGS=
. "$TOP/tests/vm/lib.sh"
vm_setup bench-vm
echo "$VM_KVER" >"$OUT/kver"

# wl_graph WL: "NAME DEP..." lines. A: level sizes 3 3 2 2 2 2 2 2 2 (20 services, 9
# levels); member j of a level depends on members j and j+1 (mod size) of the level before.
wl_graph() {
	case $1 in
	A) python3 - <<'P'
sizes = [3, 3, 2, 2, 2, 2, 2, 2, 2]
prev, n = [], 0
for size in sizes:
    cur = ["s%02d" % (n + j) for j in range(size)]
    for j, name in enumerate(cur):
        deps = sorted({prev[j % len(prev)], prev[(j + 1) % len(prev)]}) if prev else []
        print(" ".join([name] + deps))
    prev, n = cur, n + size
P
	;;
	B) seq -f 's%04g' 0 199 ;;
	C) seq -f 's%04g' 0 999 ;;
	esac
}

# Copies a peer's program into the root with its shared libraries (from the unpacked
# packages first, then the host's, which is the same Debian release).
peer_prog() {
	local init=$1 path=$2 lib dest
	install -D -m 0755 "$PKG/$init$path" "$VM_ROOT$path"
	for lib in $(LD_LIBRARY_PATH=$PKG/$init/usr/lib/x86_64-linux-gnu:$PKG/$init/lib/x86_64-linux-gnu \
		ldd "$PKG/$init$path" 2>/dev/null | grep -o '/[^ ]*'); do
		dest=${lib#"$PKG/$init"}
		[ -e "$VM_ROOT$dest" ] || install -D -m 0755 "$lib" "$VM_ROOT$dest"
		echo "$dest" >>"$VM_WORK/files"
	done
	echo "$path" >>"$VM_WORK/files"
}

# One word a line: the init's argv, the poweroff command's argv.
argv_file() { local f=$1; shift; mkdir -p "$(dirname "$f")"; printf '%s\n' "$@" >"$f"; }

img_keel() {
	local name deps
	while read -r name deps; do
		vm_service "$name" <<X
type respawn
ready fd 3
${deps:+after $deps}
exec /bin/bd -n 3 $name
X
	done <"$GRAPH"
	argv_file "$VM_ROOT/etc/bench/init" /sbin/keel
	printf '%s\n' /sbin/keel /sbin/keelctl >"$VM_WORK/files"
	argv_file "$VM_ROOT/etc/bench/poweroff" /sbin/keelctl poweroff
	MODE="keel: after + ready fd 3"
}

# keel with --verbose (keel.verbose): an [ OK ] line per service on the serial console
# although the kernel's line says quiet (plain keel takes "quiet" as a quiet boot).
img_keelv() {
	img_keel
	argv_file "$VM_ROOT/etc/bench/init" /sbin/keel --verbose
	MODE="keel --verbose: after + ready fd 3"
}

img_floor() {
	install -m 0755 "$OUT/bin/floor" "$VM_ROOT/sbin/floor"
	cp "$GRAPH" "$VM_ROOT/etc/floor.conf"
	argv_file "$VM_ROOT/etc/bench/init" /sbin/floor
	echo /sbin/floor >"$VM_WORK/files"
	argv_file "$VM_ROOT/etc/bench/poweroff" /bin/busybox poweroff
	MODE="floor: deps + pipe on fd 3"
}

img_busybox() {
	ln -sf /bin/busybox "$VM_ROOT/sbin/init"
	local name deps
	while read -r name deps; do echo "::respawn:/bin/bd -w $name $deps"; done <"$GRAPH" >"$VM_ROOT/etc/inittab"
	argv_file "$VM_ROOT/etc/bench/init" /sbin/init
	argv_file "$VM_ROOT/etc/bench/poweroff" /sbin/poweroff
	echo /bin/busybox >"$VM_WORK/files"
	MODE="inittab respawn + polling shim (bd -w, 5 ms)"
}

img_sysvinit() {
	local p name deps n=0
	for p in /sbin/init /sbin/halt /sbin/telinit /sbin/runlevel /sbin/shutdown; do
		rm -f "$VM_ROOT$p"
		peer_prog sysvinit "$p"
	done
	{
		echo "id:2:initdefault:"
		while read -r name deps; do
			# ids: 1-4 characters, unique
			printf '%s:2:respawn:/bin/bd -w %s %s\n' "b$(printf '%03x' $n)" "$name" "$deps"
			n=$((n + 1))
		done <"$GRAPH"
		echo "z0:0:wait:/sbin/halt -d -f -p"
	} >"$VM_ROOT/etc/inittab"
	argv_file "$VM_ROOT/etc/bench/init" /sbin/init
	argv_file "$VM_ROOT/etc/bench/poweroff" /sbin/telinit 0
	MODE="inittab respawn + polling shim (bd -w, 5 ms)"
}

img_runit() {
	local p name deps d
	for p in /sbin/runit /usr/bin/runsvdir /usr/bin/runsv /usr/bin/sv; do
		rm -f "$VM_ROOT$p"
		peer_prog runit "$p"
	done
	mkdir -p "$VM_ROOT/etc/runit" "$VM_ROOT/etc/service"
	# Stages as Debian's runit has them, minus the sysv emulation.
	vm_file /etc/runit/1 0755 <<'X'
#!/bin/sh
: >/run/runit.stopit
: >/run/runit.reboot
chmod 000 /run/runit.stopit /run/runit.reboot
X
	vm_file /etc/runit/2 0755 <<'X'
#!/bin/sh
exec runsvdir -P /etc/service
X
	vm_file /etc/runit/3 0755 <<'X'
#!/bin/sh
sv force-stop /etc/service/*
sv exit /etc/service/*
X
	# What Debian's runit-init 0 does (it is in the runit-init package).
	vm_file /etc/bench/runit-poweroff 0755 <<'X'
#!/bin/sh
chmod 100 /run/runit.stopit
chmod 000 /run/runit.reboot
kill -CONT 1
X
	while read -r name deps; do
		d=$VM_ROOT/etc/service/$name
		mkdir -p "$d"
		if [ -z "$deps" ]; then
			ln -s /bin/bd "$d/run"
		else
			{
				echo '#!/bin/sh'
				echo "sv start $(for x in $deps; do printf '/etc/service/%s ' "$x"; done)>/dev/null || exit 1"
				echo "exec /bin/bd $name"
			} >"$d/run"
			chmod 755 "$d/run"
		fi
	done <"$GRAPH"
	# runit's readiness: `sv start` waits for ./check to succeed.
	if grep -q ' ' "$GRAPH"; then
		while read -r name deps; do
			printf '#!/bin/sh\nexec test -e /bench/r/%s\n' "$name" >"$VM_ROOT/etc/service/$name/check"
			chmod 755 "$VM_ROOT/etc/service/$name/check"
		done <"$GRAPH"
	fi
	argv_file "$VM_ROOT/etc/bench/init" /sbin/runit
	argv_file "$VM_ROOT/etc/bench/poweroff" /etc/bench/runit-poweroff
	MODE="run script: sv start DEPS (waits for ./check) || exit"
}

img_s6() {
	local p name deps d n
	for p in /usr/bin/s6-svscan /usr/bin/s6-supervise /usr/bin/s6-svscanctl /usr/bin/s6-svwait /usr/bin/s6-ftrigrd \
		/usr/lib/execline/bin/execlineb /usr/lib/execline/bin/if; do
		peer_prog s6 "$p"
	done
	mkdir -p "$VM_ROOT/etc/s6/sv/.s6-svscan"
	vm_file /etc/s6/sv/.s6-svscan/finish 0755 <<'X'
#!/bin/sh
exec /bin/busybox poweroff -f
X
	while read -r name deps; do
		d=$VM_ROOT/etc/s6/sv/$name
		mkdir -p "$d"
		echo 3 >"$d/notification-fd"
		if [ -z "$deps" ]; then
			ln -s /bin/bd "$d/run"
		else
			{
				echo '#!/usr/lib/execline/bin/execlineb -P'
				echo "/usr/lib/execline/bin/if { /usr/bin/s6-svwait -U $(for x in $deps; do printf '/etc/s6/sv/%s ' "$x"; done)}"
				echo "/bin/bd -n 3 $name"
			} >"$d/run"
			chmod 755 "$d/run"
		fi
	done <"$GRAPH"
	n=$(wc -l <"$GRAPH")
	# s6-svscan's default limit is 500 services.
	if [ "$n" -gt 450 ]; then
		argv_file "$VM_ROOT/etc/bench/init" /usr/bin/s6-svscan -c $((n + 100)) /etc/s6/sv
	else
		argv_file "$VM_ROOT/etc/bench/init" /usr/bin/s6-svscan /etc/s6/sv
	fi
	argv_file "$VM_ROOT/etc/bench/poweroff" /usr/bin/s6-svscanctl -t /etc/s6/sv
	MODE="notification-fd 3; run: if { s6-svwait -U DEPS }"
}

img_finit() {
	local p name deps c
	peer_prog finit /sbin/finit
	for p in "$PKG"/finit/lib/finit/*; do
		[ -f "$p" ] && peer_prog finit "/lib/finit/$(basename "$p")"
	done
	# finit ends its bootstrap with "initctl -b runlevel 2", found through PATH.
	ln -s /lib/finit/initctl "$VM_ROOT/sbin/initctl"
	# finit mounts /etc/fstab at boot: an empty one (pre did the mounts already).
	: >"$VM_ROOT/etc/fstab"
	{
		echo "runlevel 2"
		while read -r name deps; do
			c=
			[ -n "$deps" ] && c="<$(echo $deps | sed 's/\([^ ]*\)/pid\/bd:\1/g; s/ /,/g')> "
			# finit tells services apart by command and :ID (all run /bin/bd)
			echo "service [2] :$name pid:!/run/$name.pid ${c}/bin/bd -p /run/$name.pid $name -- $name"
		done <"$GRAPH"
	} >"$VM_ROOT/etc/finit.conf"
	argv_file "$VM_ROOT/etc/bench/init" /sbin/finit
	argv_file "$VM_ROOT/etc/bench/poweroff" /lib/finit/initctl poweroff
	MODE="pid file + <pid/bd:DEP> conditions"
}

# make_image INIT WL: $VM_WORK/INIT-WL.cpio, and its dependency mode in INIT-WL.mode
make_image() {
	local init=$1 wl=$2
	GRAPH=$VM_WORK/graph-$wl
	wl_graph "$wl" >"$GRAPH"
	vm_root_new
	rm -f "$VM_ROOT/init" "$VM_ROOT/sbin/init"
	case $init in keel*) true ;; *) false ;; esac && ln -s /sbin/keel "$VM_ROOT/sbin/init" ||
		rm -f "$VM_ROOT/sbin/keel" "$VM_ROOT/sbin/keelctl"
	install -m 0755 "$OUT/bin/pre" "$VM_ROOT/init"
	ln -s /run "$VM_ROOT/var/run" # as on Debian; finit's socket and pid files live there
	install -m 0755 "$OUT/bin/bd" "$VM_ROOT/bin/bd"
	install -m 0755 "$OUT/bin/probe" "$VM_ROOT/bin/probe"
	mkdir -p "$VM_ROOT/etc/bench"
	wc -l <"$GRAPH" >"$VM_ROOT/etc/bench/count"
	"img_$init"
	vm_pack
	mv "$VM_INITRD" "$VM_WORK/$init-$wl.cpio"
	echo "$MODE" >"$OUT/mode-$init"
	# Sizes for the report: the init's programs and the shared libraries they load.
	sort -u "$VM_WORK/files" | while read -r f; do printf '%s %s\n' "$(stat -L -c %s "$VM_ROOT$f")" "$f"; done >"$OUT/files-$init"
	p=$(head -n1 "$VM_ROOT/etc/bench/init")
	[ -L "$VM_ROOT$p" ] && p=$(readlink "$VM_ROOT$p")
	echo "$p" >"$OUT/pid1-$init"
}

for wl in A B C; do wl_graph $wl >"$OUT/graph-$wl"; done
for wl in ${WLS//,/ }; do
	for init in ${INITS//,/ }; do
		: >"$VM_WORK/files"
		make_image "$init" "$wl"
	done
done

# Boots interleaved run by run, so that load from other users hits every init alike.
for r in $(seq "$RUNS"); do
	for wl in ${WLS//,/ }; do
		for init in ${INITS//,/ }; do
			VM_INITRD=$VM_WORK/$init-$wl.cpio
			limit=${BENCH_LIMIT:-120}; [ "$wl" = C ] && limit=${BENCH_LIMIT_C:-400}
			n=1; while [ -e "$LOGS/$wl-$init-$(printf %03d $n).log" ]; do n=$((n + 1)); done
			log=$LOGS/$wl-$init-$(printf %03d $n).log
			vm_boot
			vm_wait_exit "$limit" >/dev/null || { vm_kill; echo "@@KILLED" >>"$VM_CONSOLE"; }
			vm_console >"$log"
			echo "load $(cut -d' ' -f1 /proc/loadavg)" >>"$log"
			note "run $r $wl $init: $(python3 "$TOP/bench/vm/report.py" --one "$log" "$OUT/graph-$wl" 2>&1)"
		done
	done
done
report
