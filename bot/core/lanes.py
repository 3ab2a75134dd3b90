"""The answer lanes: command, QA (graph, beside the Rasa queue), Rasa (+ coalescing), degraded (FAQ
answer, deferred, canned) and unanswered (FAQ answer or hand-off when Rasa said nothing).

Degradation: when Rasa or the action server is down (health monitor, or a failed call), directed
questions get the knowledge graph's semantic FAQ answer when it is confident, the rest wait in a
deferred queue that drains automatically on recovery; with the graph down too, a polite canned answer.
Every answered job goes to the platform's pacer through ``reply``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence

from bot.core.coalescing import Coalescer
from bot.core.config import GatewayConfig
from bot.core.jobs import NEGATIVE, Job, asks_something, audience_metadata, question_for_the_bot
from bot.core.observers import GatewayObserver
from bot.core.ports import (
    FaqAnswer,
    Health,
    MetricsSink,
    Outbound,
    PendingReply,
    QALanePort,
    RasaResult,
    RasaUnavailable,
    ReplyWords,
    Viewer,
)
from bot.core.rooms import Room, Rooms
from bot.core.triage import Priority
from bot.core.wording import canned_answer
from nlu.text.language import normalize_language
from nlu.text.reply_policy import SOCIAL_INTENTS

log = logging.getLogger("bot.core.gateway")  # the pipeline logs as one: the gateway

FAST_SLOTS = 64  # QA-lane answers computed at once


class Lanes:
    def __init__(
        self,
        config: GatewayConfig,
        rooms: Rooms,
        coalescer: Coalescer,
        outbound: Outbound,
        metrics: MetricsSink,
        observers: Sequence[GatewayObserver],
        words: ReplyWords,
        source_errors: tuple[type[Exception], ...],
        spawn: Callable[[Awaitable[object], str], None],
        *,
        health: Health | None = None,
        faq_answer: FaqAnswer | None = None,
        qa_lane: QALanePort | None = None,
        max_qa_lane: int = 256,
    ) -> None:
        self.config = config
        self.rooms = rooms
        self.coalescer = coalescer
        self.outbound = outbound
        self.metrics = metrics
        self.observers = observers
        self.words = words
        self.source_errors = source_errors
        self.spawn = spawn
        self.health = health
        self.faq_answer = faq_answer
        self.qa_lane = qa_lane
        self.max_qa_lane = max_qa_lane
        self.qa_running = 0
        self._fast_slots = asyncio.Semaphore(FAST_SLOTS)

    def upstreams_up(self) -> bool:
        return self.health is None or self.health.all_up

    # --- routing a new job ---------------------------------------------------------------------------
    def route(self, room: Room, job: Job) -> None:
        """A declined or a plain job: chatter to the chatter budget, the rest to the room's queue."""
        if job.triage.priority is Priority.CHATTER:
            self.rooms.offer_chatter(room, job, self.upstreams_up())
        else:
            self.rooms.enqueue(room, job)

    def start_qa_lane(self, room: Room, job: Job) -> None:
        """The QA lane for at most ``max_qa_lane`` questions at once (running or waiting for a slot);
        past that the message goes where a declined one goes: the room's answer queue (bounded in turn)
        or, for chatter, the chatter budget."""
        if self.qa_running >= self.max_qa_lane:
            self.route(room, job)
            return
        self.qa_running += 1
        room.in_flight += 1

        async def run() -> None:
            try:
                await self._qa(room, job)
            finally:
                self.qa_running -= 1
                room.in_flight -= 1

        self.spawn(run(), "QA lane")

    # --- the room's workers --------------------------------------------------------------------------
    async def work(self, room: Room) -> None:
        while True:
            job = await room.queue.get()
            room.in_flight += 1
            self.rooms.update_depth(room)
            try:
                await self.answer(room, job)
            except Exception:  # a bug in one answer must not kill the room's worker
                log.exception("failed to answer %s", job.event.message_id)
                self.metrics.outcome(room.platform, "dropped", "internal_error")
            finally:
                room.in_flight -= 1
                if room.deferred and self.health is not None and self.health.all_up:
                    # Rasa up but busy never calls drain_deferred: deferred questions take freed places
                    self.rooms.drain(room, self.config.queue_size)

    async def answer(self, room: Room, job: Job) -> None:
        event = job.event
        if job.triage.priority is Priority.COMMAND:
            await self._command(room, job)
            return
        if self._over_quota(room, job):
            return
        if not self.upstreams_up():
            await self._degraded(room, job)
            return
        metadata = {
            "platform": event.platform,
            "room": event.room,
            "viewer_id": event.viewer_id,
            "display_name": event.display_name,
            "message_id": event.message_id,
            "lang": job.lang,
            **job.addressing.as_metadata(),
            **audience_metadata(room.audience_snapshot()),
        }
        try:
            result, shared = await self.coalescer.ask(job, metadata)
        except RasaUnavailable as err:
            log.warning("Rasa failed for %s: %s", event.message_id, err)
            if self.health is not None:
                await self.health.mark_down("rasa", str(err))
            await self._degraded(room, job)
            return
        if not shared:
            self._record_parse(event.platform, result)
        parse = result.parse
        if parse is not None and parse.silenced:
            self.metrics.outcome(event.platform, "silent", parse.silenced)
            return
        if not result.replies:
            if job.triage.priority is Priority.DIRECTED and await self._actions_failed():
                await self._degraded(room, job)  # the question is not lost: FAQ or deferred
                return
            if asks_something(job):
                await self._unanswered(room, job)  # FAQ answer, else hand-off: never silent
                return
            self.metrics.outcome(event.platform, "silent", "no_reply")
            return
        intent = parse.intent if parse is not None else None
        if intent in SOCIAL_INTENTS:
            refusal = room.quota.social_refusal()
            if refusal is not None:
                self.metrics.outcome(event.platform, "silent", refusal)
                return
        for reply in result.replies:
            self.reply(room, job, reply.text, "coalesced" if shared else "rasa", intent)
        self.metrics.outcome(event.platform, "answered")

    # --- the lanes -----------------------------------------------------------------------------------
    async def _qa(self, room: Room, job: Job) -> None:
        """Shop questions answered from the graph beside the Rasa queue (never behind Rasa-bound
        questions); anything the QA layer declines joins the Rasa queue."""
        assert self.qa_lane is not None
        event = job.event
        if self._over_quota(room, job):
            return
        try:
            async with self._fast_slots:
                found = await self.qa_lane.answer(
                    event.text,
                    job.lang,
                    asker=Viewer(event.platform, event.room, event.viewer_id),
                    conversation_id=event.conversation_id,
                    # the conversation's product: a product the question names is found in its words,
                    # and "which is cheaper, that or the perfume" needs the one talked about before
                    context=job.context or job.triage.product,
                    upset=job.sentiment <= NEGATIVE,
                )
        except Exception:  # a bug here must not lose the question: Rasa answers it instead
            log.exception("QA lane failed for %s", event.message_id)
            found = None
        if found is not None and found.product is not None:
            room.note_product(event.viewer_id, found.product)
        if found is None or found.silent:
            self.route(room, job)
            return
        self.metrics.qa_answered(event.platform, found.strategy)
        self.reply(room, job, found.text, "qa")
        self.metrics.outcome(event.platform, "answered")

    def _over_quota(self, room: Room, job: Job) -> bool:
        """The viewer's or the room's reply quota is spent: the message ends ``silent`` with the quota's
        reason, before any work goes into an answer."""
        refusal = room.quota.refusal(job.event.viewer_id)
        if refusal is not None:
            self.metrics.outcome(job.event.platform, "silent", refusal)
        return refusal is not None

    async def _actions_failed(self) -> bool:
        """Rasa answers with silence when a custom action could not run (it logs the error and carries
        on), so a silent answer to a bot-directed question asks the action server's health at once:
        when it is down the question degrades (FAQ answer or deferred) instead of being lost."""
        if self.health is None or "actions" not in self.health.upstreams:
            return False
        return not await self.health.probe_now("actions", "a bot-directed question got no answer")

    def _record_parse(self, platform: str, result: RasaResult) -> None:
        if result.parse is None or not result.parse.intent:
            return
        self.metrics.parsed(platform, result.parse.intent, result.parse.action_ms)

    async def _command(self, room: Room, job: Job) -> None:
        try:
            text = await room.features.command(job.event, job.lang)
        except self.source_errors as err:
            log.warning("command %r failed: %s", job.event.text[:40], err)
            text = canned_answer(job.lang)
        if text is None:
            self.metrics.outcome(room.platform, "silent", "command_quiet")
            return
        self.reply(room, job, text, "command")
        self.metrics.outcome(room.platform, "answered")

    async def _degraded(self, room: Room, job: Job) -> None:
        """Rasa or the actions are down: FAQ answer from the graph, else defer; graph down: canned."""
        if job.triage.priority is Priority.CHATTER:
            self.metrics.outcome(room.platform, "dropped", "upstream_down_chatter")
            return
        answer: str | None = None
        if self.faq_answer is not None:
            try:
                answer = await self.faq_answer(job.event.text, job.lang)
            except self.source_errors as err:
                log.warning("FAQ fallback unavailable: %s", err)
                self.reply(room, job, canned_answer(job.lang), "canned")
                self.metrics.outcome(room.platform, "answered")
                return
        if answer:
            self.reply(room, job, answer, "faq_fallback")
            self.metrics.outcome(room.platform, "answered")
        else:
            self.rooms.defer(room, job)
            if self.health is not None and self.health.all_up:
                self.drain_all()  # the upstreams came back while we looked for an FAQ answer

    async def _unanswered(self, room: Room, job: Job) -> None:
        """Rasa ran but said nothing to a question for the bot (a rule ending in ``action_listen``, an
        action that uttered nothing): FAQ answer from the graph, else, for a real question addressed to
        the bot, the polite hand-off, recorded for moderators when the FAQ answerer can record it.
        Counted as ``answered`` with the reply path ``empty_turn_faq`` / ``empty_turn_handoff``
        (liveroom_answers_total); a shop question nobody put to the bot is ``silent`` instead."""
        event = job.event
        answer: str | None = None
        if self.faq_answer is not None:
            try:
                answer = await self.faq_answer(event.text, job.lang)
            except Exception as err:  # the hand-off must still happen when the FAQ search is broken
                log.warning("FAQ answer for an empty Rasa turn failed: %s", str(err) or type(err).__name__)
        if answer:
            self.reply(room, job, answer, "empty_turn_faq")
        elif not question_for_the_bot(job):
            # a shop question nobody put to the bot: no promise that someone follows up
            self.metrics.outcome(event.platform, "silent", "no_answer_not_addressed")
            return
        else:
            lang = normalize_language(job.lang) or "en"
            # the FAQ answerer may carry a recorder (FaqAnswer's doc): a plain function has none
            record = getattr(self.faq_answer, "record_hand_off", None)
            recorded = False
            if record is not None:
                try:
                    await record(event.platform, event.room, event.viewer_id, event.text, job.lang)
                    recorded = True
                except Exception as err:
                    log.warning("could not record a hand-off: %s", str(err) or type(err).__name__)
            # "passed to the moderators" only when it was; else an honest "I don't know"
            text = self.words.handoff(lang) if recorded else self.words.unknown(lang)
            self.reply(room, job, text, "empty_turn_handoff" if recorded else "empty_turn_unknown")
        self.metrics.outcome(event.platform, "answered")

    # --- out -----------------------------------------------------------------------------------------
    def reply(self, room: Room, job: Job, text: str, path: str, intent: str | None = None) -> None:
        event = job.event
        waited_s = time.monotonic() - job.received
        for observer in self.observers:
            observer.on_reply(event, text, path, intent, waited_s)
        self.outbound.submit(
            event.platform,
            PendingReply(
                room=event.room,
                text=text,
                mention=event.display_name,
                reply_to=event.message_id,
                lang=job.lang,
            ),
        )
        self.metrics.replied(event.platform, path, waited_s)
        room.note_answer(event.viewer_id)
        if path != "command":  # commands have their own cooldowns (bot/core/commands.py)
            room.quota.spend(event.viewer_id)

    def drain_all(self) -> None:
        """Deferred questions back into the answer queues, oldest first (too old: dropped)."""
        for room in list(self.rooms.rooms.values()):
            self.rooms.drain(room)
