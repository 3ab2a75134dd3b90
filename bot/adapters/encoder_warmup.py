"""Load the sentence encoders in the background when the gateway starts.

Why: FAQ writes (editor, CSV import, the dashboard's "turn into FAQ") embed the question with both
sentence encoders (:mod:`knowledge_graph.semantic.encoders`), which load lazily. Loading takes ~16 s on
a loaded 2-core machine, so without this the first FAQ write of a fresh gateway stalls for that long.

How: one cleanup context (bot/app.py) starts a *daemon* thread (after ``delay_s``, so the gateway binds
and serves first) that runs ``warm_up()``; the event loop only awaits a future the thread resolves. The
gateway is ready without waiting for it; a shutdown during the load does not wait for it either (a daemon
thread needs no join, unlike ``asyncio.to_thread``'s pool, which the loop's shutdown would wait for). A failed
load is logged and shown (``/healthz``, metrics), never fatal: the encoders then load on first use, as
before.

Shown as ``liveroom_encoders_ready`` (1 once loaded) and ``liveroom_encoder_warmup_seconds`` (how long
the load took), and in ``/healthz`` as ``"encoders": "off" | "pending" | "loading" | "ready" |
"failed"``. ``LIVEROOM_WARM_ENCODERS=0`` turns it off (tests that never write an FAQ, to save the CPU).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from connectors.settings import load, setting

log = logging.getLogger(__name__)

OFF, PENDING, LOADING, READY, FAILED = "off", "pending", "loading", "ready", "failed"


def _load_encoders() -> None:
    # imported in the thread: torch's import is slow too
    from knowledge_graph import warm_up_encoders as warm_up

    warm_up()


@dataclass(frozen=True)
class WarmupConfig:
    enabled: bool = setting("LIVEROOM_WARM_ENCODERS", default=True)
    #: seconds after start-up before loading begins (lets the gateway serve its first requests first)
    delay_s: float = setting("LIVEROOM_WARM_ENCODERS_DELAY_S", default=1.0)

    def __post_init__(self) -> None:
        if not 0 <= self.delay_s <= 600:
            raise ValueError("LIVEROOM_WARM_ENCODERS_DELAY_S must be 0-600 seconds")

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> WarmupConfig:
        return load(cls, env)


class EncoderWarmup:
    """The state of one background load (``state``, ``seconds``); ``on_loaded(seconds)`` sets the gauges."""

    def __init__(
        self,
        config: WarmupConfig,
        on_loaded: Callable[[float], None],
        load: Callable[[], None] = _load_encoders,
    ) -> None:
        self.config = config
        self._load = load
        self._on_loaded = on_loaded  # GatewayMetrics.encoders_loaded: the two gauges
        self.state = PENDING if config.enabled else OFF
        self.seconds: float | None = None

    async def run(self) -> None:
        """Wait ``delay_s``, then load in a daemon thread and record how it went."""
        if not self.config.enabled:
            return
        await asyncio.sleep(self.config.delay_s)
        loop = asyncio.get_running_loop()
        done: asyncio.Future[float] = loop.create_future()

        def work() -> None:
            started = time.perf_counter()
            try:
                self._load()
            except BaseException as err:  # reported to the loop, which logs it
                outcome: tuple[bool, object] = (False, err)
            else:
                outcome = (True, time.perf_counter() - started)
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile (gateway stopped)
                loop.call_soon_threadsafe(_settle, done, outcome)

        self.state = LOADING
        log.info("loading the sentence encoders in the background")
        threading.Thread(target=work, name="encoder-warmup", daemon=True).start()
        try:
            self.seconds = await done
        except Exception as err:
            self.state = FAILED
            log.warning("sentence encoder warm-up failed (they load on first use instead): %r", err)
            return
        self.state = READY
        self._on_loaded(self.seconds)
        log.info("sentence encoders loaded in %.1f s", self.seconds)


def _settle(future: asyncio.Future[float], outcome: tuple[bool, object]) -> None:
    if future.done():
        return
    ok, value = outcome
    if ok:
        future.set_result(float(value))  # type: ignore[arg-type]
    else:
        future.set_exception(value if isinstance(value, Exception) else RuntimeError(repr(value)))
