"""The thank-you loop beside the gateway: paid events from the gateway's event handlers into
``bot.core.thanks.Thanks``, one tick a second, merged thank-yous posted through the gateway's pacer."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web
from prometheus_client import Counter

from bot.core.gateway import Gateway
from bot.core.thanks import Thanks, ThanksConfig
from connectors.tasks import cancel_and_wait

log = logging.getLogger(__name__)

THANKS = web.AppKey("thanks", Thanks)


def setup_thanks(app: web.Application, gateway_key: web.AppKey[Gateway], outcomes: Counter) -> None:
    """Collect paid events from the gateway in ``app[gateway_key]`` and post merged thank-yous;
    ``outcomes`` is the gateway's ``liveroom_thanks_total`` counter."""
    config = ThanksConfig.from_env()

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        gateway = app[gateway_key]
        thanks = app[THANKS] = Thanks(
            config,
            gateway.post_to_room,
            backlog=gateway.pending_replies,
            viewer_lang=gateway.language_of,
            max_chars=gateway.max_chars,
            outcomes=outcomes,
        )
        gateway.event_handlers.append(thanks.on_event)

        async def run() -> None:
            while True:
                await asyncio.sleep(1.0)
                try:
                    thanks.tick()
                except Exception:
                    log.exception("thank-you tick failed")

        task = asyncio.create_task(run(), name="thanks")
        yield
        await cancel_and_wait(task)
        with contextlib.suppress(ValueError):
            gateway.event_handlers.remove(thanks.on_event)

    app.cleanup_ctx.append(ctx)
