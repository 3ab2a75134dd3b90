"""BlazeFace face detection with six keypoints (MediaPipe's face detector models, run with ai-edge-litert).

The models ship inside the ``mediapipe`` wheel (Apache-2.0), which is installed ``--no-deps`` and never
imported: only its ``modules/face_detection/*.tflite`` files are read, located through the package's
import spec, and run by ``ai_edge_litert`` (already used for the expression model). No download.

* ``full`` (default): ``face_detection_full_range_sparse.tflite``, 192x192 input, 2304 anchors on one
  stride-4 grid: faces from ~2 % of the frame width upwards (a room seen from a stream camera).
* ``short``: ``face_detection_short_range.tflite``, 128x128, 896 anchors: faces within ~2 m (selfie).

The frame is letterboxed to a square (aspect kept), scaled to the model input as RGB in [-1, 1]; anchors
and box/keypoint decoding follow MediaPipe's ``SsdAnchorsCalculator`` and
``TensorsToDetectionsCalculator`` options for these graphs; overlapping detections are merged by
score-weighted non-maximum suppression (MediaPipe's ``WEIGHTED`` mode). Keypoints (in frame pixels):
right eye, left eye, nose tip, mouth centre, right ear tragion, left ear tragion (the person's right/left).
"""

from __future__ import annotations

import importlib.util
import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

KEYPOINTS = ("right_eye", "left_eye", "nose", "mouth", "right_ear", "left_ear")


@dataclass(frozen=True)
class _Spec:
    file: str
    size: int
    strides: tuple[int, ...]
    min_scale: float
    max_scale: float
    interpolated: bool
    threshold: float


SPECS = {
    "full": _Spec("face_detection_full_range_sparse.tflite", 192, (4,), 0.1484375, 0.75, False, 0.6),
    "short": _Spec("face_detection_short_range.tflite", 128, (8, 16, 16, 16), 0.1484375, 0.75, True, 0.5),
}


class DetectorUnavailable(RuntimeError):
    """The mediapipe wheel (which carries the model files) is not installed."""


def model_path(variant: str = "full") -> Path:
    spec = importlib.util.find_spec("mediapipe")
    if spec is None or not spec.submodule_search_locations:
        raise DetectorUnavailable(
            "the mediapipe package is not installed: `make setup` installs it "
            "(pip install --no-deps mediapipe)"
        )
    root = Path(next(iter(spec.submodule_search_locations)))
    path = root / "modules" / "face_detection" / SPECS[variant].file
    if not path.is_file():
        raise DetectorUnavailable(f"{path} is missing: reinstall mediapipe (pip install --no-deps mediapipe)")
    return path


def anchors(spec: _Spec) -> np.ndarray:
    """Anchor centres (N, 2) in [0, 1]; MediaPipe's SSD anchors with fixed size 1 (aspect ratio 1.0)."""
    centres: list[tuple[float, float]] = []
    layer = 0
    strides = spec.strides
    while layer < len(strides):
        per_cell = 0
        last = layer
        while last < len(strides) and strides[last] == strides[layer]:
            per_cell += 2 if spec.interpolated else 1  # aspect 1.0, plus the interpolated scale
            last += 1
        grid = math.ceil(spec.size / strides[layer])
        for y in range(grid):
            for x in range(grid):
                centres.extend([((x + 0.5) / grid, (y + 0.5) / grid)] * per_cell)
        layer = last
    return np.asarray(centres, dtype=np.float32)


@dataclass(frozen=True)
class Detection:
    """One face: box (x, y, w, h) and the six keypoints (6, 2) in frame pixels, and the model's score."""

    x: float
    y: float
    w: float
    h: float
    score: float
    keypoints: np.ndarray


class BlazeFace:
    def __init__(self, variant: str = "full", *, threads: int = 1, threshold: float | None = None) -> None:
        from ai_edge_litert.interpreter import Interpreter

        self.spec = SPECS[variant]
        self.variant = variant
        self.threshold = self.spec.threshold if threshold is None else threshold
        self._interpreter = Interpreter(model_path=str(model_path(variant)), num_threads=threads)
        self._interpreter.allocate_tensors()
        self._input = self._interpreter.get_input_details()[0]
        outputs = self._interpreter.get_output_details()
        self._boxes = next(o for o in outputs if o["shape"][-1] == 16)["index"]
        self._scores = next(o for o in outputs if o["shape"][-1] == 1)["index"]
        self._anchors = anchors(self.spec)
        if len(self._anchors) != next(o for o in outputs if o["shape"][-1] == 1)["shape"][1]:
            raise DetectorUnavailable(f"unexpected anchor count for {model_path(variant).name}")

    def detect(self, bgr: np.ndarray, *, iou: float = 0.3, tiles: bool = False) -> list[Detection]:
        """Faces in a BGR frame; the letterboxed input exists only inside this call.

        ``tiles``: also look at four overlapping quarter-size tiles (each ~0.6 of the frame's width and
        height), which doubles the model's resolution on small faces (a face ~25-35 px wide in a 640x480
        frame) at ~5x the cost; all candidates go through one weighted non-maximum suppression."""
        boxes, scores, points = self._candidates(bgr, 0, 0)
        if tiles:
            height, width = bgr.shape[:2]
            tw, th = round(width * 0.6), round(height * 0.6)
            for ox in (0, width - tw):
                for oy in (0, height - th):
                    b, s, p = self._candidates(bgr[oy : oy + th, ox : ox + tw], ox, oy)
                    boxes, scores, points = (
                        np.concatenate(v) for v in ((boxes, b), (scores, s), (points, p))
                    )
        if scores.size == 0:
            return []
        return _weighted_nms(boxes, scores, points, iou)

    def _candidates(
        self, bgr: np.ndarray, off_x: int, off_y: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Boxes (N, 4: x, y, w, h), scores (N,) and keypoints (N, 6, 2) above the threshold, in pixels
        of the frame this image was cut from at (off_x, off_y)."""
        height, width = bgr.shape[:2]
        side = max(height, width)
        size = self.spec.size
        scale = size / side
        resized = cv2.resize(bgr, (max(1, round(width * scale)), max(1, round(height * scale))))
        square = np.zeros((size, size, 3), np.float32)
        oy, ox = (size - resized.shape[0]) // 2, (size - resized.shape[1]) // 2
        square[oy : oy + resized.shape[0], ox : ox + resized.shape[1]] = resized[:, :, ::-1]
        square = square / 127.5 - 1.0
        self._interpreter.set_tensor(self._input["index"], square[None])
        self._interpreter.invoke()
        raw = self._interpreter.get_tensor(self._boxes)[0]
        logits = self._interpreter.get_tensor(self._scores)[0, :, 0]
        scores = 1.0 / (1.0 + np.exp(-np.clip(logits.astype(np.float64), -80, 80)))
        keep = np.flatnonzero(scores >= self.threshold)
        if keep.size == 0:
            return np.zeros((0, 4)), np.zeros(0), np.zeros((0, 6, 2))
        raw, scores, centre = raw[keep] / size, scores[keep], self._anchors[keep]
        cx, cy = raw[:, 0] + centre[:, 0], raw[:, 1] + centre[:, 1]
        w, h = raw[:, 2], raw[:, 3]
        points = raw[:, 4:16].reshape(-1, 6, 2) + centre[:, None, :]
        # model input units [0, 1] -> frame pixels (undo the letterbox and the tile offset)
        to_px = size / scale

        def px_x(v: np.ndarray) -> np.ndarray:
            return (v - ox / size) * to_px + off_x

        def px_y(v: np.ndarray) -> np.ndarray:
            return (v - oy / size) * to_px + off_y

        boxes = np.stack([px_x(cx - w / 2), px_y(cy - h / 2), w * to_px, h * to_px], axis=1)
        points = np.stack([px_x(points[..., 0]), px_y(points[..., 1])], axis=-1)
        return boxes, scores, points


def _iou(box: np.ndarray, others: np.ndarray) -> np.ndarray:
    x1 = np.maximum(box[0], others[:, 0])
    y1 = np.maximum(box[1], others[:, 1])
    x2 = np.minimum(box[0] + box[2], others[:, 0] + others[:, 2])
    y2 = np.minimum(box[1] + box[3], others[:, 1] + others[:, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    return inter / (box[2] * box[3] + others[:, 2] * others[:, 3] - inter + 1e-9)


def _weighted_nms(
    boxes: np.ndarray, scores: np.ndarray, points: np.ndarray, threshold: float
) -> list[Detection]:
    order = np.argsort(-scores)
    remaining = order
    found = []
    while remaining.size:
        best = remaining[0]
        overlap = _iou(boxes[best], boxes[remaining])
        group = remaining[overlap > threshold]
        weights = scores[group][:, None]
        box = (boxes[group] * weights).sum(0) / weights.sum()
        kps = (points[group] * weights[:, :, None]).sum(0) / weights.sum()
        found.append(Detection(*(float(v) for v in box), float(scores[best]), kps))
        remaining = remaining[overlap <= threshold]
    return found
