"""``POST /api/vision/audience``: the camera sidecar's aggregate report (``vision.schema``) for a room.

Bearer token ``LIVEROOM_VISION_TOKEN`` (bot/http/bearer.py; unset: 503, reports are off). A bad token is
401, a body over ``MAX_BODY_BYTES`` 413, a bad report 400 naming the field; every report's outcome is
counted in ``liveroom_vision_reports_total{outcome}``. An accepted report goes to the room moods
(bot/mood.py ``RoomMoods.observe_report``); the answer carries the room's mood now (None: nobody chatted
in that room yet).
"""

from __future__ import annotations

import json
import logging

from aiohttp import web

from bot.http.bearer import presents
from bot.http.errors import json_error
from bot.services import MOODS
from vision.schema import MAX_BODY_BYTES, InvalidReport, validate_report

__all__ = ["REPORT_PATH", "report", "setup"]

log = logging.getLogger(__name__)

REPORT_PATH = "/api/vision/audience"


def setup(app: web.Application) -> None:
    app.router.add_post(REPORT_PATH, report)


async def report(request: web.Request) -> web.Response:
    moods = request.app.get(MOODS)
    if moods is None:
        return json_error(503, "the gateway is starting")
    metrics = moods.metrics

    def refuse(status: int, outcome: str, message: str) -> web.Response:
        metrics.vision_report(outcome)
        log.info("vision report refused (%s): %s", status, message)
        return json_error(status, message)

    token = moods.config.token
    if not token:
        return refuse(503, "disabled", "vision reports are disabled: set LIVEROOM_VISION_TOKEN")
    if not presents(request.headers.get("Authorization"), token):
        return refuse(401, "unauthorized", "missing or wrong bearer token")
    raw = await request.content.read(MAX_BODY_BYTES + 1)
    if len(raw) > MAX_BODY_BYTES:
        return refuse(413, "too_large", f"a report is at most {MAX_BODY_BYTES} bytes")
    try:
        body = validate_report(json.loads(raw))
    except RecursionError:  # json.loads("[" * 1000): not a ValueError
        return refuse(400, "invalid", "body is not JSON: nested too deeply")
    except (ValueError, UnicodeDecodeError) as err:
        reason = str(err) if isinstance(err, InvalidReport) else f"body is not JSON: {err}"
        return refuse(400, "invalid", reason)
    metrics.vision_report("accepted")
    metrics.vision_faces_are(body["platform"], body["room"], body["faces"])
    return web.json_response({"status": "accepted", "mood": moods.observe_report(body)})
