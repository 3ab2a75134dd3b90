"""``python -m bot content preview | runofshow | recap [SESSION]``: content for the streamer.

- ``preview``: the next stream's announcement (title, short post, Weibo/Bilibili dynamic);
- ``runofshow --minutes 120``: the ordered products with time slots and why each is there;
- ``recap [SESSION]``: a recorded session's recap with highlight moments and VOD chapters (default: the
  latest session).

``--lang en|zh|both`` (default both), ``--format md|text|json`` (default text). The recording is
``$LIVEROOM_VAR/reports/sessions.sqlite`` (``--db`` to read another); preview and run-of-show read the graph
named by the usual environment (``FALKORDB_*`` / ``NEO4J_*``, see knowledge_graph/config.py).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bot.web.recorder import RecorderConfig
from knowledge_graph import KnowledgeGraphError

LANGS = {"en": ("en",), "zh": ("zh",), "both": ("en", "zh")}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot content", description="content for the streamer")
    parser.add_argument("piece", choices=["preview", "runofshow", "recap"])
    parser.add_argument("session", nargs="?", help="recap: the session id (default: the latest)")
    parser.add_argument("--minutes", type=int, default=120, help="runofshow: stream length (default 120)")
    parser.add_argument("--slot", type=int, default=8, help="runofshow: minutes per product (default 8)")
    parser.add_argument("--lang", choices=sorted(LANGS), default="both")
    parser.add_argument("--format", choices=["text", "md", "json"], default="text")
    parser.add_argument("--db", type=Path, help="the recorder's SQLite file")
    parser.add_argument(
        "--offline", action="store_true", help="recap: do not read product names from the graph"
    )
    return parser


def _emit(docs: list[Any], fmt: str) -> str:
    return "\n".join(doc.markdown() if fmt == "md" else doc.plain() for doc in docs)


async def _catalog_names(timeout_s: float = 5.0) -> dict[str, tuple[str, str]]:
    """The catalog's product names, to merge "Matte Lipstick" and "哑光口红"; {} when the graph is not up."""
    from bot.content.recap import catalog_names
    from knowledge_graph import GraphConfig, KnowledgeGraphError, list_products, open_store

    try:
        store = open_store(GraphConfig.from_env())
    except (KnowledgeGraphError, ValueError, OSError):
        return {}
    try:
        async with asyncio.timeout(timeout_s):
            return catalog_names(await list_products(store))
    except (KnowledgeGraphError, OSError, TimeoutError):
        return {}
    finally:
        with contextlib.suppress(Exception):
            await store.close()


def recap_output(
    db: Path,
    session: str | None,
    langs: tuple[str, ...],
    fmt: str,
    names: dict[str, tuple[str, str]] | None = None,
) -> tuple[int, str]:
    from bot.content.recap import latest_session, session_recap
    from bot.content.text import recap_doc

    session = session or latest_session(db)
    recap = session_recap(db, session, names=names) if session else None
    if recap is None:
        return 1, f"liveroom: no recorded session {session or ''} in {db}".rstrip()
    if fmt == "json":
        return 0, json.dumps(recap, ensure_ascii=False, indent=1)
    return 0, _emit([recap_doc(recap, lang) for lang in langs], fmt)


async def plan_output(args: argparse.Namespace, db: Path, langs: tuple[str, ...]) -> tuple[int, str]:
    from bot.content.facts import gather
    from bot.content.preview import preview, preview_doc
    from bot.content.runofshow import run_of_show, run_of_show_doc
    from knowledge_graph import GraphConfig, open_store

    store = open_store(GraphConfig.from_env())
    try:
        facts = await gather(store, db)
    finally:
        await store.close()
    if args.piece == "preview":
        if args.format == "json":
            return 0, json.dumps({lang: preview(facts, lang) for lang in langs}, ensure_ascii=False, indent=1)
        return 0, _emit([preview_doc(facts, lang) for lang in langs], args.format)
    if args.format == "json":
        plans = {lang: run_of_show(facts, args.minutes, lang, slot_min=args.slot) for lang in langs}
        data = {
            lang: {**plan, "segments": [asdict(s) for s in plan["segments"]]} for lang, plan in plans.items()
        }
        return 0, json.dumps(data, ensure_ascii=False, indent=1)
    return 0, _emit(
        [run_of_show_doc(facts, args.minutes, lang, slot_min=args.slot) for lang in langs], args.format
    )


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    db = args.db or RecorderConfig.from_env().path
    langs = LANGS[args.lang]
    try:
        if args.piece == "recap":
            names = {} if args.offline else asyncio.run(_catalog_names())
            code, out = recap_output(db, args.session, langs, args.format, names)
        else:
            code, out = asyncio.run(plan_output(args, db, langs))
    except ValueError as err:
        print(f"liveroom: {err}", file=sys.stderr)
        return 2
    except KnowledgeGraphError as err:
        print(f"liveroom: {err}", file=sys.stderr)
        return 1
    print(out, file=sys.stdout if code == 0 else sys.stderr)
    return code
