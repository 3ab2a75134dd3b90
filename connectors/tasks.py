"""Ending background tasks on stop without losing the stopper's own cancellation.

``with suppress(CancelledError): await task`` after ``task.cancel()`` also swallows a cancellation of
the *caller* that lands while it waits, so a stop that was itself cancelled carries on as if it had
not been. ``asyncio.wait`` raises the caller's cancellation and leaves the tasks' own to them.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

log = logging.getLogger(__name__)


async def cancel_and_wait(*tasks: asyncio.Future[Any] | None) -> None:
    """Cancel every task given (``None`` is skipped) and wait until all of them have ended.

    A task that ended with an error rather than its cancellation is logged with its traceback instead
    of raised, so one failed task neither hides the others nor stops them from being waited for.
    """
    live = [task for task in tasks if task is not None]
    for task in live:
        task.cancel()
    if not live:
        return
    await asyncio.wait(live)
    for task in live:
        if not task.cancelled() and (error := task.exception()) is not None:
            name = task.get_name() if isinstance(task, asyncio.Task) else repr(task)
            log.error("background task %s had failed before it was stopped", name, exc_info=error)
