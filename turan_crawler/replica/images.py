"""Tiny but real image files, written with the standard library only: JPEG, PNG, GIF and WebP.

Each encoder takes a ``tag`` (the URL path) that it stores in the file's comment (JPEG ``COM``, PNG ``tEXt``,
GIF comment extension, WebP ``XMP `` chunk) and from which it draws its colours, so every URL has bytes of
its own (their digests differ) and the same URL always has the same bytes. Decoders accept them all:
baseline JPEG with one colour per 8x8 block, RGB PNG, two-colour GIF, lossless WebP of one colour.
"""

from __future__ import annotations

import hashlib
import struct
import zlib


def palette(tag: str, count: int) -> list[tuple[int, int, int]]:
    """``count`` RGB colours drawn from the tag's digest."""
    out: list[tuple[int, int, int]] = []
    n = 0
    while len(out) < count:
        digest = hashlib.sha256(f"{tag}#{n}".encode()).digest()
        out += [tuple(digest[i : i + 3]) for i in range(0, 30, 3)]  # type: ignore[misc]
        n += 1
    return out[:count]


# -- JPEG ---------------------------------------------------------------------------------------------
_DC_BITS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]  # the standard luminance DC table (Annex K)
_DC_VALS = list(range(12))
_AC_BITS = [1] + [0] * 15  # one code: EOB, since every block here is flat (DC only)
_AC_VALS = [0x00]
_QUANT = 16  # every quantiser step


def _huffman_codes(bits: list[int], vals: list[int]) -> dict[int, tuple[int, int]]:
    """Canonical codes: symbol -> (code, length)."""
    codes, code, k = {}, 0, 0
    for length, count in enumerate(bits, start=1):
        for _ in range(count):
            codes[vals[k]] = (code, length)
            code, k = code + 1, k + 1
        code <<= 1
    return codes


_DC_CODES = _huffman_codes(_DC_BITS, _DC_VALS)
_EOB = _huffman_codes(_AC_BITS, _AC_VALS)[0x00]


class _BitWriter:
    def __init__(self) -> None:
        self.out = bytearray()
        self.acc = 0
        self.n = 0

    def write(self, value: int, length: int) -> None:
        for shift in range(length - 1, -1, -1):
            self.acc = (self.acc << 1) | ((value >> shift) & 1)
            self.n += 1
            if self.n == 8:
                self.out.append(self.acc)
                if self.acc == 0xFF:
                    self.out.append(0x00)  # byte stuffing
                self.acc = self.n = 0

    def finish(self) -> bytes:
        if self.n:
            self.write((1 << (8 - self.n)) - 1, 8 - self.n)  # pad with one bits
        return bytes(self.out)


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def jpeg(tag: str, width: int, height: int) -> bytes:
    """A baseline JPEG (4:4:4) of ``width`` x ``height`` (multiples of 8), one colour per 8x8 block."""
    cols, rows = width // 8, height // 8
    colours = palette(tag, cols * rows)
    writer = _BitWriter()
    previous = [0, 0, 0]
    for r, g, b in colours:
        y = 0.299 * r + 0.587 * g + 0.114 * b
        cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b
        cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b
        for comp, level in enumerate((y, cb, cr)):
            dc = round(8 * (level - 128) / _QUANT)  # the DCT's DC term of a flat block, quantised
            diff, previous[comp] = dc - previous[comp], dc
            size = abs(diff).bit_length()
            code, length = _DC_CODES[size]
            writer.write(code, length)
            if size:
                writer.write(diff if diff > 0 else diff + (1 << size) - 1, size)
            writer.write(*_EOB)
    dht = (
        bytes([0x00, *_DC_BITS, *_DC_VALS])  # class 0 (DC), table 0
        + bytes([0x10, *_AC_BITS, *_AC_VALS])  # class 1 (AC), table 0
    )
    return b"".join(
        [
            b"\xff\xd8",
            _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
            _segment(0xFE, tag.encode()),
            _segment(0xDB, bytes([0x00]) + bytes([_QUANT] * 64)),
            _segment(
                0xC0, struct.pack(">BHHB", 8, height, width, 3) + bytes([1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0])
            ),
            _segment(0xC4, dht),
            _segment(0xDA, bytes([3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 63, 0])),
            writer.finish(),
            b"\xff\xd9",
        ]
    )


# -- PNG ----------------------------------------------------------------------------------------------
def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(tag: str, width: int, height: int, cell: int = 4) -> bytes:
    """An RGB PNG: a checkerboard of ``cell``-pixel squares in two of the tag's colours."""
    a, b = palette(tag, 2)
    rows = b"".join(
        b"\x00" + b"".join(bytes(a if (x // cell + y // cell) % 2 else b) for x in range(width))
        for y in range(height)
    )
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)),
            _chunk(b"tEXt", b"Comment\x00" + tag.encode()),
            _chunk(b"IDAT", zlib.compress(rows, 9)),
            _chunk(b"IEND", b""),
        ]
    )


# -- GIF ----------------------------------------------------------------------------------------------
def _sub_blocks(data: bytes) -> bytes:
    return (
        b"".join(bytes([len(data[i : i + 255])]) + data[i : i + 255] for i in range(0, len(data), 255))
        + b"\0"
    )


def gif(tag: str, width: int, height: int) -> bytes:
    """A two-colour GIF89a of horizontal stripes. The LZW stream clears its table every two pixels, so every
    code stays three bits wide (the 'uncompressed GIF' technique)."""
    clear, end = 4, 5
    codes = [clear]
    for n, pixel in enumerate((y // 2) % 2 for y in range(height) for _ in range(width)):
        if n and n % 2 == 0:
            codes.append(clear)
        codes.append(pixel)
    codes.append(end)
    acc = nbits = 0
    data = bytearray()
    for code in codes:  # LSB first
        acc |= code << nbits
        nbits += 3
        while nbits >= 8:
            data.append(acc & 0xFF)
            acc >>= 8
            nbits -= 8
    if nbits:
        data.append(acc & 0xFF)
    colours = b"".join(bytes(c) for c in palette(tag, 2))
    return b"".join(
        [
            b"GIF89a",
            struct.pack("<HHBBB", width, height, 0x80, 0, 0),  # a global table of two colours
            colours,
            b"\x21\xfe" + _sub_blocks(tag.encode()),  # comment extension
            b"\x2c" + struct.pack("<HHHHB", 0, 0, width, height, 0),
            b"\x02" + _sub_blocks(bytes(data)),  # LZW minimum code size 2
            b"\x3b",
        ]
    )


# -- WebP ---------------------------------------------------------------------------------------------
class _LsbBits:
    def __init__(self) -> None:
        self.acc = 0
        self.n = 0

    def write(self, value: int, length: int) -> None:
        self.acc |= value << self.n
        self.n += length

    def finish(self) -> bytes:
        return self.acc.to_bytes((self.n + 7) // 8, "little")


def _riff_chunk(kind: bytes, data: bytes) -> bytes:
    return kind + struct.pack("<I", len(data)) + data + (b"\0" if len(data) % 2 else b"")


def webp(tag: str, width: int, height: int) -> bytes:
    """A lossless WebP (VP8L) of one colour, in the extended format with an XMP chunk naming the tag."""
    r, g, b = palette(tag, 1)[0]
    bits = _LsbBits()
    bits.write(0x2F, 8)  # VP8L signature
    bits.write(width - 1, 14)
    bits.write(height - 1, 14)
    bits.write(0, 1)  # alpha_is_used
    bits.write(0, 3)  # version
    bits.write(0, 1)  # no transform
    bits.write(0, 1)  # no colour cache
    bits.write(0, 1)  # one prefix-code group
    for symbol in (g, r, b, 255):  # green, red, blue, alpha: one symbol each, so a pixel costs no bits
        bits.write(1, 1)  # simple code
        bits.write(0, 1)  # one symbol
        bits.write(1, 1)  # eight-bit symbol
        bits.write(symbol, 8)
    bits.write(1, 1)  # distance: simple code, one one-bit symbol (0)
    bits.write(0, 1)
    bits.write(0, 1)
    bits.write(0, 1)
    vp8x = bytes([0x04, 0, 0, 0]) + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    xmp = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        f'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:source="{tag}"/></rdf:RDF></x:xmpmeta>'
    ).encode()
    body = (
        b"WEBP" + _riff_chunk(b"VP8X", vp8x) + _riff_chunk(b"VP8L", bits.finish()) + _riff_chunk(b"XMP ", xmp)
    )
    return b"RIFF" + struct.pack("<I", len(body)) + body


def font(tag: str, kind: str, size: int = 1536) -> bytes:
    """Deterministic bytes behind a WOFF2 or WOFF signature: not a usable font, but labelled like one."""
    head = (b"wOF2" if kind == "woff2" else b"wOFF") + b"\x00\x01\x00\x00" + struct.pack(">I", size)
    stream = bytearray(head)
    n = 0
    while len(stream) < size:
        stream += hashlib.sha256(f"{tag}:{n}".encode()).digest()
        n += 1
    return bytes(stream[:size])
