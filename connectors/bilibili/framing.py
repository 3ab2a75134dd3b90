"""The danmaku WebSocket framing: 16-byte big-endian header, op codes, zlib/brotli bodies.

Header ``>IHHII``: packet length (header + body), header length (16), protocol version, operation,
sequence. Version 0 = JSON body, 1 = heartbeat/auth (raw bytes), 2 = zlib, 3 = brotli; a compressed
body is itself a series of packets. One WebSocket frame may hold several packets.

Pure functions only (no I/O), so they are fuzzed with hypothesis and benchmarked on their own. All
length fields are checked against the bytes actually present, and decompression output is bounded,
because a frame comes from the network.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from enum import IntEnum

from connectors.bilibili.errors import FrameError

try:  # protover 3 needs Brotli; without it we ask the server for zlib (protover 2) instead.
    import brotli
except ImportError:  # pragma: no cover - depends on the environment
    brotli = None

HEADER = struct.Struct(">IHHII")
HEADER_LEN = HEADER.size  # 16
DEFAULT_MAX_DECOMPRESSED = 1 << 20
MAX_NESTING = 2  # a compressed body holds plain packets; deeper nesting is not sent by the server


class Op(IntEnum):
    HEARTBEAT = 2
    HEARTBEAT_REPLY = 3
    MESSAGE = 5
    AUTH = 7
    AUTH_REPLY = 8


class Ver(IntEnum):
    JSON = 0
    HEARTBEAT = 1  # also used for auth
    ZLIB = 2
    BROTLI = 3


@dataclass(frozen=True)
class Packet:
    op: int
    body: bytes
    ver: int = Ver.JSON
    seq: int = 1


def brotli_available() -> bool:
    return brotli is not None


def encode_packet(op: int, body: bytes, *, ver: int = Ver.HEARTBEAT, seq: int = 1) -> bytes:
    """One packet: header + body (body is sent as-is; compress with :func:`encode_compressed`)."""
    return HEADER.pack(HEADER_LEN + len(body), HEADER_LEN, ver, op, seq) + body


def encode_compressed(packets: list[Packet], ver: int) -> bytes:
    """Several packets compressed into one ver-2 (zlib) or ver-3 (brotli) MESSAGE packet."""
    inner = b"".join(encode_packet(p.op, p.body, ver=p.ver, seq=p.seq) for p in packets)
    if ver == Ver.ZLIB:
        body = zlib.compress(inner)
    elif ver == Ver.BROTLI:
        if brotli is None:
            raise FrameError("brotli_unavailable")
        body = brotli.compress(inner)
    else:
        raise ValueError(f"not a compressed version: {ver}")
    return encode_packet(Op.MESSAGE, body, ver=ver, seq=0)


def decode_frame(data: bytes, *, max_decompressed: int = DEFAULT_MAX_DECOMPRESSED) -> list[Packet]:
    """Split one WebSocket frame into plain packets, decompressing ver 2/3 bodies.

    Raises :class:`FrameError` on any inconsistency. A heartbeat reply carries bytes after its stated
    length (an echo); they are ignored, as the reference clients do.
    """
    return _decode(memoryview(data), max_decompressed, depth=0)


def _decode(data: memoryview, max_decompressed: int, depth: int) -> list[Packet]:
    packets: list[Packet] = []
    offset = 0
    total = len(data)
    if total == 0:
        raise FrameError("empty_frame")
    while offset < total:
        if total - offset < HEADER_LEN:
            raise FrameError("truncated_header", f"{total - offset} bytes left")
        pack_len, header_len, ver, op, seq = HEADER.unpack_from(data, offset)
        if header_len < HEADER_LEN or pack_len < header_len:
            raise FrameError("bad_length", f"pack_len={pack_len} header_len={header_len}")
        if offset + pack_len > total:
            raise FrameError("bad_length", f"pack_len={pack_len} exceeds the {total - offset} bytes left")
        body = bytes(data[offset + header_len : offset + pack_len])
        if op == Op.HEARTBEAT_REPLY:
            packets.append(Packet(op, body, ver, seq))
            break  # the bytes after it are an echo, not packets
        if ver in (Ver.ZLIB, Ver.BROTLI) and op == Op.MESSAGE:
            if depth >= MAX_NESTING - 1:
                raise FrameError("nested_compression")
            inner = _decompress(body, ver, max_decompressed)
            packets.extend(_decode(memoryview(inner), max_decompressed, depth + 1))
        else:
            packets.append(Packet(op, body, ver, seq))
        offset += pack_len
    return packets


def _decompress(body: bytes, ver: int, limit: int) -> bytes:
    if ver == Ver.ZLIB:
        engine = zlib.decompressobj()
        try:
            out = engine.decompress(body, limit)
        except zlib.error as err:
            raise FrameError("bad_zlib", str(err)) from None
        if engine.unconsumed_tail:
            raise FrameError("decompressed_too_large", f"> {limit} bytes")
        if not engine.eof:
            raise FrameError("bad_zlib", "truncated stream")
        return out
    if brotli is None:
        raise FrameError("brotli_unavailable")
    decoder = brotli.Decompressor()
    try:
        unpacked: bytes = decoder.process(body, output_buffer_limit=limit)
    except brotli.error as err:
        raise FrameError("bad_brotli", str(err)) from None
    if len(unpacked) >= limit and not decoder.is_finished():
        raise FrameError("decompressed_too_large", f">= {limit} bytes")
    if not decoder.is_finished():
        raise FrameError("bad_brotli", "truncated stream")
    return unpacked


def heartbeat_popularity(body: bytes) -> int | None:
    """The 4-byte popularity count in a heartbeat reply (None if the body is too short)."""
    return int.from_bytes(body[:4], "big") if len(body) >= 4 else None
