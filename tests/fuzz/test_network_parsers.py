"""Fuzzing of every parser that reads bytes from the network: random and structure-aware inputs must
end in the parser's result or its documented error, never in another exception.

- ``connectors.bilibili.framing.decode_frame`` (danmaku WebSocket frames): ``FrameError``;
- ``connectors.bilibili.payloads.parse_body`` + ``to_event`` (packet bodies): ``FrameError``, ``Skip``;
- ``connectors.twitch.payloads.to_event`` (EventSub notifications): ``Skip``, ``KeyError``,
  ``TypeError``, ``ValueError``, ``AttributeError`` (exactly what the socket loop catches and counts);
- ``connectors.simulator.payloads.parse_client_frame`` (simulator WebSocket text): ``BadFrame``;
- ``knowledge_graph.transfer.bundle.parse_json`` / ``transfer.csv.parse_csv``
  (admin imports): ``ImportRejected``;
- ``knowledge_graph.transfer.bundle.faq_from_json`` (admin FAQ bodies): ``ValidationError``;
- ``vision.schema.validate_report`` (the camera sidecar's POST body): ``InvalidReport``.

The admin HTTP API is fuzzed over HTTP in test_admin_api_fuzz.py. (liveroom has no Twitch IRC parser:
chat arrives over EventSub.)
"""

from __future__ import annotations

import json
import struct
import zlib
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.bilibili import payloads as bili_payloads
from connectors.bilibili.errors import FrameError
from connectors.bilibili.framing import HEADER, decode_frame
from connectors.simulator.payloads import BadFrame, parse_client_frame
from connectors.twitch import payloads as twitch_payloads
from knowledge_graph.errors import ValidationError
from knowledge_graph.transfer.bundle import ImportRejected, faq_from_json, parse_json
from knowledge_graph.transfer.csv import parse_csv
from vision.schema import InvalidReport, validate_report

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# JSON-like values of any shape: what a hostile or buggy peer can put in a valid JSON document.
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=20,
)


def packet(op: int, ver: int, body: bytes, *, pack_len: int | None = None, header_len: int = 16) -> bytes:
    length = len(body) + header_len if pack_len is None else pack_len
    return HEADER.pack(length & 0xFFFFFFFF, header_len & 0xFFFF, ver & 0xFFFF, op & 0xFFFFFFFF, 1) + body


bili_packets = st.builds(
    packet,
    op=st.sampled_from([2, 3, 5, 7, 8, 0, 99]),
    ver=st.sampled_from([0, 1, 2, 3, 7]),
    body=st.binary(max_size=64),
    pack_len=st.none() | st.integers(min_value=0, max_value=2**32 - 1),
    header_len=st.sampled_from([16, 0, 15, 17, 65535]),
)


@FUZZ
@given(st.binary(max_size=512))
def test_bilibili_decode_frame_random_bytes(data: bytes) -> None:
    try:
        decode_frame(data)
    except FrameError:
        pass


@FUZZ
@given(st.lists(bili_packets, min_size=1, max_size=4), st.booleans())
def test_bilibili_decode_frame_structured(packets: list[bytes], compress: bool) -> None:
    """Plausible headers with lying lengths, unknown versions, and zlib bodies holding such packets."""
    data = b"".join(packets)
    if compress:
        data = packet(5, 2, zlib.compress(data))
    try:
        decode_frame(data, max_decompressed=4096)
    except FrameError:
        pass


def test_bilibili_zlib_bomb_is_refused() -> None:
    bomb = packet(5, 2, zlib.compress(b"\0" * (8 << 20)))
    try:
        decode_frame(bomb, max_decompressed=1 << 20)
    except FrameError as err:
        assert "too_large" in str(err.reason if hasattr(err, "reason") else err)
    else:
        raise AssertionError("an 8 MiB zlib body was decoded past the 1 MiB limit")


danmaku_like = st.fixed_dictionaries(
    {
        "cmd": st.sampled_from(
            [
                "DANMU_MSG",
                "SEND_GIFT",
                "SUPER_CHAT_MESSAGE",
                "INTERACT_WORD",
                "LIKE_INFO_V3_CLICK",
                "GUARD_BUY",
                "USER_TOAST_MSG",
                "SUPER_CHAT_MESSAGE_DELETE",
                "ROOM_BLOCK_MSG",
                "RECALL_DANMU_MSG",
                "WARNING",
                "ROOM_ADMIN_REVOKE",
                "ROOM_SILENT_ON",
                "ROOM_SILENT_OFF",
                "WATCHED_CHANGE",
                "ONLINE_RANK_COUNT",
                "LIVE",
                "PREPARING",
                "X",
            ]
        )
    },
    optional={"info": json_values, "data": json_values},
)


@FUZZ
@given(st.binary(max_size=300) | danmaku_like.map(lambda d: json.dumps(d).encode()))
def test_bilibili_message_bodies(body: bytes) -> None:
    try:
        bili_payloads.to_event(bili_payloads.parse_body(body), "123", "456")
    except (FrameError, bili_payloads.Skip):
        pass


twitch_like = st.fixed_dictionaries(
    {
        "metadata": st.fixed_dictionaries(
            {},
            optional={
                "subscription_type": st.sampled_from(
                    [
                        "channel.chat.message",
                        "channel.chat.notification",
                        "channel.follow",
                        "channel.moderate",
                        "automod.message.hold",
                        "automod.message.update",
                        "channel.chat.user_message_hold",
                        "channel.ban",
                        "other",
                    ]
                ),
                "message_timestamp": st.text(max_size=40) | json_values,
                "message_id": json_values,
            },
        ),
        "payload": st.fixed_dictionaries(
            {"subscription": st.fixed_dictionaries({"type": st.text(max_size=30)}), "event": json_values},
        ),
    }
)


@FUZZ
@given(twitch_like | st.dictionaries(st.text(max_size=10), json_values, max_size=4))
def test_twitch_eventsub_notifications(message: dict[str, Any]) -> None:
    try:
        twitch_payloads.to_event(message)  # type: ignore[arg-type]
    except (twitch_payloads.Skip, KeyError, TypeError, ValueError, AttributeError):
        pass


simulator_like = st.fixed_dictionaries(
    {"type": st.sampled_from(["chat", "gift", "super_chat", "moderation", "bogus"]) | json_values},
    optional={
        "viewer": json_values,
        "viewer_id": json_values,
        "text": json_values,
        "gift": json_values,
        "count": json_values,
        "value": json_values,
        "amount": json_values,
        "message_id": json_values,
        "roles": json_values,
        "action": st.sampled_from(["ban", "timeout", "held", "x"]) | json_values,
        "target": json_values,
        "target_id": json_values,
        "reason": json_values,
        "duration_s": json_values,
    },
)


@FUZZ
@given(st.text(max_size=300) | simulator_like.map(json.dumps))
def test_simulator_websocket_frames(raw: str) -> None:
    try:
        parse_client_frame(raw)
    except BadFrame:
        pass


@FUZZ
@given(
    st.binary(max_size=400)
    | st.dictionaries(
        st.sampled_from(["format", "products", "faqs", "categories", "promotions"]), json_values
    ).map(lambda d: json.dumps({"format": "liveroom.catalog.v1", **d}).encode())
)
def test_admin_json_import_bodies(body: bytes) -> None:
    try:
        parse_json(body)
    except ImportRejected:
        pass


csv_cells = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)


@FUZZ
@given(
    st.binary(max_size=400)
    | st.lists(st.lists(csv_cells, max_size=8), max_size=6).map(
        lambda rows: "\n".join(",".join(row) for row in [["kind", "sku", "name_en", "price"], *rows]).encode()
    )
)
def test_admin_csv_import_bodies(body: bytes) -> None:
    try:
        parse_csv(body)
    except ImportRejected:
        pass


@FUZZ
@given(json_values)
def test_admin_faq_bodies(body: object) -> None:
    try:
        faq_from_json(body)
    except ValidationError:
        pass


vision_like = st.fixed_dictionaries(
    {"schema": st.just("liveroom.vision.v1") | json_values},
    optional={
        "platform": json_values,
        "room": json_values,
        "faces": json_values,
        "distribution": st.dictionaries(st.sampled_from(["happy", "sad", "neutral", "x"]), json_values)
        | json_values,
        "frames": json_values,
        "fps": json_values,
        "window_s": json_values,
    },
)


@FUZZ
@given(vision_like | json_values)
def test_vision_reports(body: object) -> None:
    try:
        validate_report(body)
    except InvalidReport:
        pass


def test_struct_header_is_what_the_fuzzer_builds() -> None:
    """Guard: the structured fuzzer above builds real headers (so it reaches past the length checks)."""
    data = packet(5, 0, b'{"cmd": "X"}')
    assert struct.unpack(">IHHII", data[:16])[0] == len(data)
    assert decode_frame(data)[0].body == b'{"cmd": "X"}'
