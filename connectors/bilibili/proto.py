"""A tiny protobuf reader for the few Bilibili messages sent as ``data.pb`` (INTERACT_WORD_V2).

Only what those messages use: varints (wire type 0), length-delimited fields (2) and skipping fixed
32/64-bit fields (5/1). Field numbers come from the public schemas reference clients use; unknown
fields are skipped, as protobuf requires. Written here instead of adding a protobuf runtime dependency
for ~5 fields.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from connectors.bilibili.errors import FrameError

Fields = dict[int, list[int | bytes]]


def read_varint(data: bytes, pos: int) -> tuple[int, int]:
    """(value, next position); at most 10 bytes, as in protobuf."""
    value = 0
    for shift in range(0, 70, 7):
        if pos >= len(data):
            raise FrameError("bad_protobuf", "truncated varint")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
    raise FrameError("bad_protobuf", "varint longer than 10 bytes")


def parse_fields(data: bytes) -> Fields:
    """All top-level fields of a message: field number -> values in order."""
    fields: Fields = {}
    pos = 0
    while pos < len(data):
        key, pos = read_varint(data, pos)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise FrameError("bad_protobuf", "field number 0")
        value: int | bytes
        if wire == 0:
            value, pos = read_varint(data, pos)
        elif wire == 2:
            length, pos = read_varint(data, pos)
            if pos + length > len(data):
                raise FrameError("bad_protobuf", "length beyond the message")
            value, pos = data[pos : pos + length], pos + length
        elif wire in (1, 5):
            size = 8 if wire == 1 else 4
            if pos + size > len(data):
                raise FrameError("bad_protobuf", "truncated fixed field")
            value, pos = int.from_bytes(data[pos : pos + size], "little"), pos + size
        else:
            raise FrameError("bad_protobuf", f"unsupported wire type {wire}")
        fields.setdefault(number, []).append(value)
    return fields


def encode_varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def encode_fields(fields: list[tuple[int, int | str | bytes]]) -> bytes:
    """The inverse for tests and the fake server: ints as varints, str/bytes length-delimited."""
    out = bytearray()
    for number, value in fields:
        if isinstance(value, int):
            out += encode_varint(number << 3) + encode_varint(value)
        else:
            raw = value.encode() if isinstance(value, str) else value
            out += encode_varint(number << 3 | 2) + encode_varint(len(raw)) + raw
    return bytes(out)


@dataclass(frozen=True)
class InteractWord:
    """INTERACT_WORD_V2: uid=1, uname=2, msg_type=5 (1 enter, 2 follow, 3 share), timestamp=7."""

    uid: int
    uname: str
    msg_type: int
    timestamp: int


def decode_interact_word(pb_base64: str) -> InteractWord:
    try:
        raw = base64.b64decode(pb_base64, validate=True)
    except (binascii.Error, ValueError) as err:
        raise FrameError("bad_protobuf", f"base64: {err}") from None
    fields = parse_fields(raw)

    def num(n: int) -> int:
        value = fields.get(n, [0])[0]
        return value if isinstance(value, int) else 0

    name = fields.get(2, [b""])[0]
    try:
        uname = name.decode() if isinstance(name, bytes) else ""
    except UnicodeDecodeError:
        raise FrameError("bad_protobuf", "uname is not UTF-8") from None
    return InteractWord(uid=num(1), uname=uname, msg_type=num(5), timestamp=num(7))
