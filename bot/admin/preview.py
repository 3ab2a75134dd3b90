"""What an import file would change (``POST /api/v1/imports/preview``), without writing anything.

The file is parsed and validated exactly as the import job does (same parser, same errors naming row
and field); then each section is compared by key with the current catalog in the export's JSON form,
so "changed" means the export would differ. Import is an upsert, so items the file lacks are listed
as ``missing`` (they are kept, not removed).
"""

from __future__ import annotations

import asyncio
from typing import Any

from knowledge_graph import GraphStore, bundle_to_json, check_references, export_bundle, parse_csv, parse_json

__all__ = ["diff_sections", "preview_import"]

SECTION_KEYS = {
    "categories": "id",
    "products": "sku",
    "promotions": "code",
    "schedule": "id",
    "faqs": "id",
}
MAX_LISTED = 200  # per section and kind; counts are always complete


def diff_sections(current: dict[str, Any], incoming: dict[str, Any]) -> dict[str, Any]:
    """Per section: keys added, changed (with the differing fields), unchanged count, missing keys."""
    out: dict[str, Any] = {}
    for section, key in SECTION_KEYS.items():
        before = {item[key]: item for item in current.get(section) or []}
        after = {item[key]: item for item in incoming.get(section) or []}
        added = sorted(k for k in after if k not in before)
        changed = []
        for k in sorted(k for k in after if k in before):
            fields = {
                f: [before[k].get(f), after[k].get(f)]
                for f in sorted(set(before[k]) | set(after[k]))
                if before[k].get(f) != after[k].get(f)
            }
            if fields:
                changed.append({"key": k, "fields": fields})
        missing = sorted(k for k in before if k not in after)
        out[section] = {
            "added": added[:MAX_LISTED],
            "changed": changed[:MAX_LISTED],
            "missing": missing[:MAX_LISTED],
            "counts": {
                "added": len(added),
                "changed": len(changed),
                "unchanged": len(after) - len(added) - len(changed),
                "missing": len(missing),
            },
        }
    return out


async def preview_import(store: GraphStore, raw: bytes, fmt: str, source: str) -> dict[str, Any]:
    """Parse + validate ``raw`` like an import job, then diff it against the catalog in ``store``."""
    parse = parse_csv if fmt == "csv" else parse_json
    bundle = await asyncio.to_thread(parse, raw)  # ImportRejected names the row and field
    await check_references(store, bundle)
    sections = diff_sections(bundle_to_json(await export_bundle(store)), bundle_to_json(bundle))
    kinds = ("added", "changed", "unchanged", "missing")
    total = {k: sum(s["counts"][k] for s in sections.values()) for k in kinds}
    return {"source": source, "format": fmt, "sections": sections, "total": total}
