# preinit/lib.sh: helpers for preinit's QEMU scenarios (sourced after tests/vm/lib.sh): images and boots.
# SPDX-License-Identifier: MIT
#
#   pi_rootfs [MODULES...]      the real root in $VM_WORK/root: busybox, keel, preinit, a
#                               console shell service, /rom /overlay /mnt; MODULES into it
#   pi_squash FILE              $VM_WORK/root as a squashfs image
#   pi_initramfs [MODULES...]   $VM_WORK/initramfs: preinit as /init, its config
#                               (stdin, may be empty), the modules, the host programs
#                               PI_INITRAMFS_PROGS (same path), PI_XZ_MODULES
#                               compressed -> $VM_INITRD
#   pi_boot                     QEMU with PI_DISKS (virtio, in order vda vdb ...),
#                               PI_NVME (one NVMe disk), PI_PCAP (NIC + capture file),
#                               PI_HOSTFWD (NIC + a QEMU hostfwd rule, e.g.
#                               udp:127.0.0.1:PORT-:4919),
#                               PI_APPEND (kernel arguments), PI_NOINITRD=1 (rootfs entry)
#   pi_shell_ready              waits for keel's console shell
# Every boot leaves a line "# NAME: boot N: QEMU ran X s" on stdout.

PI_DISKS=${PI_DISKS:-}
PI_NVME=${PI_NVME:-}
PI_PCAP=${PI_PCAP:-}
PI_HOSTFWD=${PI_HOSTFWD:-}
PI_APPEND=${PI_APPEND:-}
PI_NOINITRD=${PI_NOINITRD:-}
PI_BOOTS=0
# preinit needs the disk driver, squashfs and overlayfs from the initramfs, and the NIC
# for progress messages.
PI_MODULES="virtio_pci virtio_blk virtio_net squashfs overlay"

pi_check_tools() {
	local t
	for t in mksquashfs mkfs.ext4 debugfs python3; do
		command -v "$t" >/dev/null 2>&1 || vm_die "missing tool $t"
	done
	[ -x "$KEEL_BUILD/preinit" ] || vm_die "no preinit in $KEEL_BUILD (make VARIANT=musl)"
}

pi_rootfs() {
	pi_check_tools
	VM_MODULES="$PI_MODULES $*" vm_root_new
	vm_install_prog "$KEEL_BUILD/preinit" /sbin/preinit
	mkdir -p "$VM_ROOT/rom" "$VM_ROOT/overlay" "$VM_ROOT/mnt" "$VM_ROOT/extroot"
	# keel's shell on the serial console, for vm_run. An interactive ash ignores SIGTERM
	# (3 s of every power off went to waiting for it) but ends on a hangup.
	vm_service getty <<'EOS'
description "serial console"
type respawn
tty /dev/ttyS0
stop HUP 1s
exec /sbin/getty -n -i -l /bin/sh -L 0 ttyS0 vt100
EOS
	# The booted system's half of an unformatted data partition (shipped in examples/).
	vm_copy "$KEEL_SRC/examples/preinit/preinit-format" /usr/libexec/preinit-format 0755
	vm_service preinit-format <"$KEEL_SRC/examples/preinit/services/preinit-format"
	vm_service preinit-sync <"$KEEL_SRC/examples/preinit/services/preinit-sync"
	vm_service preinit-swapoff <"$KEEL_SRC/examples/preinit/services/preinit-swapoff"
}

pi_squash() {
	rm -f "$1"
	mksquashfs "$VM_ROOT" "$1" -quiet -noappend -all-root -comp gzip >/dev/null ||
		vm_die "mksquashfs failed"
}

# pi_initramfs [MODULES...]: config from stdin.
pi_initramfs() {
	local keep=$VM_ROOT
	VM_ROOT=$VM_WORK/initramfs
	rm -rf "$VM_ROOT"
	mkdir -p "$VM_ROOT/etc" "$VM_ROOT/dev" "$VM_ROOT/lib/modules"
	vm_install_prog "$KEEL_BUILD/preinit" /init
	cat >"$VM_ROOT/etc/preinit.conf"
	local prog
	for prog in $PI_INITRAMFS_PROGS; do vm_install_prog "$prog" "$prog"; done
	# lib.sh's vm_modules looks names up with '_' only: names spelled with '-' in the
	# kernel tree (lzo-rle) are copied here, then vm_modules runs depmod over all.
	local m plain= f
	for m in $PI_MODULES "$@"; do
		case $m in
		*-*)
			f=$(cd "$VM_KDIR/modules" && find kernel -name "$m.ko*" | head -n 1)
			[ -n "$f" ] || vm_die "kernel module $m not found"
			install -D -m 0644 "$VM_KDIR/modules/$f" "$VM_ROOT/lib/modules/$VM_KVER/$f"
			;;
		*) plain="$plain $m" ;;
		esac
	done
	vm_modules $plain
	# PI_XZ_MODULES: shipped as .ko.xz, with busybox's xz to unpack them when the kernel
	# cannot (Debian 12's kernels have no CONFIG_MODULE_DECOMPRESS).
	if [ -n "${PI_XZ_MODULES:-}" ]; then
		for m in $PI_XZ_MODULES; do
			f=$(find "$VM_ROOT/lib/modules" -name "$m.ko" | head -n 1)
			[ -n "$f" ] || vm_die "module $m not in the initramfs"
			xz --check=crc32 "$f" || vm_die "xz $f failed"
		done
		depmod -b "$VM_ROOT" "$VM_KVER" || vm_die "depmod failed"
		install -D -m 0755 "$VM_BUSYBOX" "$VM_ROOT/bin/busybox"
		ln -sf busybox "$VM_ROOT/bin/xz"
	fi
	vm_pack
	VM_ROOT=$keep
}

pi_boot() {
	local extra= d
	for d in $PI_DISKS; do extra="$extra -drive file=$d,format=raw,if=virtio"; done
	[ -n "$PI_NVME" ] && extra="$extra -drive file=$PI_NVME,format=raw,if=none,id=nv -device nvme,drive=nv,serial=keel"
	if [ -n "$PI_PCAP$PI_HOSTFWD" ]; then
		local nd=user,id=n,restrict=on
		[ -n "$PI_HOSTFWD" ] && nd="$nd,hostfwd=$PI_HOSTFWD"
		extra="$extra -netdev $nd -device virtio-net-pci,netdev=n"
		[ -n "$PI_PCAP" ] && extra="$extra -object filter-dump,id=f,netdev=n,file=$PI_PCAP"
	fi
	local initrd="-initrd $VM_INITRD"
	[ -n "$PI_NOINITRD" ] && initrd=
	rm -f "$VM_MON" "$VM_WORK/ser.in" "$VM_WORK/ser.out"
	mkfifo "$VM_WORK/ser.in" "$VM_WORK/ser.out"
	touch "$VM_CONSOLE"
	vm_mark
	cat "$VM_WORK/ser.out" >>"$VM_CONSOLE" &
	VM_CAT_PID=$!
	VM_BOOT_T0=$(vm_now_ms)
	PI_BOOTS=$((PI_BOOTS + 1))
	# shellcheck disable=SC2086
	qemu-system-x86_64 -nodefaults -no-user-config -display none -machine pc \
		-m "$VM_MEM" -smp "$VM_SMP" -kernel "$VM_KDIR/vmlinuz" $initrd \
		-append "console=ttyS0 quiet keel.verbose panic=-1 $PI_APPEND" \
		-serial "pipe:$VM_WORK/ser" -monitor "unix:$VM_MON,server=on,wait=off" \
		-no-reboot $extra >>"$VM_WORK/qemu.log" 2>&1 &
	VM_QEMU_PID=$!
}

# pi_free_port: a UDP port free on the host's loopback now (for a hostfwd rule).
pi_free_port() {
	python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# pi_not_seen REGEX: no console line since the boot matches (for check).
pi_not_seen() { ! vm_seen "$1"; }

# pi_shell_ready: keel's getty shell answers.
pi_shell_ready() {
	vm_wait 'keel: \[ OK \] serial console' 60 && vm_run true 20
}

# pi_poweroff: clean power off through keel; reports the boot's wall time.
pi_poweroff() {
	vm_send 'keelctl poweroff'
	vm_wait_exit 60 || { vm_kill; return 1; }
	vm_note "$VM_NAME: boot $PI_BOOTS: QEMU ran $(vm_fmt_ms $VM_BOOT_MS) s"
}
