"""Builds a Gateway with the process's own implementations of the core's ports (pacers, reply wording,
the graph's errors), so callers pass only what they configure."""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.core.commands import CommandConfig, GraphCommand
from bot.core.config import GatewayConfig
from bot.core.gateway import Gateway
from bot.core.model_checks import DEFAULT_CAP
from bot.core.moderation import Moderator
from bot.core.ports import (
    FaqAnswer,
    Health,
    MetricsSink,
    Outbound,
    QALanePort,
    RasaPort,
    ReplyWords,
    ShardFilter,
)
from bot.core.reply_quota import QuotaPolicy
from bot.core.rooms import RoomLimits
from bot.core.triage import Triage
from bot.outbound.budget import SendBudget
from bot.outbound.pacers import Pacers
from connectors.base import Connector, SendLimit
from knowledge_graph.answers.replies import handoff_reply, unknown_reply
from knowledge_graph.errors import KnowledgeGraphError

REPLY_WORDS = ReplyWords(handoff=handoff_reply, unknown=unknown_reply)
#: what a command or FAQ answer raises when the graph cannot answer: a canned reply, never a drop
SOURCE_ERRORS: tuple[type[Exception], ...] = (KnowledgeGraphError,)


def build_gateway(
    config: GatewayConfig,
    rasa: RasaPort,
    connectors: dict[str, Connector],
    metrics: MetricsSink,
    *,
    budgets: Callable[[str, SendLimit], SendBudget] | None = None,
    outbound: Outbound | None = None,
    moderator: Moderator | None = None,
    triage: Triage | None = None,
    commands: CommandConfig | None = None,
    graph_commands: dict[str, GraphCommand] | None = None,
    faq_answer: FaqAnswer | None = None,
    monitor: Health | None = None,
    qa_lane: QALanePort | None = None,
    shard: ShardFilter | None = None,
    quotas: QuotaPolicy | None = None,
    room_limits: RoomLimits | None = None,
    clock: Callable[[], float] = time.monotonic,
    model_batch_cap: int = DEFAULT_CAP,
) -> Gateway:
    """``Gateway(...)`` with the default outbound (one pacer per platform within its connector's
    ``send_limit``, budgets from ``budgets`` or local), the catalog reply wording and the graph's errors."""
    if outbound is None:
        outbound = Pacers(connectors, metrics, budgets)
    return Gateway(
        config,
        rasa,
        connectors,
        metrics,
        outbound=outbound,
        words=REPLY_WORDS,
        source_errors=SOURCE_ERRORS,
        moderator=moderator,
        triage=triage,
        commands=commands,
        graph_commands=graph_commands,
        faq_answer=faq_answer,
        monitor=monitor,
        qa_lane=qa_lane,
        shard=shard,
        quotas=quotas,
        room_limits=room_limits,
        clock=clock,
        model_batch_cap=model_batch_cap,
    )
