# lib.sh: QEMU boot harness for keel (sourced): builds initramfs images, boots them, watches the serial console.
# SPDX-License-Identifier: MIT
#
# A scenario script sources this file and then, in order:
#   vm_setup NAME                     work dir, kernel, result counters, cleanup trap
#   vm_root_new                       skeleton root: busybox, keel as /init, modules
#   vm_service NAME [LINK] <<EOF      a service file (also vm_services DIR, vm_file, vm_copy)
#   vm_pack                           root -> $VM_WORK/initrd.cpio
#   vm_disk FILE MB                   optional ext4 data disk (VM_DISK=FILE to attach it)
#   vm_boot                           start QEMU in the background
#   vm_wait REGEX [SECONDS]           wait for a console line, with a deadline
#   vm_run CMD [SECONDS]              run CMD in the guest's serial shell, output to $VM_OUT
#   check NAME COMMAND...             prints ok - NAME / not ok - NAME
#   vm_finish                         prints the wall time, exits 0 or 1
# Every wait has a deadline; QEMU is always killed when the script exits.
#
# Settings (environment): KEEL_SRC, KEEL_BUILD (default build/musl), VM_KERNEL (cloud or
# generic), VM_MEM (256M), VM_SMP (1), VM_DISK (image attached as virtio disk), VM_APPEND
# (extra kernel arguments), VM_NOREBOOT (1: a guest reboot ends QEMU), VM_KEEP (1: keep the
# work dir even on success), VM_MODULES (modules put into the image), VM_QEMU_EXTRA (more
# QEMU arguments, e.g. a NIC; default none).

# Sourced by bash scripts: it needs BASH_SOURCE, `local` and $'\n' quoting.
KEEL_SRC=${KEEL_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
KEEL_BUILD=${KEEL_BUILD:-build/musl}
case $KEEL_BUILD in /*) ;; *) KEEL_BUILD=$KEEL_SRC/$KEEL_BUILD ;; esac
VM_KERNEL=${VM_KERNEL:-cloud}
VM_MEM=${VM_MEM:-256M}
# One vCPU: measured only ~8% slower to boot than two under TCG, and it leaves the
# second host core to whatever else runs (builds, other tests).
VM_SMP=${VM_SMP:-1}
VM_NOREBOOT=${VM_NOREBOOT:-1}
VM_APPEND=${VM_APPEND:-}
# The kernel's "quiet" keeps its own messages off the serial console, and keel takes it
# as a quiet boot too; the tests and the demo read keel's [ OK ] lines, so they ask for
# them. The bench sets it empty: a production line.
VM_KEEL_ARGS=${VM_KEEL_ARGS-keel.verbose}
VM_DISK=${VM_DISK:-}
VM_QEMU_EXTRA=${VM_QEMU_EXTRA:-}
# Another architecture (tests/vm/cross): its QEMU, machine and serial console.
VM_QEMU=${VM_QEMU:-qemu-system-x86_64}
VM_MACHINE=${VM_MACHINE:--machine pc}
VM_TTY=${VM_TTY:-ttyS0}
# virtio_blk for the data disk; the cloud kernel has ext4, i8042, atkbd and 8250 built in.
VM_MODULES=${VM_MODULES:-virtio_pci virtio_blk}

VM_PASS=0
VM_FAIL=0
VM_QEMU_PID=
VM_OUT=
VM_RUN_SEQ=0

vm_now_ms() { echo $(($(date +%s%N) / 1000000)); }

# Seconds with one decimal from a millisecond count.
vm_fmt_ms() { printf '%d.%d' $(($1 / 1000)) $((($1 % 1000) / 100)); }

vm_note() { printf '# %s\n' "$*"; }

# Result lines in the project's format; a failure also shows the end of the console,
# because that is nearly always where the reason is.
vm_ok() { VM_PASS=$((VM_PASS + 1)); echo "ok - $VM_NAME: $1"; }
vm_not_ok() {
	VM_FAIL=$((VM_FAIL + 1))
	echo "not ok - $VM_NAME: $1"
	[ -n "${2:-}" ] && vm_note "$2"
	if [ -s "$VM_CONSOLE" ]; then
		vm_note "console (last 25 lines of $VM_CONSOLE):"
		# awk ends every line, also a last one without newline (a prompt),
		# so the next "ok -" line starts a line of its own.
		tail -n 25 "$VM_CONSOLE" | tr -d '\r' | awk '{ print "#   " $0 }'
	fi
	return 0
}

# check NAME COMMAND...: runs COMMAND, reports by its exit status.
check() {
	local name=$1
	shift
	if "$@"; then vm_ok "$name"; else vm_not_ok "$name"; fi
}

vm_die() {
	echo "not ok - $VM_NAME: $*"
	exit 1
}

vm_setup() {
	VM_NAME=$1
	VM_T0=$(vm_now_ms)
	VM_WORK=$KEEL_SRC/build/vm/work/$VM_NAME.$$
	rm -rf "$VM_WORK"
	mkdir -p "$VM_WORK"
	VM_CONSOLE=$VM_WORK/console.log
	VM_MON=$VM_WORK/mon.sock
	# unix socket paths are limited to 107 bytes: fall back to a short temporary dir.
	if [ ${#VM_MON} -gt 100 ]; then
		VM_SOCKDIR=$(mktemp -d)
		VM_MON=$VM_SOCKDIR/mon.sock
	fi
	trap vm_cleanup EXIT
	trap 'exit 130' INT TERM
	for tool in qemu-system-x86_64 cpio mkfs.ext4 e2fsck debugfs depmod perl busybox; do
		command -v "$tool" >/dev/null 2>&1 || PATH=$PATH:/sbin:/usr/sbin
		command -v "$tool" >/dev/null 2>&1 || vm_die "missing tool $tool (run scripts/deps.sh)"
	done
	VM_KDIR=$KEEL_SRC/build/vm/kernel-$VM_KERNEL
	# Scenarios may run side by side (tests/run's lanes): one fetches, the
	# others wait for it.
	mkdir -p "$KEEL_SRC/build/vm"
	(
		flock 9
		[ -f "$VM_KDIR/vmlinuz" ] || "$KEEL_SRC/tests/vm/fetch-kernel.sh" "$VM_KERNEL" >/dev/null
	) 9>"$KEEL_SRC/build/vm/.lock" || vm_die "cannot fetch the $VM_KERNEL kernel"
	VM_KVER=$(cat "$VM_KDIR/version")
	VM_BUSYBOX=$(command -v busybox)
	# A dynamically linked busybox would need its libraries in the image: insist on the static one.
	if ldd "$VM_BUSYBOX" >/dev/null 2>&1; then
		[ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 && VM_BUSYBOX=/bin/busybox ||
			vm_die "need a static busybox (busybox-static)"
	fi
}

vm_cleanup() {
	local rc=$?
	vm_kill
	[ -n "${VM_SOCKDIR:-}" ] && rm -rf "$VM_SOCKDIR"
	if [ "$VM_FAIL" -eq 0 ] && [ "$rc" -eq 0 ] && [ "${VM_KEEP:-0}" != 1 ]; then
		rm -rf "$VM_WORK"
	elif [ -n "${VM_WORK:-}" ]; then
		vm_note "work files kept in $VM_WORK"
	fi
}

vm_finish() {
	local t=$(($(vm_now_ms) - VM_T0))
	vm_note "$VM_NAME: $VM_PASS passed, $VM_FAIL failed, wall time $(vm_fmt_ms $t) s"
	[ "$VM_FAIL" -eq 0 ]
	exit $?
}

# Copies a program into the root, with its shared libraries if it is dynamically linked
# (KEEL_BUILD=build gives glibc binaries; musl ones are static).
vm_install_prog() {
	local src=$1 dest=$2 lib
	install -D -m 0755 "$src" "$VM_ROOT$dest"
	ldd "$src" >/dev/null 2>&1 || return 0
	for lib in $(ldd "$src" | grep -o '/[^ ]*'); do
		[ -e "$VM_ROOT$lib" ] || install -D -m 0755 "$lib" "$VM_ROOT$lib"
	done
}

# vm_root_new: a fresh root in $VM_WORK/root with busybox, keel and the modules.
# With VM_STANDIN=busybox, /init is busybox's init (to develop the harness without keel).
vm_root_new() {
	VM_ROOT=$VM_WORK/root
	rm -rf "$VM_ROOT"
	mkdir -p "$VM_ROOT"
	(cd "$VM_ROOT" && mkdir -p bin sbin usr/bin usr/sbin usr/libexec/keel-test etc/init.d \
		usr/share/init proc sys dev run tmp mnt/data root var/log lib/modules)
	chmod 1777 "$VM_ROOT/tmp"
	install -m 0755 "$VM_BUSYBOX" "$VM_ROOT/bin/busybox"
	# Applet links made on the host, so the image needs no first-boot step; init and
	# linuxrc are keel's.
	local a
	for a in $("$VM_BUSYBOX" --list-full); do
		case $a in linuxrc | sbin/init | bin/busybox) continue ;; esac
		[ -e "$VM_ROOT/$a" ] || ln -s /bin/busybox "$VM_ROOT/$a"
	done
	if [ "${VM_STANDIN:-}" = busybox ]; then
		ln -s /bin/busybox "$VM_ROOT/init"
	else
		[ -x "$KEEL_BUILD/keel" ] || vm_die "no keel in $KEEL_BUILD (make VARIANT=musl)"
		[ -x "$KEEL_BUILD/keelctl" ] || vm_die "no keelctl in $KEEL_BUILD (make VARIANT=musl)"
		vm_install_prog "$KEEL_BUILD/keel" /init
		vm_install_prog "$KEEL_BUILD/keel" /sbin/keel
		vm_install_prog "$KEEL_BUILD/keelctl" /sbin/keelctl
		ln -s /sbin/keel "$VM_ROOT/sbin/init"
	fi
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$VM_ROOT/etc/passwd"
	printf 'root:x:0:\n' >"$VM_ROOT/etc/group"
	# A fixed prompt and no terminal-size query keep the serial shell's output plain.
	printf 'export PS1="# " PATH=/sbin:/usr/sbin:/bin:/usr/bin\n' >"$VM_ROOT/etc/profile"
	printf 'keel-vm\n' >"$VM_ROOT/etc/hostname"
	vm_modules $VM_MODULES
}

# vm_modules NAME...: puts kernel modules and everything they depend on into the image,
# with a modules.dep of their own so busybox modprobe works in the guest. Modules built
# into the kernel are skipped.
vm_modules() {
	local cache=$KEEL_SRC/build/vm/cache/depmod-$VM_KERNEL mdir=$VM_KDIR/modules
	local dep=$cache/lib/modules/$VM_KVER/modules.dep m line f
	# Debian's package ships no modules.dep: make one once, beside (not inside) the
	# unpacked kernel, through a link to its module tree.
	(
		flock 9
		[ -s "$dep" ] && exit 0
		rm -rf "$cache"
		mkdir -p "$cache/lib/modules/$VM_KVER"
		ln -s "$mdir/kernel" "$cache/lib/modules/$VM_KVER/kernel"
		cp "$mdir"/modules.builtin "$mdir"/modules.builtin.modinfo "$mdir"/modules.order \
			"$cache/lib/modules/$VM_KVER/"
		depmod -b "$cache" "$VM_KVER"
	) 9>"$KEEL_SRC/build/vm/.lock" || vm_die "depmod failed"
	local out=$VM_ROOT/lib/modules/$VM_KVER
	mkdir -p "$out"
	for m in "$@"; do
		m=$(echo "$m" | tr - _)
		line=$(grep -E "/$m\.ko(\.[a-z]+)?:" "$dep")
		if [ -z "$line" ]; then
			grep -qE "/$m\.ko" "$mdir/modules.builtin" && continue
			vm_die "kernel module $m not found"
		fi
		for f in $(echo "$line" | tr -d :); do
			[ -e "$out/$f" ] || install -D -m 0644 "$mdir/$f" "$out/$f"
		done
	done
	cp "$mdir"/modules.builtin "$mdir"/modules.builtin.modinfo "$mdir"/modules.order "$out/"
	depmod -b "$VM_ROOT" "$VM_KVER" || vm_die "depmod on the image failed"
}

# vm_service NAME [LINK]: a service file read from stdin, installed the model's way:
# the file in /usr/share/init, the entry in /etc/init.d a symlink to it.
vm_service() {
	local name=$1 link=${2:-$1}
	cat >"$VM_ROOT/usr/share/init/$name"
	ln -sf "/usr/share/init/$name" "$VM_ROOT/etc/init.d/$link"
}

# vm_services DIR: every file of DIR as a service (a scenario's or the examples' folder).
vm_services() {
	local f
	for f in "$1"/*; do
		[ -f "$f" ] || continue
		vm_service "$(basename "$f")" <"$f"
	done
}

# vm_file DEST [MODE]: a file read from stdin (scripts: MODE 0755).
vm_file() {
	install -D -m "${2:-0644}" /dev/stdin "$VM_ROOT$1"
}

# vm_copy SRC DEST [MODE]
vm_copy() {
	install -D -m "${3:-0644}" "$1" "$VM_ROOT$2"
}

# vm_pack: the root as an uncompressed newc cpio (measured: gzip saves no boot time at
# these sizes and costs a decompression).
vm_pack() {
	VM_INITRD=$VM_WORK/initrd.cpio
	(cd "$VM_ROOT" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$VM_INITRD" ||
		vm_die "cpio failed"
}

# vm_disk FILE MB: a fresh ext4 image.
vm_disk() {
	rm -f "$1"
	truncate -s "${2}M" "$1"
	mkfs.ext4 -q -F -L data "$1" || vm_die "mkfs.ext4 failed"
}

# vm_fsck FILE: read-only forced check; 0 only if clean (a file system left mounted
# has needs_recovery set and fails here).
vm_fsck() {
	e2fsck -fn "$1" >"$VM_WORK/fsck.log" 2>&1 || return 1
	! dumpe2fs -h "$1" 2>/dev/null | grep -q needs_recovery
}

# vm_disk_get IMAGE GUESTPATH HOSTFILE: copies a file out of an ext4 image without mounting.
vm_disk_get() {
	rm -f "$3"
	debugfs -R "dump $2 $3" "$1" >/dev/null 2>&1 && [ -f "$3" ]
}

# vm_boot: starts QEMU in the background. The serial port is a pair of FIFOs
# ($VM_WORK/ser.in, ser.out): a cat copies the guest's output to $VM_CONSOLE and vm_send
# writes into ser.in. (A socket chardev with logfile= was tried first: its log doubles
# characters whenever a client is connected and the socket takes a partial write.)
# The monitor is a unix socket (sendkey). The console log is appended to, so a second boot
# in the same script keeps the first one's lines; waits start at the mark set here.
vm_boot() {
	local extra=
	[ -n "$VM_DISK" ] && extra="-drive file=$VM_DISK,format=raw,if=virtio"
	[ "$VM_NOREBOOT" = 1 ] && extra="$extra -no-reboot"
	rm -f "$VM_MON" "$VM_WORK/ser.in" "$VM_WORK/ser.out"
	mkfifo "$VM_WORK/ser.in" "$VM_WORK/ser.out"
	touch "$VM_CONSOLE"
	vm_mark
	cat "$VM_WORK/ser.out" >>"$VM_CONSOLE" &
	VM_CAT_PID=$!
	VM_BOOT_T0=$(vm_now_ms)
	# shellcheck disable=SC2086
	$VM_QEMU -nodefaults -no-user-config -display none $VM_MACHINE \
		-m "$VM_MEM" -smp "$VM_SMP" \
		-kernel "$VM_KDIR/vmlinuz" -initrd "$VM_INITRD" \
		-append "console=$VM_TTY quiet $VM_KEEL_ARGS panic=-1 $VM_APPEND" \
		-serial "pipe:$VM_WORK/ser" \
		-monitor "unix:$VM_MON,server=on,wait=off" \
		$extra $VM_QEMU_EXTRA >>"$VM_WORK/qemu.log" 2>&1 &
	VM_QEMU_PID=$!
}

vm_alive() { [ -n "$VM_QEMU_PID" ] && kill -0 "$VM_QEMU_PID" 2>/dev/null; }

vm_kill() {
	[ -n "$VM_QEMU_PID" ] || return 0
	if kill -0 "$VM_QEMU_PID" 2>/dev/null; then
		kill "$VM_QEMU_PID" 2>/dev/null
		local i=0
		while kill -0 "$VM_QEMU_PID" 2>/dev/null && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
		kill -9 "$VM_QEMU_PID" 2>/dev/null
	fi
	wait "$VM_QEMU_PID" 2>/dev/null
	VM_QEMU_PID=
	vm_cat_stop
}

# The console copier ends by itself at QEMU's exit (last writer gone); this only reaps it,
# or kills it if something else still holds the FIFO.
vm_cat_stop() {
	[ -n "${VM_CAT_PID:-}" ] || return 0
	vm_drain
	kill "$VM_CAT_PID" 2>/dev/null
	wait "$VM_CAT_PID" 2>/dev/null
	VM_CAT_PID=
}

# vm_mark: later waits (vm_wait, vm_seen, vm_console) look only at output after this point.
vm_mark() { VM_MARK=$(stat -c %s "$VM_CONSOLE" 2>/dev/null || echo 0); }

# The console since the mark (or since byte $1), cleaned: no carriage returns, no
# terminal queries from the shell's line editor, and keel's and the test helpers' lines
# start a line of their own even when they were printed right after a shell prompt
# (they are written whole, only their start can be glued to another program's output).
vm_console() {
	tail -c +$((${1:-$VM_MARK} + 1)) "$VM_CONSOLE" 2>/dev/null | tr -d '\r' |
		sed -e 's/\x1b\[6n//g' -e 's/\(.\)\(keel: \|TEST: \|@@[BE][0-9]\)/\1\n\2/g'
}

vm_seen() { vm_console | grep -qE -- "$1"; }

# vm_drain: once QEMU has gone, waits (up to 5 s) for the console's reader to
# write what QEMU printed last. Under load the reader lags behind: a check made
# the moment QEMU exits missed a line that was in the file a moment later.
vm_drain() {
	local i=0
	while [ -n "${VM_CAT_PID:-}" ] && kill -0 "$VM_CAT_PID" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# vm_wait REGEX [SECONDS]: 0 once a console line since the mark matches; 1 at the
# deadline or when QEMU has gone without printing it.
vm_wait() {
	local re=$1 deadline=$(($(vm_now_ms) + ${2:-30} * 1000))
	while :; do
		vm_seen "$re" && return 0
		if ! vm_alive || [ "$(vm_now_ms)" -ge "$deadline" ]; then
			vm_alive || vm_drain
			vm_seen "$re"
			return
		fi
		sleep 0.1
	done
}

# vm_wait_count REGEX N [SECONDS]: at least N matching lines since the mark.
vm_wait_count() {
	local deadline=$(($(vm_now_ms) + ${3:-30} * 1000))
	while [ "$(vm_console | grep -cE -- "$1")" -lt "$2" ]; do
		if ! vm_alive; then
			vm_drain
			[ "$(vm_console | grep -cE -- "$1")" -ge "$2" ]
			return
		fi
		[ "$(vm_now_ms)" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

# vm_wait_exit [SECONDS]: 0 if QEMU ends by itself before the deadline.
vm_wait_exit() {
	local deadline=$(($(vm_now_ms) + ${1:-30} * 1000))
	while vm_alive; do
		[ "$(vm_now_ms)" -lt "$deadline" ] || return 1
		sleep 0.1
	done
	wait "$VM_QEMU_PID" 2>/dev/null
	VM_QEMU_PID=
	vm_cat_stop
	VM_BOOT_MS=$(($(vm_now_ms) - VM_BOOT_T0))
	vm_note "$VM_NAME: QEMU ran $(vm_fmt_ms $VM_BOOT_MS) s"
	return 0
}

# vm_in_order REGEX...: the console since the mark has lines matching each REGEX, in
# this order (first match of each, searched after the previous one).
vm_in_order() {
	vm_console | awk -v n=$# -v pats="$(printf '%s\n' "$@")" '
		BEGIN { split(pats, p, "\n"); i = 1 }
		i <= n && $0 ~ p[i] { i++ }
		END { exit !(i > n) }'
}

# The perl side of the monitor socket (perl-base is always there; socat and nc are not).
# Usage: perl -e "$VM_PERL_SOCK" SOCKET STEP...   where a STEP is
#   send:TEXT          write TEXT
#   expect:SECS:REGEX  read until what came since the last expect matches REGEX;
#                      exit 124 if SECS pass first (125 if it is the first expect)
# What was read (without carriage returns) is printed at the end. Exit 111 if the
# socket cannot be connected within 5 s.
VM_PERL_SOCK='
use strict; use IO::Socket::UNIX; use IO::Select;
my ($path, @steps) = @ARGV;
my $s; my $t = time + 5;
until ($s = IO::Socket::UNIX->new(Peer => $path)) {
	exit 111 if time >= $t;
	select(undef, undef, undef, 0.1);
}
$s->autoflush(1);
my $sel = IO::Select->new($s);
my ($buf, $from, $nexp, $rc) = ("", 0, 0, 0);
STEP: for my $st (@steps) {
	if ($st =~ /^send:(.*)$/s) { print $s $1; next; }
	my ($secs, $re) = $st =~ /^expect:(\d+):(.*)$/s or die "bad step $st";
	$nexp++;
	my $end = time + $secs;
	while (1) {
		my $tail = substr($buf, $from);
		$tail =~ s/\r//g;
		if ($tail =~ /$re/) { $from = length $buf; next STEP; }
		if (time >= $end) { $rc = $nexp == 1 ? 125 : 124; last STEP; }
		if ($sel->can_read(0.1)) {
			my $n = sysread($s, my $d, 65536);
			if (!$n) { $rc = 112; last STEP; }
			$buf .= $d;
		}
	}
}
$buf =~ s/\r//g; print $buf; exit $rc;
'

# vm_send TEXT: types TEXT and Enter on the serial console. The FIFO is opened only while
# QEMU runs (it holds the other end, so the open cannot block).
vm_send() {
	vm_alive || return 1
	printf '%s\n' "$1" >"$VM_WORK/ser.in"
}

# vm_monitor COMMAND: one human-monitor command (e.g. "sendkey ctrl-alt-delete").
vm_monitor() {
	perl -e "$VM_PERL_SOCK" "$VM_MON" 'expect:10:\(qemu\) ' "send:$1"$'\n' 'expect:10:\(qemu\) ' \
		>>"$VM_WORK/monitor.log"
}

# vm_run CMD [SECONDS]: runs CMD in the shell that listens on the serial console (a getty
# service or keel.single's rescue shell); its output goes to the file $VM_OUT and its
# exit status is returned (124: no answer by the deadline). The output is framed by
# markers that printf builds, so the echo of the typed line never matches them. If the
# shell does not even print the start marker within 3 s (not started yet, or getty
# flushed the input) the command is typed again, until the deadline, after a Ctrl-C: a
# shell that got only the end of the first line (the start flushed as it set up its
# terminal) sits in an open quote, and the Ctrl-C drops that.
vm_run() {
	local cmd=$1 secs=${2:-20} deadline tag from t3 first=$((VM_RUN_SEQ + 1))
	deadline=$(($(vm_now_ms) + secs * 1000))
	VM_OUT=$VM_WORK/run.out
	: >"$VM_OUT"
	while :; do
		VM_RUN_SEQ=$((VM_RUN_SEQ + 1))
		tag=$VM_RUN_SEQ
		from=$(stat -c %s "$VM_CONSOLE")
		# On its own and given time: a tty that turns it into SIGINT flushes its input.
		if [ "$tag" != "$first" ]; then
			vm_alive && printf '\003' >"$VM_WORK/ser.in" || return 124
			sleep 0.5
		fi
		vm_send "printf '@@%s\\n' B$tag; $cmd; printf '@@%s:%s\\n' E$tag \$?" || return 124
		t3=$(($(vm_now_ms) + 3000))
		while ! vm_console "$from" | grep -q "^@@B$tag\$"; do
			vm_alive && [ "$(vm_now_ms)" -lt "$t3" ] || break
			sleep 0.1
		done
		if vm_console "$from" | grep -q "^@@B$tag\$"; then
			while ! vm_console "$from" | grep -qE "^@@E$tag:[0-9]+\$"; do
				vm_alive && [ "$(vm_now_ms)" -lt "$deadline" ] || return 124
				sleep 0.1
			done
			vm_console "$from" | awk -v b="@@B$tag" -v e="^@@E$tag:" \
				'$0 == b { on = 1; next } $0 ~ e { on = 0 } on' >"$VM_OUT"
			return "$(vm_console "$from" | sed -n "s/^@@E$tag:\([0-9]*\)\$/\1/p" | tail -n 1)"
		fi
		vm_alive && [ "$(vm_now_ms)" -lt "$deadline" ] || return 124
	done
}

# vm_guest_helpers: small scripts the scenarios' services run, under /usr/libexec/keel-test.
# They write to /dev/console themselves, so the test does not depend on where keel
# sends a service's output.
vm_guest_helpers() {
	vm_file /usr/libexec/keel-test/mark 0755 <<'X'
#!/bin/sh
# mark: prints "TEST: mark NAME UPTIME" on the console (proof that a service ran, and when).
read -r up _ </proc/uptime
echo "TEST: mark $1 $up" >/dev/console
X
	vm_file /usr/libexec/keel-test/daemon 0755 <<'X'
#!/bin/sh
# daemon: a long-running service that reports its start and, on SIGTERM, its stop.
# sleep runs in the background so the trap fires at once, not after the sleep.
echo "TEST: start $1" >/dev/console
trap 'echo "TEST: stop $1" >/dev/console; exit 0' TERM
while :; do sleep 1 & wait $!; done
X
	vm_file /usr/libexec/keel-test/mount-data 0755 <<'X'
#!/bin/sh
# mount-data: waits (at most 10 s) for the virtio disk to appear, then mounts it.
i=0
while ! [ -b /dev/vda ]; do
	i=$((i + 1))
	[ $i -le 100 ] || { echo "TEST: no /dev/vda" >/dev/console; exit 1; }
	sleep 0.1
done
exec mount -t ext4 /dev/vda /mnt/data
X
}

# vm_boot_interactive: boots in the foreground with the serial console on this terminal
# (Ctrl-A X quits QEMU, Ctrl-A C toggles the monitor); returns when QEMU ends.
vm_boot_interactive() {
	local extra=
	[ -n "$VM_DISK" ] && extra="-drive file=$VM_DISK,format=raw,if=virtio"
	# shellcheck disable=SC2086
	qemu-system-x86_64 -nodefaults -no-user-config -display none -machine pc \
		-m "$VM_MEM" -smp "$VM_SMP" \
		-kernel "$VM_KDIR/vmlinuz" -initrd "$VM_INITRD" \
		-append "console=ttyS0 quiet $VM_KEEL_ARGS panic=-1 $VM_APPEND" \
		-serial mon:stdio -no-reboot $extra $VM_QEMU_EXTRA
}
