"""Platform adapters. The gateway loads them by name through :func:`load_connector`.

Each platform lives in its own subpackage and is imported only when configured, so the gateway never
imports a platform library it does not use.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from connectors.base import Connector

#: platform name -> "module:factory"; the factory takes keyword config and returns a Connector.
REGISTRY: dict[str, str] = {
    "simulator": "connectors.simulator.connector:SimulatorConnector",
    "twitch": "connectors.twitch.connector:TwitchConnector",
    "bilibili": "connectors.bilibili.client:BilibiliConnector",
    "youtube": "connectors.youtube.connector:YouTubeConnector",
}


def load_connector(name: str, **config: object) -> Connector:
    """Instantiate the connector registered under ``name``; unknown names raise a clear error."""
    try:
        target = REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(REGISTRY))
        raise ValueError(f"unknown connector {name!r}; known: {known}") from None
    module_name, _, attr = target.partition(":")
    factory: Callable[..., Connector] = getattr(importlib.import_module(module_name), attr)
    return factory(**config)
