"""The in-process index of every match key: exact key search in a text, and typo-tolerant lookup.

How: every match key (the normalized SKU, names and aliases, i.e. the ``Alias.key``
values) is loaded once into an in-process *deletion index* (the SymSpell idea, with
edit distance 1): each key is filed under itself and under every string obtained by
deleting one character. A query is looked up under itself and its own one-character
deletions; any key sharing an entry is within one insertion, deletion, substitution or
adjacent swap, which ``_distance`` (optimal string alignment) then confirms. A lookup
is therefore ~len(query) dict probes, independent of catalog size -- no scan of
the graph and nothing dialect-specific in Cypher.

Why in-process and how it stays current: neither backend can answer "keys within edit
distance 1" from a portable index. Every statement that changes ``Alias`` nodes also
bumps ``(:CatalogMeta {id: 'catalog'}).generation`` (``catalog.products.BUMP_GENERATION``); each
fuzzy lookup first reads that number (one tiny read) and rebuilds the index when it
moved. The key set itself (used for exact mention search too) takes ~30 ms to load
per 70,000 keys; the deletion index is built lazily on the first typo lookup after a
change, off the event loop, ~2 s per 70,000 keys (10,000 products) and a few
milliseconds for a stream's few hundred products.

Rules that keep false positives down: queries and keys shorter than ``MIN_FUZZY_LEN``
characters are never fuzzy-matched ("lip" must not become "lipo"), only distance 1 is
accepted, and a typo that is equally close to keys of two products is ambiguous (None).
"""

from __future__ import annotations

import asyncio
import logging
import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from knowledge_graph.catalog.homophones import SoundIndex, build_sound_index, respell, sound_alikes, units
from knowledge_graph.catalog.products import find_products
from knowledge_graph.model.product import Product
from knowledge_graph.model.text import is_cjk, normalize_key, plural_ending
from knowledge_graph.store import GraphStore

__all__ = [
    "MIN_FUZZY_LEN",
    "find_product_fuzzy",
    "fuzzy_keys",
    "fuzzy_mention",
    "keys_in_text",
    "respell_sound_alikes",
]

log = logging.getLogger(__name__)

T = TypeVar("T")

MIN_FUZZY_LEN = 4
"""Shortest query/key (in characters) considered for typo matching."""
MIN_FUZZY_LEN_CJK = 3
"""CJK keys carry more per character; three characters are enough."""


@dataclass
class _Typos:
    """The deletion index (built lazily: ~2 s per 70,000 keys, only needed for typos)."""

    buckets: dict[str, list[str]] = field(default_factory=dict)
    exact: dict[str, list[str]] = field(default_factory=dict)
    """Keys by their ``key.replace(' ', '')`` form: "lip stick" and "lipstick" are not typos of
    each other in the catalog's eyes, but a missing space in chat is the commonest slip."""


@dataclass
class _Index:
    generation: int | None
    keys: frozenset[str] = frozenset()
    """Every match key, for exact mention search (``keys_in_text``); ~30 ms per 70,000 keys."""
    lengths: tuple[int, ...] = ()
    """The distinct lengths of ``keys``, ascending."""
    derived: dict[Callable[[frozenset[str]], Any], Any] = field(default_factory=dict)
    """What is built from ``keys`` on first use, by its builder (``_derived``): the deletion index
    (``_build_typos``), the CJK keys by their masked forms (``homophones.build_sound_index``), the long
    names by their shortened forms (``_build_shortened``)."""


_INDEXES: weakref.WeakKeyDictionary[GraphStore, _Index] = weakref.WeakKeyDictionary()
_LOCKS: weakref.WeakKeyDictionary[GraphStore, asyncio.Lock] = weakref.WeakKeyDictionary()


def _long_enough(text: str) -> bool:
    minimum = MIN_FUZZY_LEN_CJK if any(is_cjk(ch) for ch in text) else MIN_FUZZY_LEN
    return len(text) >= minimum


def _deletions(text: str) -> set[str]:
    return {text[:i] + text[i + 1 :] for i in range(len(text))}


def _build(keys: list[str], generation: int | None) -> _Index:
    return _Index(generation, frozenset(keys), tuple(sorted({len(k) for k in keys if k})))


def _build_typos(keys: frozenset[str]) -> _Typos:
    typos = _Typos()
    for key in sorted(keys):
        if not _long_enough(key):
            continue
        for variant in (key, *_deletions(key)):
            typos.buckets.setdefault(variant, []).append(key)
        typos.exact.setdefault(key.replace(" ", ""), []).append(key)
    return typos


def _distance(a: str, b: str, limit: int = 1) -> int:
    """Optimal-string-alignment distance, giving up (returning limit + 1) beyond ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


async def _generation(store: GraphStore) -> int | None:
    rows = await store.read("MATCH (m:CatalogMeta {id: 'catalog'}) RETURN m.generation AS g")
    return int(rows[0]["g"]) if rows and rows[0]["g"] is not None else None


async def _derived(store: GraphStore, build: Callable[[frozenset[str]], T]) -> T:
    """``build(keys)`` of the current index: built once per catalog generation, off the event loop,
    under the index's lock."""
    index = await _index(store)
    if build not in index.derived:
        async with _LOCKS.setdefault(store, asyncio.Lock()):
            if build not in index.derived:
                index.derived[build] = await asyncio.to_thread(build, index.keys)
    return cast(T, index.derived[build])


async def _typo_index(store: GraphStore) -> _Typos:
    return await _derived(store, _build_typos)


async def _sound_index(store: GraphStore) -> SoundIndex:
    return await _derived(store, build_sound_index)


async def _index(store: GraphStore) -> _Index:
    generation = await _generation(store)
    current = _INDEXES.get(store)
    if current is not None and current.generation == generation:
        return current
    lock = _LOCKS.setdefault(store, asyncio.Lock())
    async with lock:
        current = _INDEXES.get(store)
        if current is not None and current.generation == generation:
            return current
        rows = await store.read("MATCH (a:Alias) RETURN DISTINCT a.key AS key")
        keys = [row["key"] for row in rows if isinstance(row["key"], str)]
        built = _build(keys, generation)
        _INDEXES[store] = built
        log.debug("typo index rebuilt: %d keys, generation %s", len(keys), generation)
        return built


def _candidates(index: _Typos, query: str) -> set[str]:
    found: set[str] = set(index.exact.get(query.replace(" ", ""), ()))
    if found:
        return found
    for variant in (query, *_deletions(query)):
        found.update(index.buckets.get(variant, ()))
    return {key for key in found if _distance(query, key) <= 1}


def _is_word(ch: str) -> bool:
    return ch.isalnum() and not is_cjk(ch)


def _keys_at_boundaries(index: _Index, text: str) -> dict[str, int]:
    """``{key: first start}`` for stored keys occurring in ``text`` at word boundaries.

    Same rule as ``text.find_word``: a boundary only matters between two letters/digits of
    space-delimited scripts, and an English plural ending counts as one ("candles", "brushes" name
    the candle and the brush). Cost: (valid starts) x (distinct key lengths) set probes.
    """
    word = [_is_word(ch) for ch in text]
    size = len(text)
    found: dict[str, int] = {}
    for start in range(size):
        if start and word[start - 1] and word[start]:
            continue
        for length in index.lengths:
            end = start + length
            if end > size:
                break
            if end < size and word[end] and word[end - 1] and not plural_ending(text, end):
                continue
            key = text[start:end]
            if key in index.keys and key not in found:
                found[key] = start
    return found


async def keys_in_text(store: GraphStore, normalized: str) -> dict[str, int]:
    """Stored match keys found in already-normalized ``normalized`` -> their first position.

    Answered from the in-process key index (current as of the catalog generation), so
    the cost does not grow with the catalog the way a scan of every ``Alias`` would.
    """
    if not normalized:
        return {}
    return _keys_at_boundaries(await _index(store), normalized)


async def fuzzy_keys(store: GraphStore, text: str) -> set[str]:
    """Stored match keys within one typo of ``text`` (normalized first); empty if too short."""
    query = normalize_key(text)
    if not _long_enough(query):
        return set()
    return _candidates(await _typo_index(store), query)


async def _unique_product(store: GraphStore, keys: set[str]) -> Product | None:
    products: dict[str, Product] = {}
    for key in sorted(keys):
        for product in await find_products(store, key):
            products[product.sku] = product
    if len(products) != 1:
        if products:
            log.debug("typo match is ambiguous: %s", sorted(products))
        return None
    return next(iter(products.values()))


async def find_product_fuzzy(store: GraphStore, name: str) -> Product | None:
    """The one product whose SKU/name/alias is within one typo of ``name``; None if none or
    ambiguous. Exact matches are ``find_product``'s job; this is its fallback."""
    keys = await fuzzy_keys(store, name)
    return await _unique_product(store, keys) if keys else None


async def fuzzy_mention(store: GraphStore, text: str, max_words: int = 3) -> Product | None:
    """A product named with a typo somewhere in a chat message ("how much is the lipstik").

    Tries every run of 1..``max_words`` space-separated words (longest first) and returns
    the product of the first run that matches exactly one product.
    """
    normalized = normalize_key(text)[:500]
    words = [w.strip("?!.,:;\"'()[]") for w in normalized.split(" ")]
    words = [w for w in words if w]
    if not words:
        return None
    index = await _typo_index(store)
    for size in range(min(max_words, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            phrase = " ".join(words[start : start + size])
            if not _long_enough(phrase):
                continue
            keys = _candidates(index, phrase)
            if keys:
                product = await _unique_product(store, keys)
                if product is not None:
                    return product
    return None


_NAME_WORD = re.compile(r"[a-z]+")
_NOT_NAME_WORDS = re.compile(r"\(.*?\)|\S*\d\S*")  # "(10 pack)", "50ml", "spf50": sizes, not words


def _name_words(key: str) -> list[str]:
    return _NAME_WORD.findall(_NOT_NAME_WORDS.sub(" ", key))


@dataclass
class _Shortened:
    forms: dict[str, set[str]] = field(default_factory=dict)
    """Each shortened form ("repair cream") -> the keys it shortens ("repair night cream")."""
    longest: int = 0
    """The most words of a form."""


def _build_shortened(keys: frozenset[str]) -> _Shortened:
    """The Latin keys of three words or more by every form with one run of words left out and the last
    word kept, two words at least."""
    shortened = _Shortened()
    for key in keys:
        name = _name_words(key)
        if len(name) < 3 or not key.isascii():
            continue
        for end in range(len(name) - 1):
            for resume in range(end + 1, len(name)):  # name[end:resume] left out
                kept = name[:end] + name[resume:]
                if len(kept) >= 2:
                    shortened.forms.setdefault(" ".join(kept), set()).add(key)
                    shortened.longest = max(shortened.longest, len(kept))
    return shortened


async def shortened_name_mention(store: GraphStore, text: str) -> Product | None:
    """A product named by its name with some words left out, its last word kept ("the repair cream"
    for the Repair Night Cream, "long wear foundation" for the Long-wear Liquid Foundation), when those
    words fit exactly one product; else None. Names of three words or more only: a shorter name is
    either said whole (an exact mention) or by one word, which is a category word rather than a name."""
    words = _NAME_WORD.findall(normalize_key(text)[:500])
    if len(words) < 2:
        return None
    shortened = await _derived(store, _build_shortened)
    keys: set[str] = set()
    for size in range(2, min(shortened.longest, len(words)) + 1):
        for start in range(len(words) - size + 1):
            keys |= shortened.forms.get(" ".join(words[start : start + size]), set())
    return await _unique_product(store, keys) if keys else None


async def respell_sound_alikes(store: GraphStore, text: str) -> str:
    """``text`` with each product name typed with a sound-alike character spelled right ("防嗮怎么样" ->
    "防晒怎么样", normalized); ``text`` itself when it has none. A window that sounds like the names of
    two products is left as typed, and so is everything else."""
    normalized = normalize_key(text)[:500]
    if not any(is_cjk(ch) for ch in normalized):
        return text
    parts = units(normalized)
    slips = sound_alikes(await _sound_index(store), parts)
    one_product = {slip for slip in slips if await _unique_product(store, set(slip.keys)) is not None}
    return respell(parts, slips, lambda slip: slip in one_product) or text
