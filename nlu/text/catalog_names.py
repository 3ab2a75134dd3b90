"""Product names for NLU, fetched from the gateway, and the matcher that finds them in chat.

The Rasa runtime has no graph client, so :class:`CatalogNames` polls the gateway's
``GET /api/v1/catalog/names`` (``LIVEROOM_CATALOG_URL``, default
``http://127.0.0.1:{LIVEROOM_GATEWAY_PORT or 8080}/api/v1/catalog/names``) with ``If-None-Match``:

* at most one poll per ``ttl_s`` seconds, started from the parse that finds the snapshot stale, in a
  background thread: a parse never waits for the network;
* the last good snapshot is kept when the gateway is down or answers garbage; until the first
  successful poll (Rasa starts before the gateway) the names seen in the training data are used.

:class:`ProductMatcher` finds product mentions in one message: exact keys (names, aliases, SKUs) in
the normalized text (``nlu.text.normalizer``), longest match first, Latin keys only at word boundaries;
then fuzzy (rapidfuzz ratio) for Latin words not covered ("lipstik", "mascarra"). Each match maps to
a SKU. Pure Python plus optional rapidfuzz, so it can be tested without Rasa.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass

from nlu.text.normalizer import normalize

log = logging.getLogger(__name__)

CATALOG_URL_ENV = "LIVEROOM_CATALOG_URL"
CATALOG_PATH = "/api/v1/catalog/names"

_LATIN_KEY = re.compile(r"[a-z0-9]")
_HAN = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[a-z0-9][a-z0-9'\-]*")


def default_catalog_url(env: dict[str, str] | None = None) -> str:
    env = dict(os.environ if env is None else env)
    url = env.get(CATALOG_URL_ENV, "").strip()
    if url:
        return url
    port = env.get("LIVEROOM_GATEWAY_PORT", "").strip() or "8080"
    return f"http://127.0.0.1:{port}{CATALOG_PATH}"


def match_key(text: str) -> str:
    """The form names are compared in: normalized, whitespace collapsed."""
    return " ".join(normalize(text).text.split())


@dataclass(frozen=True)
class Mention:
    """A product mention: ``[start, end)`` in the raw text, the SKU, the matched key, a score."""

    start: int
    end: int
    sku: str
    key: str
    score: float


class ProductMatcher:
    """Finds catalog names in chat text. Immutable; build a new one per catalog version."""

    def __init__(self, keys: dict[str, str], *, fuzzy_threshold: float = 86.0) -> None:
        # key (match_key form) -> sku
        self.keys = {k: v for k, v in keys.items() if k}
        self.fuzzy_threshold = fuzzy_threshold
        self._ordered = sorted(self.keys, key=len, reverse=True)
        self._latin_fuzzy = [
            k for k in self.keys if _LATIN_KEY.search(k) and not _HAN.search(k) and len(k) >= 5
        ]
        self._max_words = max((len(k.split()) for k in self._latin_fuzzy), default=1)

    @classmethod
    def from_products(cls, products: Iterable[dict], **kwargs: float) -> ProductMatcher:
        """From the gateway's ``products`` list (``sku``, ``names``, ``aliases``)."""
        keys: dict[str, str] = {}
        for product in products:
            sku = str(product.get("sku") or "").strip()
            if not sku:
                continue
            texts = [sku]
            names = product.get("names") or {}
            aliases = product.get("aliases") or {}
            for lang in ("en", "zh"):
                if isinstance(names.get(lang), str):
                    texts.append(names[lang])
                texts += [a for a in aliases.get(lang) or () if isinstance(a, str)]
            for text in texts:
                key = match_key(text)
                # A key shared by two products is ambiguous; the first (sorted by SKU) wins.
                if key and key not in keys:
                    keys[key] = sku
        return cls(keys, **kwargs)

    def find(self, text: str) -> list[Mention]:
        """Non-overlapping mentions, longest (then leftmost) exact keys first, then fuzzy ones."""
        norm = normalize(text)
        hay = norm.text
        taken = [False] * len(hay)
        found: list[Mention] = []
        for key in self._ordered:
            start = hay.find(key)
            while start >= 0:
                end = start + len(key)
                if not any(taken[start:end]) and self._boundaries_ok(hay, start, end, key):
                    for i in range(start, end):
                        taken[i] = True
                    s, e = norm.source_span(start, end)
                    found.append(Mention(s, e, self.keys[key], key, 1.0))
                start = hay.find(key, start + 1)
        found += self._fuzzy(hay, norm, taken)
        return sorted(found, key=lambda m: m.start)

    @staticmethod
    def _boundaries_ok(hay: str, start: int, end: int, key: str) -> bool:
        if _LATIN_KEY.match(key[0]) and start > 0 and hay[start - 1].isascii() and hay[start - 1].isalnum():
            return False
        if _LATIN_KEY.match(key[-1]) and end < len(hay) and hay[end].isascii() and hay[end].isalnum():
            # allow a plural "s": "lipsticks"
            return hay[end] == "s" and (end + 1 >= len(hay) or not hay[end + 1].isalnum())
        return True

    def _fuzzy(self, hay: str, norm, taken: list[bool]) -> list[Mention]:
        if not self._latin_fuzzy:
            return []
        try:
            from rapidfuzz import fuzz, process
        except ImportError:  # pragma: no cover - rapidfuzz is in the Rasa runtime
            return []
        words = [m for m in _LATIN_WORD.finditer(hay) if not any(taken[m.start() : m.end()])]
        found: list[Mention] = []
        used: set[int] = set()
        for size in range(min(self._max_words, 3), 0, -1):
            for i in range(len(words) - size + 1):
                group = words[i : i + size]
                if any(id(w) in used for w in group):
                    continue
                # only contiguous words
                if any(group[k + 1].start() - group[k].end() > 1 for k in range(size - 1)):
                    continue
                phrase = " ".join(w.group() for w in group)
                if len(phrase) < 5:
                    continue
                best = process.extractOne(
                    phrase, self._latin_fuzzy, scorer=fuzz.ratio, score_cutoff=self.fuzzy_threshold
                )
                if best is None:
                    continue
                key, score, _ = best
                used.update(id(w) for w in group)
                s, e = norm.source_span(group[0].start(), group[-1].end())
                found.append(Mention(s, e, self.keys[key], key, score / 100.0))
        return found


class CatalogNames:
    """The latest product-name snapshot from the gateway, refreshed in the background."""

    def __init__(
        self,
        url: str | None = None,
        *,
        ttl_s: float = 5.0,
        timeout_s: float = 2.0,
        fallback_keys: dict[str, str] | None = None,
    ) -> None:
        self.url = url or default_catalog_url()
        self.ttl_s = ttl_s
        self.timeout_s = timeout_s
        self.version: str | None = None
        self._etag: str | None = None
        self._matcher = ProductMatcher(dict(fallback_keys or {}))
        self._checked = 0.0
        self._lock = threading.Lock()
        self._polling = False

    @property
    def matcher(self) -> ProductMatcher:
        """The current matcher; starts a background refresh when the snapshot is older than the TTL."""
        now = time.monotonic()
        if now - self._checked >= self.ttl_s:
            with self._lock:
                if not self._polling and now - self._checked >= self.ttl_s:
                    self._polling = True
                    self._checked = now
                    threading.Thread(
                        target=self._poll_in_background, daemon=True, name="catalog-poll"
                    ).start()
        return self._matcher

    def _poll_in_background(self) -> None:
        try:
            self.refresh()
        finally:
            self._polling = False

    def refresh(self) -> bool:
        """Poll once, synchronously. True when a new snapshot was installed."""
        request = urllib.request.Request(self.url, headers={"Accept": "application/json"})
        if self._etag:
            request.add_header("If-None-Match", self._etag)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                body = json.loads(response.read().decode("utf-8"))
                etag = response.headers.get("ETag")
        except urllib.error.HTTPError as err:
            if err.code != 304:
                log.warning("catalog names: HTTP %s from %s; keeping the last snapshot", err.code, self.url)
            return False
        except (OSError, ValueError) as err:
            log.debug("catalog names unavailable at %s (%s); keeping the last snapshot", self.url, err)
            return False
        products = body.get("products") if isinstance(body, dict) else None
        if not isinstance(products, list):
            log.warning("catalog names: unexpected body from %s; keeping the last snapshot", self.url)
            return False
        self._matcher = ProductMatcher.from_products(p for p in products if isinstance(p, dict))
        self.version = str(body.get("version") or "")
        self._etag = etag or (f'"{self.version}"' if self.version else None)
        self._checked = time.monotonic()
        log.info("catalog names: version %s, %d keys", self.version, len(self._matcher.keys))
        return True
