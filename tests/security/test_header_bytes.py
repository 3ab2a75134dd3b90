"""Security review L6: header bytes that are not UTF-8 (aiohttp decodes them with surrogateescape) are a
wrong token or a wrong CSRF token (401/403), never a 500, on a real gateway over a raw socket."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.core.config import GatewayConfig
from tests.conftest import free_port

USERS = "sam:streamer:sam-streams-1234"


async def _raw(client: TestClient, method: str, path: str, header: bytes, extra: bytes = b"") -> int:
    reader, writer = await asyncio.open_connection(client.host, client.port)
    writer.write(
        f"{method} {path} HTTP/1.1\r\nHost: {client.host}:{client.port}\r\n".encode()
        + header + b"\r\n" + extra + b"Content-Length: 0\r\nConnection: close\r\n\r\n"
    )  # fmt: skip
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    return int(status_line.split()[1])


async def test_non_utf8_header_bytes_are_refused_not_crashed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIVEROOM_VAR", str(tmp_path))
    monkeypatch.setenv("LIVEROOM_WARM_ENCODERS", "0")
    monkeypatch.setenv("LIVEROOM_METRICS_TOKEN", "metrics-token-0123456789")
    monkeypatch.setenv("LIVEROOM_VISION_TOKEN", "vision-token-0123456789")
    monkeypatch.setenv("LIVEROOM_WEB_USERS", USERS)
    app = create_app(GatewayConfig(rasa_url=f"http://127.0.0.1:{free_port()}"), ("simulator",))
    async with TestClient(TestServer(app)) as client:
        assert await _raw(client, "GET", "/metrics", b"Authorization: Bearer \xff\xfe") == 401
        assert await _raw(client, "POST", "/api/vision/audience", b"Authorization: Bearer \xff") == 401
        login = await client.post("/login", data={"user": "sam", "password": "sam-streams-1234"})
        assert login.status == 200
        cookie = "; ".join(f"{c.key}={c.value}" for c in client.session.cookie_jar)
        status = await _raw(
            client, "POST", "/api/v1/categories", b"X-CSRF-Token: \xff\xfe", f"Cookie: {cookie}\r\n".encode()
        )
        assert status == 403


def test_deeply_nested_import_files_are_rejected_not_crashed() -> None:
    """Security review L7: an import job used to die on RecursionError and stay "validating"."""
    from knowledge_graph.transfer.bundle import ImportRejected, parse_json
    from knowledge_graph.transfer.csv import parse_csv

    with pytest.raises(ImportRejected, match="nested too deeply"):
        parse_json("[" * 100_000)
    header = "type,sku,name_en,name_zh,aliases_en\n"
    with pytest.raises(ImportRejected, match="aliases_en: must be a JSON list"):
        parse_csv(header + "product,LR-1,a,b," + '"' + "[" * 100_000 + '"\n')
