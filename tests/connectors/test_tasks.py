"""cancel_and_wait: the stopper's own cancellation survives, and a failed task is reported."""

from __future__ import annotations

import asyncio
import logging

import pytest

from connectors.tasks import cancel_and_wait


async def _slow_to_stop(release: asyncio.Event) -> None:
    """A task whose cleanup takes a while after it is cancelled (like a socket close)."""
    try:
        await asyncio.sleep(3600)
    except asyncio.CancelledError:
        await release.wait()
        raise


async def test_a_cancelled_stopper_stays_cancelled_while_the_task_is_still_ending() -> None:
    release = asyncio.Event()
    worker = asyncio.create_task(_slow_to_stop(release))
    await asyncio.sleep(0)
    stopper = asyncio.create_task(cancel_and_wait(worker))
    await asyncio.sleep(0.01)
    assert worker.cancelling() and not worker.done()
    stopper.cancel()
    await asyncio.sleep(0.01)
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await stopper
    assert stopper.cancelled()
    await asyncio.sleep(0)
    assert worker.cancelled()


async def test_every_task_is_waited_for_and_a_failed_one_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    async def fails() -> None:
        raise RuntimeError("socket gone")

    async def runs() -> None:
        await asyncio.sleep(3600)

    failed = asyncio.create_task(fails(), name="reader")
    running = asyncio.create_task(runs(), name="writer")
    await asyncio.sleep(0.01)
    with caplog.at_level(logging.ERROR, logger="connectors.tasks"):
        await cancel_and_wait(failed, None, running)
    assert running.cancelled() and failed.done()
    [record] = caplog.records
    assert "reader" in record.getMessage()
    assert record.exc_info is not None and "socket gone" in str(record.exc_info[1])


async def test_nothing_to_stop_returns_at_once() -> None:
    await cancel_and_wait()
    await cancel_and_wait(None)
