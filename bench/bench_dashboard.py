"""Moderator dashboard under load: update delay at 500 chat messages/s, gateway CPU, page weight and time.

1. Update delay: the whole stack runs; one simulator connection pushes 500 messages/s for 20 s (the
   benchmark's usual mix, mostly chatter, some product questions); a logged-in dashboard WebSocket records
   every frame's arrival time and ``ingested_total`` (messages the gateway's tap has seen). Message k's
   delay = arrival of the first frame with ingested_total >= k minus the time k was sent: ingest, the
   once-a-second sampler, serialization and the WebSocket hop (p50 / p95 / max). The sampler period
   (1 s) bounds the delay from below by design: p50 ~ 0.5 s is the expected floor.
2. Gateway CPU (psutil, gateway process) during the same 500 msg/s with 0 dashboards (baseline) and with
   20 dashboards connected: the fan-out's cost is the ratio.
3. Page load in headless Chromium (Debian's /usr/bin/chromium): bytes transferred and load time
   (navigation start -> load event, and -> first live frame drawn) of /dashboard and of a /report page,
   plus the PNG and PDF export times.

Run: .venv/bin/python bench/bench_dashboard.py   (~3-4 minutes: starts the whole stack)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
import psutil

from bench.common import percentile, write_result
from bench.stack import RunningStack, machine, running_stack
from connectors.simulator.chatlog import CHATTER
from connectors.simulator.replay import replay_headers, replay_url

RATE = 500
SECONDS = 20
DASHBOARDS = 20
USER, PASSWORD = "benchmod", "bench-moderates-42"
QUESTIONS = [
    "how much is the matte lipstick?",
    "is the serum in stock?",
    "这个口红多少钱",
    "price of the serum?",
]
CHROMIUM = os.environ.get("LIVEROOM_CHROMIUM", "/usr/bin/chromium")


def line(i: int) -> str:
    return QUESTIONS[i % len(QUESTIONS)] if i % 10 == 0 else CHATTER[i % len(CHATTER)]


async def logged_in(stack: RunningStack) -> aiohttp.ClientSession:
    session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    async with session.post(
        f"{stack.gateway_url}/login", data={"user": USER, "password": PASSWORD}, allow_redirects=False
    ) as response:
        assert response.status in (302, 303), f"login failed: HTTP {response.status}"
    return session


async def push(stack: RunningStack, rate: int, seconds: int, sent_at: list[float], room: str) -> None:
    """Open loop, in 10 ms slices; the room's echo frames are read and thrown away."""
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(
            replay_url(f"{stack.ws_url}/ws/rooms/{room}"), headers=replay_headers(), max_msg_size=0
        ) as ws:
            await ws.receive_json()

            async def drain() -> None:
                async for _ in ws:
                    pass

            reader = asyncio.create_task(drain())
            start = time.perf_counter()
            total = rate * seconds
            for i in range(total):
                delay = start + i / rate - time.perf_counter()
                if delay > 0.002:
                    await asyncio.sleep(delay)
                sent_at.append(time.perf_counter())
                viewer = f"v{i % 800}"
                await ws.send_str(
                    json.dumps({"type": "chat", "viewer": viewer, "viewer_id": viewer, "text": line(i)})
                )
            await asyncio.sleep(2.5)
            reader.cancel()


async def watch(
    session: aiohttp.ClientSession, stack: RunningStack, frames: list[tuple[float, int]], stop: asyncio.Event
) -> None:
    async with session.ws_connect(f"{stack.ws_url}/dashboard/stream", max_msg_size=0) as ws:
        while not stop.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                async with asyncio.timeout(0.5):
                    msg = await ws.receive()
                if msg.type != aiohttp.WSMsgType.TEXT:
                    break
                data = json.loads(msg.data)
                if data.get("type") == "frame":
                    frames.append((time.perf_counter(), int(data["ingested_total"])))


def delays(sent_at: list[float], frames: list[tuple[float, int]], base: int) -> list[float]:
    out, f = [], 0
    for k, sent in enumerate(sent_at, start=1):
        while f < len(frames) and frames[f][1] - base < k:
            f += 1
        if f == len(frames):
            break
        out.append(frames[f][0] - sent)
    return out


async def run_load(stack: RunningStack, dashboards: int, room: str) -> dict[str, object]:
    proc = psutil.Process(stack.pids["gateway"])
    sessions = [await logged_in(stack) for _ in range(dashboards)]
    frame_logs: list[list[tuple[float, int]]] = [[] for _ in sessions]
    stop = asyncio.Event()
    watchers = (
        [asyncio.create_task(watch(s, stack, log, stop)) for s, log in zip(sessions, frame_logs, strict=True)]
        if dashboards
        else []
    )
    await asyncio.sleep(2.5)
    base = frame_logs[0][-1][1] if dashboards and frame_logs[0] else 0
    sent_at: list[float] = []
    proc.cpu_percent(None)
    cpu_start = time.perf_counter()
    await push(stack, RATE, SECONDS, sent_at, room)
    cpu = proc.cpu_percent(None)
    elapsed = time.perf_counter() - cpu_start
    stop.set()
    await asyncio.gather(*watchers, return_exceptions=True)
    for s in sessions:
        await s.close()
    result: dict[str, object] = {
        "dashboards": dashboards,
        "sent": len(sent_at),
        "achieved_rate": round(len(sent_at) / (sent_at[-1] - sent_at[0]), 1) if len(sent_at) > 1 else 0,
        "gateway_cpu_percent": round(cpu, 1),
        "seconds": round(elapsed, 1),
    }
    if dashboards:
        d = delays(sent_at, frame_logs[0], base)
        ms = [x * 1000 for x in d]
        result["update_delay_ms"] = {
            "n": len(ms),
            "p50": round(percentile(ms, 50), 1),
            "p95": round(percentile(ms, 95), 1),
            "max": round(max(ms), 1) if ms else None,
        }
        result["frames_per_dashboard"] = round(sum(len(f) for f in frame_logs) / len(frame_logs), 1)
    return result


async def page_loads(stack: RunningStack) -> dict[str, object]:
    from playwright.async_api import async_playwright

    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    out: dict[str, object] = {}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        context = await browser.new_context()
        page = await context.new_page()
        await page.goto(f"{stack.gateway_url}/login")
        await page.fill('input[name="user"]', USER)
        await page.fill('input[name="password"]', PASSWORD)
        async with page.expect_navigation():
            await page.click('.login-form button[type="submit"]')
        session = await (await page.request.get(f"{stack.gateway_url}/report/current.json")).json()
        targets = {
            "dashboard": ("/dashboard", "() => window.dashboardFrames && window.dashboardFrames.frames >= 1"),
            "report": (
                f"/report/{session['id']}.html",
                "() => !!document.querySelector('#chart-activity canvas')",
            ),
        }
        for name, (path, ready) in targets.items():
            runs = []
            for _ in range(3):
                sizes: list[int] = []

                async def count(response, sizes: list[int] = sizes) -> None:
                    with contextlib.suppress(Exception):
                        sizes.append(len(await response.body()))

                page.on("response", count)
                started = time.perf_counter()
                await page.goto(f"{stack.gateway_url}{path}", wait_until="load")
                loaded = time.perf_counter() - started
                await page.wait_for_function(ready, timeout=30_000)
                ready_s = time.perf_counter() - started
                await page.wait_for_timeout(300)
                page.remove_listener("response", count)
                runs.append((loaded, ready_s, sum(sizes), len(sizes)))
            out[name] = {
                "bytes": runs[-1][2],
                "requests": runs[-1][3],
                "load_ms_median": round(sorted(r[0] for r in runs)[1] * 1000, 1),
                "ready_ms_median": round(sorted(r[1] for r in runs)[1] * 1000, 1),
            }
        for fmt in ("png", "pdf"):
            started = time.perf_counter()
            response = await page.request.get(f"{stack.gateway_url}/report/{session['id']}.{fmt}")
            body = await response.body()
            out[f"export_{fmt}"] = {
                "bytes": len(body),
                "ms": round((time.perf_counter() - started) * 1000, 1),
            }
        await browser.close()
    return out


async def main() -> None:
    env = {"LIVEROOM_WEB_USERS": f"{USER}:moderator:{PASSWORD}", "LIVEROOM_SEND_LIMIT_SIMULATOR": "1000000/1"}
    with running_stack(env) as stack:
        print(f"baseline: {RATE} msg/s for {SECONDS} s, no dashboard…", flush=True)
        baseline = await run_load(stack, 0, "bench-dash-0")
        print(json.dumps(baseline), flush=True)
        print(f"with {DASHBOARDS} dashboards…", flush=True)
        loaded = await run_load(stack, DASHBOARDS, "bench-dash-20")
        print(json.dumps(loaded), flush=True)
        print("one dashboard…", flush=True)
        single = await run_load(stack, 1, "bench-dash-1")
        print(json.dumps(single), flush=True)
        pages = await page_loads(stack)
        print(json.dumps(pages), flush=True)
    ratio = (
        loaded["gateway_cpu_percent"] / baseline["gateway_cpu_percent"]
        if baseline["gateway_cpu_percent"]
        else None
    )  # type: ignore[operator]
    result = {
        "machine": machine(),
        "rate": RATE,
        "seconds": SECONDS,
        "no_dashboard": baseline,
        "one_dashboard": single,
        "many_dashboards": loaded,
        "cpu_ratio_20_dashboards_vs_none": round(ratio, 3) if ratio else None,
        "pages": pages,
    }
    path = write_result("dashboard", result)
    print(f"written {path}")


if __name__ == "__main__":
    asyncio.run(main())
