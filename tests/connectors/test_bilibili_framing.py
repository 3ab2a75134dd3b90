"""The danmaku framing codec: documented sample frames, round trips, fuzzing, malformed input, and a
cross-check against an independent implementation (PyPI blivedm 0.1.1, when installed)."""

from __future__ import annotations

import json
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.bilibili import wbi
from connectors.bilibili.errors import FrameError
from connectors.bilibili.framing import (
    HEADER,
    Op,
    Packet,
    Ver,
    decode_frame,
    encode_compressed,
    encode_packet,
    heartbeat_popularity,
)
from connectors.bilibili.proto import decode_interact_word, encode_fields, parse_fields

# Documented heartbeat example (body "{}"): length 18, header 16, ver 1, op 2, seq 1.
HEARTBEAT_HEX = "000000120010000100000002000000017b7d"


def test_documented_heartbeat_frame() -> None:
    assert encode_packet(Op.HEARTBEAT, b"{}").hex() == HEARTBEAT_HEX
    assert decode_frame(bytes.fromhex(HEARTBEAT_HEX)) == [Packet(Op.HEARTBEAT, b"{}", Ver.HEARTBEAT, 1)]


def test_heartbeat_reply_with_trailing_echo() -> None:
    frame = encode_packet(Op.HEARTBEAT_REPLY, (4321).to_bytes(4, "big")) + b"[object Object]"
    (packet,) = decode_frame(frame)
    assert packet.op == Op.HEARTBEAT_REPLY and heartbeat_popularity(packet.body) == 4321


def test_documented_wbi_example() -> None:
    # bilibili-API-collect's worked example of the WBI algorithm
    img, sub = "7cd084941338484aae1ad9425b84077c", "4932caff0ff746eab6f01bf08b70ac45"
    assert wbi.mixin_key(img, sub) == "ea1db124af3c7062474693fa704f4ff8"
    signed = wbi.sign({"foo": "114", "bar": "514", "zab": 1919810}, img, sub, now=1702204169)
    assert signed["w_rid"] == "8f6f2b5b3d485fe1886cec6a0be8c5d4"
    assert wbi.verify(signed, img, sub) and not wbi.verify({**signed, "foo": "115"}, img, sub)


bodies = st.lists(st.binary(max_size=200), min_size=1, max_size=8)


@given(bodies, st.sampled_from([Ver.ZLIB, Ver.BROTLI]))
def test_compressed_round_trip(payloads: list[bytes], ver: Ver) -> None:
    packets = [Packet(Op.MESSAGE, body, Ver.JSON, 1) for body in payloads]
    assert decode_frame(encode_compressed(packets, ver)) == packets


@given(
    st.lists(
        st.tuples(
            st.sampled_from([Op.HEARTBEAT, Op.MESSAGE, Op.AUTH, Op.AUTH_REPLY, 42]), st.binary(max_size=100)
        ),
        min_size=1,
        max_size=6,
    )
)
def test_concatenated_plain_packets_round_trip(items: list[tuple[int, bytes]]) -> None:
    frame = b"".join(encode_packet(op, body, ver=Ver.JSON) for op, body in items)
    assert [(p.op, p.body) for p in decode_frame(frame)] == items


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_decoder_never_fails_other_than_frame_error(data: bytes) -> None:
    try:
        packets = decode_frame(data, max_decompressed=4096)
    except FrameError as err:
        assert err.reason
        return
    assert all(isinstance(p, Packet) for p in packets)


@settings(max_examples=300)
@given(st.binary(min_size=16, max_size=120), st.integers(0, 2**32 - 1), st.sampled_from([0, 1, 2, 3, 9]))
def test_lying_headers_are_rejected_not_trusted(body: bytes, pack_len: int, ver: int) -> None:
    frame = HEADER.pack(pack_len, 16, ver, Op.MESSAGE, 1) + body
    try:
        packets = decode_frame(frame, max_decompressed=4096)
    except FrameError:
        return
    assert sum(len(p.body) for p in packets) <= 4096 + len(frame)


@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        (b"", "empty_frame"),
        (bytes.fromhex(HEARTBEAT_HEX)[:10], "truncated_header"),
        (HEADER.pack(10_000, 16, 0, 5, 1) + b"{}", "bad_length"),
        (HEADER.pack(8, 16, 0, 5, 1) + b"{}", "bad_length"),
        (HEADER.pack(18, 4, 0, 5, 1) + b"{}", "bad_length"),
        (encode_packet(Op.MESSAGE, zlib.compress(b"x" * 100_000), ver=Ver.ZLIB), "decompressed_too_large"),
        (encode_packet(Op.MESSAGE, b"nope", ver=Ver.ZLIB), "bad_zlib"),
        (encode_packet(Op.MESSAGE, b"nope", ver=Ver.BROTLI), "bad_brotli"),
        (
            encode_packet(
                Op.MESSAGE, zlib.compress(encode_compressed([Packet(5, b"{}")], Ver.ZLIB)), ver=Ver.ZLIB
            ),
            "nested_compression",
        ),
    ],
)
def test_malformed_frames_name_the_reason(frame: bytes, reason: str) -> None:
    with pytest.raises(FrameError) as info:
        decode_frame(frame, max_decompressed=50_000)
    assert info.value.reason == reason


def test_decompression_bomb_is_bounded() -> None:
    bomb = encode_packet(Op.MESSAGE, zlib.compress(b"\0" * (16 << 20), 9), ver=Ver.ZLIB)
    assert len(bomb) < 100_000
    with pytest.raises(FrameError, match="decompressed_too_large"):
        decode_frame(bomb)


@given(st.integers(0, 2**63), st.text(max_size=30), st.integers(0, 5), st.integers(0, 2**40))
def test_interact_word_protobuf_round_trip(uid: int, name: str, msg_type: int, ts: int) -> None:
    import base64

    raw = encode_fields([(1, uid), (2, name), (3, b"\x01\x02"), (5, msg_type), (7, ts)])
    word = decode_interact_word(base64.b64encode(raw).decode())
    assert (word.uid, word.uname, word.msg_type, word.timestamp) == (uid, name, msg_type, ts)


@given(st.binary(max_size=64))
def test_protobuf_reader_fails_only_with_frame_error(data: bytes) -> None:
    try:
        parse_fields(data)
    except FrameError:
        pass


# -- independent implementation -------------------------------------------------------------------
async def test_cross_check_with_blivedm() -> None:
    blivedm_client = pytest.importorskip("blivedm.client", reason="pip install --no-deps blivedm==0.1.1")

    class Probe(blivedm_client.BLiveClient):
        def __init__(self) -> None:  # no network: only the parser is used
            self._room_id = 0
            self.commands: list[dict] = []

        async def _handle_command(self, command: dict) -> None:
            self.commands.append(command)

    auth = {"uid": 0, "roomid": 1, "protover": 3, "platform": "web", "type": 2, "key": "k"}
    theirs = blivedm_client.BLiveClient._make_packet(auth, Op.AUTH)
    assert theirs == encode_packet(Op.AUTH, json.dumps(auth).encode())
    assert blivedm_client.BLiveClient._make_packet({}, Op.HEARTBEAT) == encode_packet(Op.HEARTBEAT, b"{}")
    assert decode_frame(theirs)[0].body == json.dumps(auth).encode()

    messages = [{"cmd": "DANMU_MSG", "info": [[0], f"弹幕 {i}", [i, "u"]]} for i in range(5)]
    packets = [Packet(Op.MESSAGE, json.dumps(m, ensure_ascii=False).encode()) for m in messages]
    probe = Probe()
    await probe._parse_ws_message(encode_compressed(packets, Ver.BROTLI))
    await probe._parse_ws_message(b"".join(encode_packet(Op.MESSAGE, p.body, ver=Ver.JSON) for p in packets))
    await probe._parse_ws_message(encode_packet(Op.HEARTBEAT_REPLY, (77).to_bytes(4, "big")) + b"echo")
    assert probe.commands[:10] == messages + messages
    assert probe.commands[10] == {"cmd": "_HEARTBEAT", "data": {"popularity": 77}}
