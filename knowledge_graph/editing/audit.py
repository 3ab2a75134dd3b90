"""Who changed what: the audit trail every catalog/FAQ write leaves in the graph.

Graph shape::

    (:AuditEntry {id, at, actor, action, entity, key, changes})

``at`` is epoch milliseconds (UTC), ``action`` one of ``ACTIONS``, ``entity`` one of
``ENTITIES``, ``key`` the SKU/id/code of what changed and ``changes`` a JSON string
(the new values for a create, ``{"field": [old, new]}`` for an update, the old values
for a delete, counts for an import).

Why inside the same statement: an audit entry written by a second statement could be
lost (crash, outage) after the change it describes was committed, or be written for a
change that then failed its version check. So writers append ``AUDIT_CREATE`` to their
one statement, at a point where the statement has exactly one row (e.g. right after the
``WITH ... WHERE`` version check, before any ``UNWIND``), and pass ``audit_params(...)``
merged into their parameters::

    query = f"MATCH (p:Product {{sku: $sku}}) WHERE p.version = $expected SET ... {AUDIT_CREATE} RETURN p"
    await store.write(query, {"sku": sku, ..., **audit_params(actor, "update", "Product", sku, diff)})

If the version check filters the row out, the ``CREATE`` never runs: no change, no entry.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from knowledge_graph.errors import ValidationError
from knowledge_graph.model.timeutil import now_ms
from knowledge_graph.store import GraphStore

__all__ = [
    "ACTIONS",
    "AUDIT_CREATE",
    "ENTITIES",
    "AuditEntry",
    "audit_params",
    "check_actor",
    "list_audit",
    "now_ms",
]

ACTIONS = ("create", "update", "delete", "import")
ENTITIES = ("Product", "Variant", "FAQ", "Promotion", "StreamSession", "Category", "Catalog")
MAX_CHANGES = 64_000
"""Characters of JSON kept per entry; bigger change sets are truncated (marked as such)."""

_ACTOR = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@:-]{0,63}")

AUDIT_CREATE = (
    "CREATE (:AuditEntry {id: $audit.id, at: $audit.at, actor: $audit.actor, action: $audit.action, "
    "entity: $audit.entity, key: $audit.key, changes: $audit.changes})"
)
"""Cypher clause that records one audit entry from the ``$audit`` parameter."""


def check_actor(actor: object) -> str:
    """An actor is a token name ("alice", "cli", "import:bob"): 1-64 plain characters."""
    if not isinstance(actor, str) or not _ACTOR.fullmatch(actor):
        raise ValidationError("actor", f"must be 1-64 characters of A-Z a-z 0-9 . _ @ : -, got {actor!r}")
    return actor


def audit_params(
    actor: str, action: str, entity: str, key: str, changes: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The ``audit`` parameter for ``AUDIT_CREATE``: ``{"audit": {...}}``, to merge into params.

    ``changes`` must be JSON-serializable (Decimals are written as strings).
    """
    check_actor(actor)
    if action not in ACTIONS:
        raise ValidationError("action", f"must be one of {', '.join(ACTIONS)}, got {action!r}")
    if entity not in ENTITIES:
        raise ValidationError("entity", f"must be one of {', '.join(ENTITIES)}, got {entity!r}")
    text = json.dumps(dict(changes or {}), ensure_ascii=False, sort_keys=True, default=str)
    if len(text) > MAX_CHANGES:
        text = json.dumps({"truncated": True, "fields": sorted(dict(changes or {}))}, ensure_ascii=False)
    return {
        "audit": {
            "id": uuid.uuid4().hex,
            "at": now_ms(),
            "actor": actor,
            "action": action,
            "entity": entity,
            "key": key,
            "changes": text,
        }
    }


@dataclass(frozen=True)
class AuditEntry:
    """One recorded change, as ``list_audit`` returns it."""

    id: str
    at: int
    actor: str
    action: str
    entity: str
    key: str
    changes: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        from knowledge_graph.model.timeutil import ms_to_iso

        return {
            "id": self.id,
            "at": ms_to_iso(self.at),
            "actor": self.actor,
            "action": self.action,
            "entity": self.entity,
            "key": self.key,
            "changes": self.changes,
        }


async def list_audit(
    store: GraphStore, entity: str | None = None, key: str | None = None, limit: int = 100
) -> list[AuditEntry]:
    """The newest ``limit`` entries (newest first), optionally for one entity type and key."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 10_000:
        raise ValidationError("limit", f"must be an integer from 1 to 10000, got {limit!r}")
    if entity is not None and entity not in ENTITIES:
        raise ValidationError("entity", f"must be one of {', '.join(ENTITIES)}, got {entity!r}")
    rows = await store.read(
        "MATCH (a:AuditEntry) "
        "WHERE ($entity IS NULL OR a.entity = $entity) AND ($key IS NULL OR a.key = $key) "
        "RETURN a ORDER BY a.at DESC, a.id DESC LIMIT $limit",
        {"entity": entity, "key": key, "limit": limit},
    )
    return [_entry(row["a"]) for row in rows]


def _entry(props: Mapping[str, Any]) -> AuditEntry:
    try:
        changes = json.loads(props.get("changes") or "{}")
    except ValueError:
        changes = {"unparsed": props.get("changes")}
    return AuditEntry(
        id=props["id"],
        at=int(props["at"]),
        actor=props.get("actor") or "",
        action=props.get("action") or "",
        entity=props.get("entity") or "",
        key=props.get("key") or "",
        changes=changes if isinstance(changes, dict) else {"value": changes},
    )
