#!/usr/bin/env python3
"""Draws the app icons (public/icon-192.png, icon-512.png) from the same geometry as public/icon.svg.

Pure standard library, so it runs anywhere; rerun it only when the logo changes.
"""
import math
import struct
import sys
import zlib
from pathlib import Path

BRAND = (0x0B, 0x57, 0xD0)
WHITE = (0xFF, 0xFF, 0xFF)
# The check mark of icon.svg, in its 64-unit box.
POINTS = [(18, 34), (27, 43), (46, 22)]
STROKE = 7


def seg_dist(px, py, a, b):
    (ax, ay), (bx, by) = a, b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def pixel(x, y, size, maskable):
    # Maskable icons fill the square; the mark stays in the safe zone.
    u, v = (x + 0.5) * 64 / size, (y + 0.5) * 64 / size
    if not maskable:
        r = 14
        cx, cy = min(max(u, r), 64 - r), min(max(v, r), 64 - r)
        if math.hypot(u - cx, v - cy) > r:
            return (0, 0, 0, 0)
    d = min(seg_dist(u, v, POINTS[i], POINTS[i + 1]) for i in range(len(POINTS) - 1))
    return (*WHITE, 255) if d <= STROKE / 2 else (*BRAND, 255)


def png(size, maskable):
    rows = b"".join(
        b"\x00" + b"".join(bytes(pixel(x, y, size, maskable)) for x in range(size)) for y in range(size)
    )

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "public")
    (out / "icon-192.png").write_bytes(png(192, False))
    (out / "icon-512.png").write_bytes(png(512, True))
