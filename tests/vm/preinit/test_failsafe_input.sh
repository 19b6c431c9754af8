#!/bin/bash
# test_failsafe_input: failsafe chosen by a button (QEMU sendkey -> atkbd -> evdev) and by a UDP "failsafe" datagram; LEDs on the keyboard's LED class devices.
# SPDX-License-Identifier: MIT
# The cloud kernel has i8042, atkbd and input-leds built in: the emulated PS/2 keyboard is
# the "button" (F12, code 88, configured with failsafe_key) and its Caps/Scroll Lock LEDs
# are real /sys/class/leds entries. evdev and ledtrig-timer are modules, loaded by preinit.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"
vm_setup preinit_failsafe_input
pi_rootfs
pi_squash "$VM_WORK/root.sqfs"
truncate -s 32M "$VM_WORK/data.img"
mkfs.ext4 -q -F -L data "$VM_WORK/data.img" || vm_die "mkfs.ext4 failed"
PI_DISKS="$VM_WORK/root.sqfs $VM_WORK/data.img"

# Boot 1: F12 on the PS/2 keyboard during the window.
pi_initramfs evdev ledtrig-timer <<'EOF2'
failsafe_wait 6s
failsafe_key 88                  # KEY_F12: a key QEMU's sendkey can press
net no
module virtio_pci virtio_blk squashfs overlay evdev ledtrig-timer
led boot *::capslock blink
led failsafe *::scrolllock fast
root /dev/vda
data LABEL=data
EOF2
pi_boot
check "button: prompt shown" vm_wait '^preinit: press any key .* for failsafe mode' 30
check "button: sendkey f12" vm_monitor "sendkey f12"
check "button: key seen as the button" vm_wait '^preinit: entering failsafe mode \(button\)' 10
check "button: tmpfs overlay, data partition not used" vm_wait '^preinit: overlay: tmpfs \(failsafe\)' 10
check "button: failsafe shell answers" vm_run true 30
check "led: no LED error" pi_not_seen '^preinit: error: led'
check "button: data partition not mounted, no keel" vm_run '! grep -q "^/dev/vdb" /proc/mounts && ! pidof keel && grep -qx failsafe=1 /run/preinit/state'
check "led: boot LED blinks (timer, 500 ms)" vm_run 'l=$(ls -d /sys/class/leds/*::capslock | head -n 1); grep -q "\[timer\]" $l/trigger && grep -qx 500 $l/delay_on'
check "led: failsafe LED blinks fast (timer, 100 ms)" vm_run 'l=$(ls -d /sys/class/leds/*::scrolllock | head -n 1); grep -q "\[timer\]" $l/trigger && grep -qx 100 $l/delay_on'
vm_send reboot
check "button: reboot leaves failsafe" vm_wait_exit 30
vm_note "$VM_NAME: boot 1: QEMU ran $(vm_fmt_ms ${VM_BOOT_MS:-0}) s"

# Boot 2: a "failsafe" datagram from the host. QEMU's user network forwards the host's
# 127.0.0.1:PORT to the guest's 10.0.2.15:4919 (restrict=on: the guest reaches nothing
# else); preinit's socket is bound to INADDR_ANY:4919, so it receives this unicast as well
# as a broadcast on the LAN. The host sends every 0.2 s until failsafe is announced.
port=$(pi_free_port) || vm_die "no free UDP port"
pi_initramfs <<'EOF2'
failsafe_wait 6s
iface eth0
ipaddr 10.0.2.15/24
port 4919
module virtio_pci virtio_blk virtio_net squashfs overlay
root /dev/vda
data LABEL=data
EOF2
PI_HOSTFWD="udp:127.0.0.1:$port-:4919"
pi_boot
check "udp: prompt shown" vm_wait '^preinit: press any key .* for failsafe mode' 30
python3 - "$port" "$VM_CONSOLE" "$VM_MARK" <<'PY' &
# Sends "failsafe" to the forwarded port until the console says failsafe was entered (10 s at most).
import socket, sys, time
port, console, mark = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
end = time.time() + 10
while time.time() < end:
    s.sendto(b"failsafe\n", ("127.0.0.1", port))
    with open(console, "rb") as f:
        f.seek(mark)
        if b"entering failsafe mode" in f.read():
            break
    time.sleep(0.2)
PY
sender=$!
check "udp: datagram seen" vm_wait '^preinit: entering failsafe mode \(UDP failsafe message\)' 15
wait "$sender"
check "udp: tmpfs overlay, data partition not used" vm_wait '^preinit: overlay: tmpfs \(failsafe\)' 10
check "udp: failsafe shell answers" vm_run true 30
check "udp: data partition not mounted, no keel" vm_run '! grep -q "^/dev/vdb" /proc/mounts && ! pidof keel && grep -qx failsafe=1 /run/preinit/state'
vm_send reboot
check "udp: reboot leaves failsafe" vm_wait_exit 30
vm_note "$VM_NAME: boot 2: QEMU ran $(vm_fmt_ms ${VM_BOOT_MS:-0}) s"
check "data: untouched by failsafe" sh -c "e2fsck -fn '$VM_WORK/data.img' >/dev/null 2>&1"
vm_finish
