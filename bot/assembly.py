"""Builds a Gateway with the process's own implementations of the core's ports (pacers, reply wording,
the graph's errors), so callers pass only what they configure."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from actions.replies import handoff_reply, unknown_reply
from bot.config import GatewayConfig
from bot.core.gateway import Gateway
from bot.core.ports import MetricsSink, Outbound, RasaPort, ReplyWords, SendLimit
from bot.outbound.budget import SendBudget
from bot.outbound.pacers import Pacers
from connectors.base import Connector
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
    send_limits: Mapping[str, SendLimit] | None = None,
    budgets: Callable[[str, SendLimit], SendBudget] | None = None,
    outbound: Outbound | None = None,
    **ports: Any,
) -> Gateway:
    """``Gateway(...)`` with the default outbound (one pacer per platform within ``send_limits``,
    budgets from ``budgets`` or local), the catalog reply wording and the graph's errors."""
    ports.setdefault("words", REPLY_WORDS)
    ports.setdefault("source_errors", SOURCE_ERRORS)
    if outbound is None:
        outbound = Pacers(connectors, metrics, send_limits, budgets)
    return Gateway(config, rasa, connectors, metrics, outbound=outbound, **ports)
