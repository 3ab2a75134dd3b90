"""Page weight and load time of the web pages in real headless Chromium, against the whole stack.

For each page (login, simulator, the connector's standalone simulator at "/", the editor logged in as a
streamer): ROUNDS cold loads (fresh browser context, empty cache) and ROUNDS warm reloads (same context).
Reported per page: bytes transferred (navigation + every resource, from Chromium's Resource/Navigation
Timing ``transferSize``; warm loads show what the cache saves), DOMContentLoaded and load-event times
(``performance.getEntriesByType("navigation")``), and for the editor the time until the product list is
drawn (it fetches the catalog from the admin API after load). Baseline, same run, same browser: the
simulator page as it was before issue 7 (one viewer, inline script and styles; read from git history),
served by request interception.

Run: .venv/bin/python bench/bench_web.py     (starts the stack: ~1-5 min; needs `make web` built)
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import REPO, percentile, write_result
from bench.stack import running_stack

ROUNDS = 7
CHROMIUM = os.environ.get("LIVEROOM_CHROMIUM", "/usr/bin/chromium")
USERS = {"alice": ("streamer", "bench-alice-pass")}
PHONE = {"width": 390, "height": 844}

MEASURE_JS = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const res = performance.getEntriesByType('resource');
  return {
    bytes: nav.transferSize + res.reduce((s, r) => s + r.transferSize, 0),
    decoded: nav.decodedBodySize + res.reduce((s, r) => s + r.decodedBodySize, 0),
    requests: 1 + res.length,
    dcl_ms: nav.domContentLoadedEventEnd - nav.startTime,
    load_ms: nav.loadEventEnd - nav.startTime,
  };
}"""


def skeleton_html() -> str:
    """The newest committed simulator page with an inline script: the pre-issue-7 skeleton."""
    commits = subprocess.run(
        ["git", "log", "--format=%H", "--", "connectors/simulator/page.html"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    for commit in commits:
        old = subprocess.run(
            ["git", "show", f"{commit}:connectors/simulator/page.html"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        )
        if old.returncode == 0 and "<script>" in old.stdout:
            return old.stdout
    raise SystemExit("no skeleton simulator page in git history to use as the baseline")


async def measure(browser: Any, base: str, path: str, *, login: bool, ready: str | None, route: str | None):
    cold: list[dict[str, float]] = []
    warm: list[dict[str, float]] = []
    for _ in range(ROUNDS):
        context = await browser.new_context(viewport=PHONE)
        page = await context.new_page()
        if route is not None:
            await page.route(f"{base}{path}", lambda r: r.fulfill(body=route, content_type="text/html"))
        if login:
            await page.goto(f"{base}/login")
            await page.fill('input[name="user"]', "alice")
            await page.fill('input[name="password"]', USERS["alice"][1])
            async with page.expect_navigation():
                await page.click('.login-form button[type="submit"]')
        # cold = empty HTTP cache (the login above fetched the shared assets); warm = the reload after
        cdp = await context.new_cdp_session(page)
        await cdp.send("Network.clearBrowserCache")
        for bucket in (cold, warm):
            started = asyncio.get_running_loop().time()
            await page.goto(f"{base}{path}", wait_until="load")
            if ready:
                await page.wait_for_selector(ready)
            ready_ms = (asyncio.get_running_loop().time() - started) * 1000
            figures = await page.evaluate(MEASURE_JS)
            figures["ready_ms"] = ready_ms
            bucket.append(figures)
        await context.close()
    return cold, warm


def summarize(samples: list[dict[str, float]]) -> dict[str, float]:
    return {
        "bytes": int(percentile([s["bytes"] for s in samples], 50)),
        "decoded_bytes": int(percentile([s["decoded"] for s in samples], 50)),
        "requests": int(percentile([s["requests"] for s in samples], 50)),
        "dcl_p50_ms": round(percentile([s["dcl_ms"] for s in samples], 50), 1),
        "load_p50_ms": round(percentile([s["load_ms"] for s in samples], 50), 1),
        "load_p95_ms": round(percentile([s["load_ms"] for s in samples], 95), 1),
        "ready_p50_ms": round(percentile([s["ready_ms"] for s in samples], 50), 1),
    }


async def run(base: str) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    pages = [
        ("baseline: skeleton simulator (before issue 7)", "/bench-skeleton", False, "#log", skeleton_html()),
        ("login", "/login", False, 'input[name="user"]', None),
        ("simulator (/simulator)", "/simulator", False, "#status.ok", None),
        ("simulator standalone (/)", "/", False, "#status.ok", None),
        ("editor (streamer, list drawn)", "/editor", True, "#list tr", None),
    ]
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    results: dict[str, Any] = {}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        for name, path, login, ready, route in pages:
            cold, warm = await measure(browser, base, path, login=login, ready=ready, route=route)
            results[name] = {"cold": summarize(cold), "warm": summarize(warm)}
        await browser.close()
    return results


def main() -> int:
    dist = REPO / "bot" / "web" / "static" / "dist"
    if not (dist / "simulator.js").exists():
        subprocess.run(["make", "-s", "web"], cwd=REPO, check=True)
    users = ",".join(f"{n}:{r}:{p}" for n, (r, p) in USERS.items())
    with running_stack({"LIVEROOM_WEB_USERS": users}) as stack:
        results = asyncio.run(run(stack.gateway_url))
    base = results["baseline: skeleton simulator (before issue 7)"]["cold"]
    print(f"{'page (phone viewport, ' + str(ROUNDS) + ' rounds)':48} {'bytes':>8} {'req':>4} {'DCL':>7} "
          f"{'load':>7} {'ready':>7}   vs baseline load")  # fmt: skip
    for name, data in results.items():
        for kind in ("cold", "warm"):
            s = data[kind]
            ratio = s["load_p50_ms"] / base["load_p50_ms"] if base["load_p50_ms"] else float("nan")
            print(f"{name + ' · ' + kind:48} {s['bytes']:>8} {s['requests']:>4} {s['dcl_p50_ms']:>6.0f}ms "
                  f"{s['load_p50_ms']:>6.0f}ms {s['ready_p50_ms']:>6.0f}ms   {ratio:.2f}x")  # fmt: skip
    path = write_result("web", {"rounds": ROUNDS, "viewport": PHONE, "pages": results})
    print(f"written {path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
