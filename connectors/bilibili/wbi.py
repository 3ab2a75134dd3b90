"""WBI request signing (mandatory for getDanmuInfo since 2025-05).

The mixin key is 32 characters picked from ``img_key + sub_key`` (the file names of the two
``wbi_img`` URLs from ``/x/web-interface/nav``) by a fixed permutation; requests add ``wts`` (unix
seconds) and ``w_rid = md5(urlencoded sorted params with !'()* removed + mixin key)``. The fake server
verifies with the same function, and a test checks it against an independently computed example.
"""

from __future__ import annotations

import hashlib
import time
import urllib.parse
from collections.abc import Mapping

MIXIN_KEY_ENC_TAB = (
    46, 47, 18, 2, 53, 8, 23, 32, 15, 50, 10, 31, 58, 3, 45, 35, 27, 43, 5, 49,
    33, 9, 42, 19, 29, 28, 14, 39, 12, 38, 41, 13, 37, 48, 7, 16, 24, 55, 40, 61,
    26, 17, 0, 1, 60, 51, 30, 4, 22, 25, 54, 21, 56, 59, 6, 63, 57, 62, 11, 36,
    20, 34, 44, 52,
)  # fmt: skip
_STRIP = str.maketrans("", "", "!'()*")


def key_from_url(url: str) -> str:
    """``https://i0.hdslb.com/bfs/wbi/7cd0...a8.png`` -> ``7cd0...a8``."""
    return url.rsplit("/", 1)[-1].split(".", 1)[0]


def mixin_key(img_key: str, sub_key: str) -> str:
    raw = img_key + sub_key
    return "".join(raw[i] for i in MIXIN_KEY_ENC_TAB if i < len(raw))[:32]


def sign(
    params: Mapping[str, object], img_key: str, sub_key: str, *, now: float | None = None
) -> dict[str, str]:
    """``params`` plus ``wts`` and ``w_rid``, ready for the query string."""
    signed = {k: str(v).translate(_STRIP) for k, v in params.items()}
    signed["wts"] = str(int(time.time() if now is None else now))
    query = _encode(signed)
    signed["w_rid"] = hashlib.md5((query + mixin_key(img_key, sub_key)).encode()).hexdigest()
    return signed


def _encode(params: Mapping[str, str]) -> str:
    # encodeURIComponent semantics (spaces as %20, "/" escaped), as the web client signs.
    return urllib.parse.urlencode(sorted(params.items()), quote_via=urllib.parse.quote)


def verify(params: Mapping[str, str], img_key: str, sub_key: str) -> bool:
    """Server side of :func:`sign` (used by the fake): recompute w_rid over the other params."""
    rest = {k: v for k, v in params.items() if k != "w_rid"}
    if "wts" not in rest:
        return False
    query = _encode(rest)
    return hashlib.md5((query + mixin_key(img_key, sub_key)).encode()).hexdigest() == params.get("w_rid")
