"""/favicon.ico: a small icon drawn here (a white drop on a teal disc), built once in code.

Browsers ask for /favicon.ico on every first page view; answering 404 filled logs and cost
a request each time. The icon is an ICO holding one 32x32 PNG (every current browser reads
PNG inside ICO), drawn from two shapes so no image file or drawing library is needed.
"""

from __future__ import annotations

import functools
import math
import struct
import zlib

from fastapi.responses import Response

SIZE = 32
TEAL = (31, 111, 139, 255)
WHITE = (255, 255, 255, 255)
CLEAR = (0, 0, 0, 0)
# A day: the icon only changes with a release, and browsers cache icons hard anyway.
CACHE_SECONDS = 86_400


def _pixel(x: float, y: float) -> tuple[int, int, int, int]:
    cx = cy = SIZE / 2
    if math.hypot(x - cx, y - cy) > SIZE / 2 - 0.5:
        return CLEAR
    # the drop: a disc at the bottom and a cone narrowing to a point at the top
    if math.hypot(x - cx, y - 19) < 6.5:
        return WHITE
    if 7 <= y <= 19 and abs(x - cx) < (y - 7) * 6.2 / 12:
        return WHITE
    return TEAL


def _png() -> bytes:
    rows = b"".join(
        b"\x00" + b"".join(bytes(_pixel(x + 0.5, y + 0.5)) for x in range(SIZE))
        for y in range(SIZE)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


@functools.cache
def icon_bytes() -> bytes:
    """The .ico file: a directory of one entry pointing at the PNG that follows it."""
    png = _png()
    directory = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", SIZE, SIZE, 0, 0, 1, 32, len(png), 6 + 16)
    return directory + entry + png


def favicon() -> Response:
    return Response(
        icon_bytes(),
        media_type="image/x-icon",
        headers={"Cache-Control": f"public, max-age={CACHE_SECONDS}"},
    )
