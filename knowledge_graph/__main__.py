"""Command line: ``python -m knowledge_graph migrate|seed|stats``.

Connects with ``GraphConfig.from_env()`` (FalkorDB at FALKORDB_HOST:FALKORDB_PORT, or
Neo4j when NEO4J_URI is set). Errors are one line on stderr and exit status 1, so the
commands are usable from the Makefile and the supervisor.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from knowledge_graph.catalog import count_products
from knowledge_graph.config import GraphConfig
from knowledge_graph.errors import KnowledgeGraphError
from knowledge_graph.faq import count_faqs, get_streamer
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
    print(f"  streamer: {f'{streamer.name_en} / {streamer.name_zh} ({streamer.id})' if streamer else '-'}")
    print(f"  indexes:  {', '.join(f'{label}.{prop}' for label, prop in indexes) or '-'}")


_COMMANDS = {"migrate": _migrate, "seed": _seed, "stats": _stats}


async def _run(args: argparse.Namespace) -> None:
    store = open_store(GraphConfig.from_env())
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
    seed.add_argument("--catalog", type=Path, default=DEMO_CATALOG, help="catalog JSON (default: the demo)")
    sub.add_parser("stats", help="count products, aliases and FAQs")
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
