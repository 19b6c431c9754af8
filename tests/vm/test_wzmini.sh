#!/bin/bash
# test_wzmini: wz_mini's chain on a fake vendor firmware — initramfs, switch_root, keel as a guest under busybox init, binds, rcS hooks, swap, preloads, DHCP, upgrade intercept, debug switch; then keel as PID 1 through the stock inittab.
# SPDX-License-Identifier: MIT
# Three disks as on the camera: vda the vendor's root (squashfs, busybox init, inittab,
# stock rcS), vdb its /system (squashfs: app_init.sh, iCamera, factorycheck), vdc the SD
# card (ext4: keel and examples/wz_mini as wz_mini lays it out, swap.gz, a module, the
# user's run_mmc.sh). The initramfs mounts them and switch_roots into the vendor root with
# wz_mini's v3_init.sh, which starts keel --guest and then the stock /linuxrc.
. "$(dirname "$0")/lib.sh"
vm_setup test_wzmini
VM_MODULES="virtio_pci virtio_blk squashfs virtio_net"
command -v mksquashfs >/dev/null || vm_die "missing mksquashfs (squashfs-tools)"
EX=$KEEL_SRC/examples/wz_mini
W=$VM_WORK

# --- the initramfs: mount the disks, switch_root into the vendor root ---
vm_root_new
rm -f "$VM_ROOT/init"
mkdir -p "$VM_ROOT/v3"
vm_file /init 0755 <<'EOF'
#!/bin/sh
# init (initramfs): the disks, then the vendor root with wz_mini's v3_init.sh (or keel as PID 1: wz.init=keel)
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in virtio_pci virtio_blk squashfs virtio_net; do modprobe $m; done
i=0
while ! [ -b /dev/vdc ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
mount -t squashfs -o ro /dev/vda /v3 || echo "TEST: no vendor root"
mount -t ext4 /dev/vdc /v3/media/mmc || echo "TEST: no SD card"
mount --bind /v3/media/mmc/wz_mini /v3/opt/wz_mini
for d in dev proc sys; do mount --move /$d /v3/$d; done
echo "TEST: initramfs: switch_root"
if grep -q wz.init=keel /v3/proc/cmdline; then
	exec switch_root /v3 /opt/wz_mini/bin/keel --service-dir /opt/wz_mini/etc/keel/services \
		--inittab /etc/inittab
fi
exec switch_root /v3 /opt/wz_mini/etc/init.d/v3_init.sh
EOF
vm_pack

# install_prog SRC DEST ROOT: a program and its shared libraries into ROOT.
install_prog() {
	install -D -m 0755 "$1" "$3$2"
	local lib
	for lib in $(ldd "$1" 2>/dev/null | grep -o '/[^ ]*'); do
		[ -e "$3$lib" ] || install -D -m 0755 "$lib" "$3$lib"
	done
}

# --- the vendor root (read-only) ---
FW=$W/fw
mkdir -p "$FW"/{bin,sbin,usr/bin,usr/sbin,etc/init.d,proc,sys,dev,tmp,run,system,media/mmc,opt/wz_mini,root}
install -m 0755 "$VM_BUSYBOX" "$FW/bin/busybox"
for a in $("$VM_BUSYBOX" --list-full) linuxrc; do
	[ "$a" = bin/busybox ] || [ -e "$FW/$a" ] || ln -s /bin/busybox "$FW/$a"
done
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$FW/etc/passwd"
printf 'root:x:0:\n' >"$FW/etc/group"
printf 'root:$1$stock$stockstockstockstock./:19000:0:99999:7:::\n' >"$FW/etc/shadow"
printf 'export PATH=/sbin:/usr/sbin:/bin:/usr/bin PS1="# "\n' >"$FW/etc/profile"
printf 'proc /proc proc defaults 0 0\ntmpfs /tmp tmpfs defaults 0 0\n' >"$FW/etc/fstab"
cat >"$FW/etc/inittab" <<'EOF'
# the vendor's inittab
::sysinit:/etc/init.d/rcS
ttyS0::askfirst:-/bin/sh
::shutdown:/sbin/swapoff -a
::shutdown:/bin/umount -a -r
EOF
cat >"$FW/etc/init.d/rcS" <<'EOF'
#!/bin/sh
echo "TEST: rcS start"
grep -q " /tmp " /proc/mounts || mount -t tmpfs tmpfs /tmp
grep -q " /system " /proc/mounts || mount -t squashfs -o ro /dev/vdb /system
/system/bin/app_init.sh
echo "TEST: rcS end"
EOF
chmod 755 "$FW/etc/init.d/rcS"
# iCamera is a dynamic program: the C library goes into the vendor root.
gcc -O2 -Wall -o "$W/iCamera" "$KEEL_SRC/tests/vm/wzmini/iCamera.c" || vm_die "cannot build iCamera"
install_prog "$W/iCamera" /tmp/unused "$FW"
rm -rf "$FW/tmp/unused"
mksquashfs "$FW" "$W/fw.sqfs" -comp gzip -noappend -all-root -quiet >/dev/null || vm_die "mksquashfs fw"

# --- /system ---
SY=$W/system
mkdir -p "$SY/bin"
install -m 0755 "$W/iCamera" "$SY/bin/iCamera"
printf '#!/bin/sh\necho "TEST: stock app_init.sh"\nexec /system/bin/iCamera\n' >"$SY/bin/app_init.sh"
printf '#!/bin/sh\necho "TEST: stock factorycheck: undoing binds"\numount /etc/inittab\n' >"$SY/bin/factorycheck"
chmod 755 "$SY/bin/"*
mksquashfs "$SY" "$W/system.sqfs" -comp gzip -noappend -all-root -quiet >/dev/null || vm_die "mksquashfs system"

# --- the SD card: keel and examples/wz_mini, laid out as wz_mini does ---
SD=$W/sd
WZ=$SD/wz_mini
mkdir -p "$WZ/bin" "$WZ/lib/modules" "$WZ/etc"
cp -a "$EX/etc/." "$WZ/etc/"
cp -a "$EX/bin/." "$WZ/bin/"
install -m 0755 "$KEEL_BUILD/keel" "$WZ/bin/keel"
install -m 0755 "$KEEL_BUILD/keelctl" "$WZ/bin/keelctl"
for l in base callback; do
	echo "int wz_$l = 1;" >"$W/$l.c"
	gcc -shared -fPIC -o "$WZ/lib/lib$l.so" "$W/$l.c" || vm_die "cannot build lib$l.so"
done
# Any module stands in for v4l2loopback (unknown parameters are ignored by the kernel).
cp "$VM_KDIR/modules/kernel/drivers/net/dummy.ko" "$WZ/lib/modules/v4l2loopback.ko"
dd if=/dev/zero bs=1M count=8 2>/dev/null | gzip -1 >"$WZ/swap.gz"
cat >"$WZ/run_mmc.sh" <<'EOF'
#!/bin/sh
echo "TEST: run_mmc address=$(ip -4 -o addr show eth0 | awk '{print $4}')" >/dev/console
EOF
chmod 755 "$WZ/run_mmc.sh"
rm -f "$W/sd.img"
truncate -s 64M "$W/sd.img"
mkfs.ext4 -q -F -L sdcard -d "$SD" "$W/sd.img" || vm_die "mkfs.ext4 -d failed"

VM_QEMU_EXTRA="-drive file=$W/fw.sqfs,format=raw,if=virtio,readonly=on \
	-drive file=$W/system.sqfs,format=raw,if=virtio,readonly=on \
	-drive file=$W/sd.img,format=raw,if=virtio \
	-netdev user,id=n0 -device virtio-net-pci,netdev=n0"
K=/opt/wz_mini/bin/keelctl
not() { ! "$@"; }

# --- boot 1: keel as a guest under the stock busybox init ---
vm_boot
check "initramfs -> switch_root -> v3_init.sh: keel starts as a guest" vm_wait "keel: keel .* starting as a guest" 60
check "the stock init runs the stock rcS" vm_wait "TEST: rcS end" 60
check "the hook runs in the stock rcS before the vendor app" \
	vm_in_order "TEST: rcS start" "wz_mini: v3_post" "TEST: rcS end"
check "the vendor app runs under keel, handed over by app_init.sh" vm_wait "TEST: iCamera [0-9]+: start" 30
check "the vendor app has both preload libraries in its environment" \
	vm_seen "TEST: iCamera [0-9]+: start LD_PRELOAD=/opt/wz_mini/lib/libbase.so /opt/wz_mini/lib/libcallback.so"
check "the user script ran once the network had an address" vm_wait "TEST: run_mmc address=[0-9]" 60
check "... and not before" vm_in_order "wz_mini: eth0 bound" "TEST: run_mmc address=[0-9]"
vm_run "pidof iCamera >/dev/null" 30 # the serial shell is up
vm_run "cat /etc/shadow /etc/inittab; cat /system/bin/factorycheck; mount" 20
check "stock files replaced: shadow, inittab, factorycheck" \
	eval 'grep -q wzmini "$VM_OUT" && grep -q "ttyS0::respawn" "$VM_OUT" && grep -q "undo wz_mini" "$VM_OUT"'
check "the root stays read-only squashfs; the hooked rcS is a tmpfs copy bound over it" \
	eval 'grep -q "on / type squashfs (ro" "$VM_OUT" && grep -q "^tmpfs on /etc/init.d/rcS" "$VM_OUT"'
vm_wait "keel: \[ OK \] swap from swap.gz" 60
vm_run "cat /proc/swaps" 20
check "swap active from swap.gz" grep -q "/opt/wz_mini/swap" "$VM_OUT"
vm_run 'p=$(pidof iCamera); grep -o "/opt/wz_mini/lib/lib[a-z]*.so" /proc/$p/maps | sort -u' 20
check "the vendor binary has both libraries mapped (/proc/PID/maps)" \
	eval 'grep -q libbase.so "$VM_OUT" && grep -q libcallback.so "$VM_OUT"'
vm_run 'ip link show dummy0' 20
check "module loaded from the SD card" grep -q dummy0 "$VM_OUT"
vm_run "k=\$(pidof keel); echo keel=\$k; grep PPid /proc/\$k/status" 20
check "keel is a guest: not PID 1, a child of busybox init" \
	eval 'grep -q "^keel=[0-9]" "$VM_OUT" && ! grep -q "^keel=1$" "$VM_OUT" && grep -q "PPid:[[:space:]]*1$" "$VM_OUT"'
vm_run "$K status" 20
check "keelctl drives the guest" grep -q "vendor application" "$VM_OUT"
vm_mark
vm_run "kill -9 \$(pidof iCamera)" 20
check "the vendor app killed: keel respawns it" vm_wait "TEST: iCamera [0-9]+: start" 30
vm_mark
vm_run "touch /tmp/do-upgrade" 20
check "the upgrade script is renamed before the vendor can run it" vm_wait "upgrade intercepted" 30
check "... and the vendor app finds it gone" vm_wait "TEST: iCamera [0-9]+: upgrade script gone" 30
check "... and never flashes" not vm_seen "TEST: upgrade flashed"
vm_mark
vm_send "$K poweroff"
check "poweroff: keel stops its services and asks busybox init" vm_wait "asking init \\(PID 1\\) to poweroff" 30
check "busybox init powers off" vm_wait_exit 60
check "its shutdown steps freed the swap file on the SD card" not vm_seen "swapoff: can't"
check "the SD card is clean after the power-off" vm_fsck "$W/sd.img"

# --- boot 2: the debug switch skips the vendor app and the user script ---
VM_APPEND="keel.skip=app,run_mmc"
vm_boot
vm_wait "TEST: rcS end" 60
vm_run "$K status app; $K status run_mmc" 30
check "keel.skip= skips the vendor app and run_mmc.sh" \
	eval '[ "$(grep -c "skipped" "$VM_OUT")" -ge 2 ]'
check "no vendor app on the debug boot" not vm_seen "TEST: iCamera"
vm_send "$K poweroff"
check "the debug boot powers off too" vm_wait_exit 60

# --- boot 3: keel as PID 1 boots the same firmware through its inittab ---
VM_APPEND="wz.init=keel"
vm_boot
check "keel as PID 1 (not a guest)" vm_wait "keel: keel [^ ]* starting\$" 60
check "the stock inittab's rcS runs, hooked, as a keel service" vm_wait "TEST: rcS end" 60
check "the hook ran before the vendor app" vm_in_order "TEST: rcS start" "wz_mini: v3_post" "TEST: rcS end"
check "the vendor app starts with both preloads" \
	vm_wait "TEST: iCamera [0-9]+: start LD_PRELOAD=/opt/wz_mini/lib/libbase.so /opt/wz_mini/lib/libcallback.so" 30
vm_run "/opt/wz_mini/bin/keelctl status" 30
check "inittab steps are keel services" grep -q "inittab\.2" "$VM_OUT"
vm_send "/opt/wz_mini/bin/keelctl poweroff"
check "keel as PID 1 powers off" vm_wait_exit 60
check "the SD card is clean after the PID 1 power-off" vm_fsck "$W/sd.img"
vm_finish
