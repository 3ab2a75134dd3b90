"""Room mood from the camera sidecar and chat, and the bot acting on a sustained mood change.

* The camera sidecar's aggregate report (``POST /api/vision/audience``, bot/http/vision.py: faces,
  expression shares and the share of faces looking at the screen, nothing else) feeds the room's
  audience state (bot/core/audience.py, ``RoomMoods.observe_report``), which blends it with chat sentiment
  into the room mood (a room mostly looking away is *bored*). Every message to Rasa
  carries that mood (``audience_mood`` metadata -> slot), so replies use the mood's variation.
* Every ``tick_s`` each room's mood goes through ``SustainedMood``: a change counts only after it held
  for ``LIVEROOM_MOOD_SUSTAIN_S`` (a mood that flickers back resets the clock, so the room never flaps).
  On a sustained change to *bored* or *upset* the gateway triggers ``EXTERNAL_room_bored`` /
  ``EXTERNAL_room_upset`` in Rasa for the room's own conversation (``platform:room:@room``) with the
  mood and the room's language as entities, and posts the bot's messages (a joke or poll / a calm
  check-in) to the room through the pacer. At most once per ``LIVEROOM_MOOD_COOLDOWN_S`` per room and
  intent, and by default only while a camera reports faces (``LIVEROOM_MOOD_ACTIONS=vision``): a quiet
  room is "bored" by chat alone, and posting jokes into every empty room is spam (``always`` allows it,
  ``off`` never acts).
* On every sustained change the new mood is also pushed as the ``audience_mood`` slot to the room's
  recently active conversations (a Rasa turn within ``LIVEROOM_MOOD_ACTIVE_S``, newest first, at most
  ``LIVEROOM_MOOD_SLOT_MAX``) through the liveroom channel's slot path (``RasaClient.set_slots``), so a
  viewer's tracker agrees with the room between that viewer's turns (a reminder, an external intent or an
  agent reading the tracker sees the calm mood, not the one of the viewer's last message). It runs in a
  background task (one per room; a newer change cancels an older push), a few calls at a time, never in
  the ingest path or the mood tick; outcomes are counted in ``liveroom_mood_slot_updates_total``
  (set / failed / over_cap). Turns are learnt from the gateway's reply tap (``Gateway.observers``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.core.gateway import Gateway
from bot.core.mood import ACTION_MODES, INTENTS, SustainedMood, room_conversation_id
from bot.core.ports import RasaUnavailable
from bot.core.triage import TriageResult
from connectors.base import ChatEvent
from connectors.settings import load, setting

log = logging.getLogger(__name__)

SLOT_PUSH_CONCURRENCY = 4  # set_slots calls in flight per room push (Rasa's answer workers stay free)


@dataclass(frozen=True)
class MoodConfig:
    """Every field has an env var ``LIVEROOM_MOOD_<FIELD>``; the token is ``LIVEROOM_VISION_TOKEN``."""

    token: str = setting("LIVEROOM_VISION_TOKEN", default="", repr=False)
    sustain_s: float = 15.0
    cooldown_s: float = 300.0
    tick_s: float = setting(None, default=1.0)
    actions: str = setting(parse=lambda raw: raw.strip().lower() or "vision", default="vision")
    active_s: float = 300.0  # a conversation with a Rasa turn this recent gets the room's new mood slot
    slot_max: int = 50  # at most this many conversations per room and change (the most recent ones)

    def __post_init__(self) -> None:
        if self.sustain_s < 0 or self.cooldown_s < 0 or self.tick_s <= 0:
            raise ValueError("LIVEROOM_MOOD_SUSTAIN_S and LIVEROOM_MOOD_COOLDOWN_S must be >= 0")
        if self.active_s < 0 or self.slot_max < 0:
            raise ValueError("LIVEROOM_MOOD_ACTIVE_S and LIVEROOM_MOOD_SLOT_MAX must be >= 0")
        if self.actions not in ACTION_MODES:
            raise ValueError(f"LIVEROOM_MOOD_ACTIONS must be one of {', '.join(ACTION_MODES)}")

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> MoodConfig:
        return load(cls, env, "LIVEROOM_MOOD_")


class RoomMoods:
    """Vision reports in, sustained mood changes out (as external intents and room posts)."""

    def __init__(self, gateway: Gateway, config: MoodConfig, clock: Callable[[], float] = time.monotonic):
        self.gateway = gateway
        self.config = config
        self.metrics = gateway.metrics
        self._clock = clock
        self._moods: dict[tuple[str, str], SustainedMood] = {}
        self._pending: dict[tuple[str, str], tuple[float, dict[str, float], float | None]] = {}
        self._last_action: dict[tuple[str, str, str], float] = {}
        #: per room: conversation id -> time of its latest Rasa turn, oldest first
        self._turns: dict[tuple[str, str], OrderedDict[str, float]] = {}
        self._slot_changes: list[tuple[tuple[str, str], str]] = []
        self._slot_tasks: dict[tuple[str, str], asyncio.Task[None]] = {}
        self.slot_updates = gateway.metrics.mood_slot_updates

    # --- the gateway's reply tap (GatewayObserver): which conversations are active ---------------------
    def on_message(self, event: ChatEvent, triage: TriageResult, lang: str, sentiment: float) -> None:
        return None

    def on_reply(self, event: ChatEvent, text: str, path: str, intent: str | None, waited_s: float) -> None:
        """O(1): remember that this viewer's conversation just had a Rasa turn or a QA-lane answer (the
        lane tells Rasa the product the viewer asked about: the conversation goes on in Rasa)."""
        if path not in ("rasa", "qa"):  # other paths (FAQ fallback, coalesced, commands) touched no tracker
            return
        turns = self._turns.setdefault((event.platform, event.room), OrderedDict())
        turns[event.conversation_id] = self._clock()
        turns.move_to_end(event.conversation_id)
        if len(turns) > 4 * max(1, self.config.slot_max):
            turns.popitem(last=False)

    def active_conversations(self, key: tuple[str, str], now: float) -> list[str]:
        """The room's conversations with a Rasa turn in the last ``active_s``, most recent first."""
        turns = self._turns.get(key)
        if not turns:
            return []
        while turns and now - next(iter(turns.values())) > self.config.active_s:
            turns.popitem(last=False)
        return list(reversed(turns))

    # --- the sidecar's reports -------------------------------------------------------------------------
    def observe_report(self, report: Mapping[str, Any]) -> str | None:
        """Apply a validated sidecar report (``vision.schema``) to its room; the room's mood now, or None
        when nobody chatted there yet (the report is applied once the room exists)."""
        key = (report["platform"], report["room"])
        audience = self.gateway.audiences().get(key)
        if audience is None:
            self._pending[key] = (self._clock(), report["distribution"], report.get("attention"))
            return None
        audience.observe_vision(report["distribution"], report.get("attention"))
        return audience.snapshot().mood

    # --- sustained changes -----------------------------------------------------------------------------
    def step(self) -> list[tuple[tuple[str, str], str, str]]:
        """One tick over every room: ((platform, room), new mood, language) for each change that needs
        acting on."""
        now = self._clock()
        rooms = self.gateway.audiences()
        for key, (at, distribution, attention) in list(self._pending.items()):
            if key in rooms and now - at <= 30:
                rooms[key].observe_vision(distribution, attention)
            if key in rooms or now - at > 30:
                del self._pending[key]
        self._forget_closed_rooms(rooms)
        actions = []
        for key, audience in rooms.items():
            snap = audience.snapshot()
            tracker = self._moods.setdefault(key, SustainedMood(self.config.sustain_s))
            changed = tracker.update(snap.mood, now)
            if changed is None:
                continue
            self.metrics.mood_changes.labels(key[0], changed).inc()
            log.info("room %s:%s mood is now %s (vision %s)", *key, changed, snap.vision or "none")
            self._slot_changes.append((key, changed))
            if changed not in INTENTS or self.config.actions == "off":
                continue
            if self.config.actions == "vision" and not snap.vision:
                continue
            last = self._last_action.get((*key, changed))
            if last is not None and now - last < self.config.cooldown_s:
                continue
            self._last_action[(*key, changed)] = now
            actions.append((key, changed, snap.lang))
        return actions

    def _forget_closed_rooms(self, rooms: Mapping[tuple[str, str], object]) -> None:
        """Rooms the gateway closed (bot/core/rooms.py) leave nothing behind here either."""
        for key in [k for k in self._moods if k not in rooms]:
            del self._moods[key]
        for key in [k for k in self._turns if k not in rooms]:
            del self._turns[key]
        for action_key in [k for k in self._last_action if (k[0], k[1]) not in rooms]:
            del self._last_action[action_key]

    async def act(self, key: tuple[str, str], mood: str, lang: str) -> None:
        """Trigger the mood's external intent in Rasa; post what the bot says to the whole room."""
        platform, name = key
        intent = INTENTS[mood]
        try:
            result = await self.gateway.rasa.trigger_intent(
                room_conversation_id(platform, name), intent, {"audience_mood": mood, "lang": lang}
            )
        except RasaUnavailable as err:
            log.warning("%s for %s:%s not triggered: %s", intent, platform, name, err)
            self.metrics.external_intents.labels(platform, intent, "failed").inc()
            return
        for reply in result.replies:
            self.gateway.post_to_room(platform, name, reply.text, lang)
        outcome = "posted" if result.replies else "silent"
        self.metrics.external_intents.labels(platform, intent, outcome).inc()
        log.info("%s in %s:%s -> %d message(s) posted", intent, platform, name, len(result.replies))

    # --- the new mood to the room's active conversations ------------------------------------------------
    def start_slot_pushes(self) -> None:
        """One background push per room with a fresh sustained change; a newer change replaces an older
        push still running (its stale mood must not land after the new one)."""
        changes, self._slot_changes = self._slot_changes, []
        now = self._clock()
        for key, mood in changes:
            conversations = self.active_conversations(key, now)
            if not conversations:
                continue
            over = len(conversations) - self.config.slot_max
            if over > 0:
                self.slot_updates.labels(key[0], "over_cap").inc(over)
                conversations = conversations[: self.config.slot_max]
            previous = self._slot_tasks.pop(key, None)
            if previous is not None:
                previous.cancel()
            task = asyncio.create_task(self.push_slots(key, mood, conversations), name=f"mood-slots-{key}")
            self._slot_tasks[key] = task
            task.add_done_callback(lambda done, key=key: self._slot_push_done(key, done))

    def _slot_push_done(self, key: tuple[str, str], task: asyncio.Task[None]) -> None:
        if self._slot_tasks.get(key) is task:
            del self._slot_tasks[key]
        if not task.cancelled() and task.exception() is not None:
            log.error("audience_mood push to %s:%s failed", *key, exc_info=task.exception())

    async def push_slots(self, key: tuple[str, str], mood: str, conversations: list[str]) -> None:
        """``audience_mood = mood`` on each conversation, a few at a time; failures are counted."""
        slots = asyncio.Semaphore(SLOT_PUSH_CONCURRENCY)

        async def push(conversation_id: str) -> bool:
            async with slots:
                return await self.gateway.rasa.set_slots(conversation_id, {"audience_mood": mood})

        results = await asyncio.gather(*(push(c) for c in conversations), return_exceptions=True)
        failed = sum(result is not True for result in results)
        for result in results:
            if isinstance(result, Exception):
                log.warning("audience_mood for %s:%s not set: %r", *key, result)
        self.slot_updates.labels(key[0], "set").inc(len(results) - failed)
        self.slot_updates.labels(key[0], "failed").inc(failed)
        log.info(
            "audience_mood=%s pushed to %d/%d active conversation(s) of %s:%s",
            mood,
            len(results) - failed,
            len(results),
            *key,
        )

    async def run(self) -> None:
        try:
            while True:
                await asyncio.sleep(self.config.tick_s)
                try:
                    actions = self.step()
                    self.start_slot_pushes()
                    for key, mood, lang in actions:
                        await self.act(key, mood, lang)
                except Exception:  # a bug here must not stop mood tracking for good
                    log.exception("room mood tick failed")
        finally:
            for task in list(self._slot_tasks.values()):
                task.cancel()
