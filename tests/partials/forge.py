#!/usr/bin/python3
"""forge.py IN OUT TEXT: writes OUT, the partial summary IN with its scenario
text replaced by TEXT and its checksum recomputed, as anyone can (the
checksum is unkeyed: it catches damage, it does not sign). The layout is
core/partial.h's (format 6): magic, u32 version, u32 block, u32
nsummaries, then two strings (u32 length + bytes): the version and the
scenario text; ...; a u64 checksum of all that precedes."""
import struct, sys

M64 = (1 << 64) - 1

def mix64(z):
    z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & M64
    z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & M64
    return z ^ (z >> 31)

def checksum(b):
    h = 0xcbf29ce484222325
    for c in b:
        h = ((h ^ c) * 0x100000001b3) & M64
    return mix64(h)

src, dst, text = sys.argv[1], sys.argv[2], sys.argv[3].encode()
b = open(src, "rb").read()[:-8]
at = 8 + 3 * 4
(vlen,) = struct.unpack_from("<I", b, at)
at += 4 + vlen
(slen,) = struct.unpack_from("<I", b, at)
out = b[:at] + struct.pack("<I", len(text)) + text + b[at + 4 + slen:]
open(dst, "wb").write(out + struct.pack("<Q", checksum(out)))
