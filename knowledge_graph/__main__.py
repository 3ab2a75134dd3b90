"""Command line: ``python -m knowledge_graph migrate|seed|stats|import|export|reindex``.

``import FILE [--format json|csv]`` validates the whole file first (the first bad row is
reported, nothing written), then writes it, showing progress on stderr; ``export FILE``
writes the whole catalog (``-`` for stdout); the format follows the file extension
unless ``--format`` says otherwise. ``reindex`` recomputes every FAQ embedding.
Writes are audited with the actor ``--actor`` (default ``cli``).

Connects with ``GraphConfig.from_env()`` (FalkorDB at FALKORDB_HOST:FALKORDB_PORT, or
Neo4j when NEO4J_URI is set). Errors are one line on stderr and exit status 1, so the
commands are usable from the Makefile and the supervisor.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import sys
import time
from pathlib import Path

from knowledge_graph.catalog.faqs import count_faqs, get_streamer
from knowledge_graph.catalog.products import count_products
from knowledge_graph.config import GraphConfig
from knowledge_graph.errors import KnowledgeGraphError, ValidationError
from knowledge_graph.schema import list_indexes, migrate
from knowledge_graph.seed import DEMO_CATALOG, seed_if_empty
from knowledge_graph.store import GraphStore, open_store


async def _migrate(store: GraphStore, args: argparse.Namespace) -> None:
    created = await migrate(store)
    names = ", ".join(f"{s.label}.{s.property}" for s in created) or "none (all present)"
    print(f"{store.describe()}: indexes created: {names}")


async def _seed(store: GraphStore, args: argparse.Namespace) -> None:
    loaded = await seed_if_empty(store, args.catalog)
    if loaded:
        print(f"{store.describe()}: loaded {loaded} products from {args.catalog}")
    else:
        print(f"{store.describe()}: already has {await count_products(store)} products; nothing loaded")


async def _stats(store: GraphStore, args: argparse.Namespace) -> None:
    aliases = await store.read("MATCH (a:Alias) RETURN count(a) AS n")
    streamer = await get_streamer(store)
    indexes = await list_indexes(store)
    print(store.describe())
    print(f"  products: {await count_products(store)}")
    print(f"  aliases:  {aliases[0]['n']}")
    print(f"  faqs:     {await count_faqs(store)}")
    for label, count in await count_labels(store):
        print(f"  {label + ':':<15}{count}")
    print(f"  streamer: {f'{streamer.name_en} / {streamer.name_zh} ({streamer.id})' if streamer else '-'}")
    print(f"  indexes:  {', '.join(f'{label}.{prop}' for label, prop in indexes) or '-'}")


def _format_of(args: argparse.Namespace) -> str:
    if args.format:
        return str(args.format)
    return "csv" if str(args.file).lower().endswith(".csv") else "json"


class _Progress:
    """Progress on stderr: a line per phase step, throttled to ~5 per second."""

    def __init__(self) -> None:
        self._last = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self._last < 0.2:
            return
        self._last = now
        print(f"  {phase}: {done}/{total}", file=sys.stderr, flush=True)


async def _import(store: GraphStore, args: argparse.Namespace) -> None:
    from knowledge_graph.transfer.bundle import import_bundle, parse_json
    from knowledge_graph.transfer.csv import parse_csv

    started = time.monotonic()
    try:
        raw = await asyncio.to_thread(Path(args.file).read_bytes)
    except OSError as err:
        raise ValidationError("file", f"cannot read {args.file}: {err}") from err
    progress = _Progress()
    parse = parse_csv if _format_of(args) == "csv" else parse_json
    bundle = await asyncio.to_thread(parse, raw, progress)
    await migrate(store)
    result = await import_bundle(store, bundle, args.actor, source=Path(args.file).name, progress=progress)
    elapsed = time.monotonic() - started
    print(
        f"{store.describe()}: imported {result.products} products, {result.variants} variants, "
        f"{result.categories} categories, {result.promotions} promotions, {result.sessions} sessions, "
        f"{result.faqs} FAQs from {args.file} in {elapsed:.1f}s"
    )


async def _export(store: GraphStore, args: argparse.Namespace) -> None:
    from knowledge_graph.transfer.bundle import bundle_to_json, dumps, export_bundle
    from knowledge_graph.transfer.csv import bundle_to_csv

    bundle = await export_bundle(store)
    text = bundle_to_csv(bundle) if _format_of(args) == "csv" else dumps(bundle_to_json(bundle))
    if str(args.file) == "-":
        sys.stdout.write(text)
        return
    await asyncio.to_thread(Path(args.file).write_text, text, encoding="utf-8")
    print(f"{store.describe()}: exported {len(bundle.products)} products to {args.file}", file=sys.stderr)


async def _reindex(store: GraphStore, args: argparse.Namespace) -> None:
    from knowledge_graph.semantic import reindex

    await migrate(store)
    progress = _Progress()
    count = await reindex(store, lambda done, total: progress("reindex", done, total))
    print(f"{store.describe()}: reindexed {count} FAQs")


_COMMANDS = {
    "migrate": _migrate,
    "seed": _seed,
    "stats": _stats,
    "import": _import,
    "export": _export,
    "reindex": _reindex,
}


async def count_labels(store: GraphStore) -> list[tuple[str, int]]:
    """``(label, count)`` for every label in the graph, by label."""
    rows = await store.read("MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS n ORDER BY label")
    return [(row["label"], int(row["n"])) for row in rows]


async def _run(args: argparse.Namespace) -> None:
    config = GraphConfig.from_env()
    if args.command in ("import", "export", "reindex"):  # bulk statements need more than a chat answer
        config = dataclasses.replace(config, query_timeout=max(config.query_timeout, 300.0))
    store = open_store(config)
    try:
        await store.ping()
        await _COMMANDS[args.command](store, args)
    finally:
        await store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m knowledge_graph", description="Manage the liveroom knowledge graph."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="create missing indexes")
    seed = sub.add_parser("seed", help="migrate, then load a catalog if the graph has no products")
    seed.add_argument(
        "--catalog",
        type=Path,
        default=DEMO_CATALOG,
        help="catalog file, liveroom-export/1 JSON (default: the demo)",
    )
    sub.add_parser("stats", help="count nodes per label, list indexes")
    imp = sub.add_parser("import", help="import a catalog file (JSON or CSV), all-or-nothing")
    imp.add_argument("file", type=Path)
    imp.add_argument("--format", choices=("json", "csv"), help="default: from the file extension")
    imp.add_argument("--actor", default="cli", help="name recorded in the audit trail")
    exp = sub.add_parser("export", help="export the whole catalog (JSON or CSV; FILE '-' = stdout)")
    exp.add_argument("file")
    exp.add_argument("--format", choices=("json", "csv"), help="default: from the file extension")
    sub.add_parser("reindex", help="recompute every FAQ embedding (semantic FAQ answers)")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        asyncio.run(_run(args))
    except KnowledgeGraphError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
