"""The toxicity model (bot/core/toxicity.py ``LinearModel``) over many messages at once, with numpy.

Why: the gateway defers the model checks of chatter nobody will answer and scores them together at the
end of the event-loop tick (bot/core/model_checks.py). Per message the scalar path costs ~10 µs of
Python (one ``zlib.crc32`` call per n-gram, a set, a sum); here a batch costs 12 vectorised CRC steps
over all its characters, one ``np.unique`` and two ``np.bincount``.

The feature ids are bit-identical to :func:`bot.core.toxicity.features`: CRC-32 is table-driven
(``crc = T[(crc ^ byte) & 0xFF] ^ (crc >> 8)``) and the CRC of a bigram or trigram continues the state
of its first character's bytes, so running 12 byte steps from every position gives the unigram,
bigram and trigram hashes after steps 4, 8 and 12. Ids are de-duplicated per message (the scalar path
keeps a set) and summed per message in float64 (the order of the sum differs, so probabilities agree to
float rounding; the severities are what the tests hold equal).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from bot.core.toxicity import NGRAMS, LinearModel, TextForms, model_text_of

_POLY = 0xEDB88320  # zlib's reflected CRC-32 polynomial


def _crc_table() -> npt.NDArray[np.uint32]:
    table = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        table = np.where(table & 1, (table >> 1) ^ np.uint32(_POLY), table >> 1).astype(np.uint32)
    return table


CRC_TABLE = _crc_table()
_BYTE = np.uint32(0xFF)


def batch_features(framed: Sequence[str], n_bits: int) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """(message index, feature id) pairs, distinct per message, for texts framed by ``model_text``."""
    lengths = np.fromiter(map(len, framed), dtype=np.intp, count=len(framed))
    codes = np.frombuffer("".join(framed).encode("utf-32-le"), dtype="<u4").astype(np.uint32)
    size = codes.size
    longest = max(NGRAMS)
    padded = np.concatenate([codes, np.zeros(longest, dtype=np.uint32)])
    owner = np.repeat(np.arange(len(framed), dtype=np.uint64), lengths)
    room_left = np.repeat(np.cumsum(lengths), lengths) - np.arange(size)  # characters from here on
    mask = np.uint32((1 << n_bits) - 1)
    state = np.full(size, 0xFFFFFFFF, dtype=np.uint32)
    keys = []
    for n in range(1, longest + 1):
        chars = padded[n - 1 : n - 1 + size]
        for shift in (0, 8, 16, 24):
            state = CRC_TABLE.take((state ^ (chars >> np.uint32(shift))) & _BYTE) ^ (state >> np.uint32(8))
        if n in NGRAMS:
            inside = room_left >= n
            ids = (~state & mask)[inside].astype(np.uint64)
            keys.append((owner[inside] << np.uint64(32)) | ids)
    distinct = _distinct(np.concatenate(keys))
    return (distinct >> np.uint64(32)).astype(np.intp), (distinct & np.uint64(0xFFFFFFFF)).astype(np.intp)


def _distinct(keys: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """``np.unique(keys)`` by sorting: numpy 2.4's ``unique`` hashes and is ~25x slower here."""
    keys = np.sort(keys)
    first = np.empty(keys.size, dtype=bool)
    first[:1] = True
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    return keys[first]


class BatchScorer:
    """``LinearModel.severity_of`` for many messages: the same thresholds, numpy arithmetic."""

    def __init__(self, model: LinearModel) -> None:
        self.model = model
        self.langs = sorted(model.weights)
        self._lang_index = {lang: i for i, lang in enumerate(self.langs)}
        self._weights = np.stack([np.frombuffer(model.weights[ln], dtype=np.float32) for ln in self.langs])
        self._bias = np.array([model.bias[lang] for lang in self.langs])
        self._warn = np.array([model.warn[lang] for lang in self.langs])
        self._delete = np.array([model.delete[lang] for lang in self.langs])

    def probabilities(self, forms: Sequence[TextForms], langs: Sequence[str]) -> npt.NDArray[np.float64]:
        """The model's probability for each message (``langs``: ``language(form.text)`` of each)."""
        framed = [model_text_of(f, lang) for f, lang in zip(forms, langs, strict=True)]
        lang_ids = np.array([self._lang_index[lang] for lang in langs], dtype=np.intp)
        msg, ids = batch_features(framed, self.model.n_bits)
        weights = self._weights[lang_ids[msg], ids].astype(np.float64)
        sums = np.bincount(msg, weights=weights, minlength=len(framed))
        counts = np.bincount(msg, minlength=len(framed))
        z = self._bias[lang_ids] + sums / np.sqrt(np.maximum(counts, 1))
        p: npt.NDArray[np.float64] = 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))
        return np.where(counts > 0, p, 0.0)

    def severities(self, forms: Sequence[TextForms], langs: Sequence[str]) -> list[int]:
        """2 delete, 1 warn, 0 nothing, per message, as ``LinearModel.grade`` gives them."""
        if not forms:
            return []
        p = self.probabilities(forms, langs)
        lang_ids = np.array([self._lang_index[lang] for lang in langs], dtype=np.intp)
        graded = np.where(p >= self._delete[lang_ids], 2, np.where(p >= self._warn[lang_ids], 1, 0))
        return [int(s) for s in graded]
