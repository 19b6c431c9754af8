#!/usr/bin/env python3
# pcap.py: prints the payloads of UDP datagrams to PORT in a pcap file (Ethernet, IPv4), one per line.
# SPDX-License-Identifier: MIT
import struct
import sys


def main():
    path, port = sys.argv[1], int(sys.argv[2])
    data = open(path, "rb").read()
    if len(data) < 24:
        return 1
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    off = 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if len(frame) < 14 + 20 or frame[12:14] != b"\x08\x00":
            continue
        ip = frame[14:]
        ihl = (ip[0] & 0x0F) * 4
        if ip[9] != 17 or len(ip) < ihl + 8:
            continue
        udp = ip[ihl:]
        dport = struct.unpack(">H", udp[2:4])[0]
        if dport == port:
            sys.stdout.write(udp[8:].decode("utf-8", "replace").rstrip("\n") + "\n")
    return 0


sys.exit(main())
