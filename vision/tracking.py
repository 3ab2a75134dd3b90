"""Per-face tracking and temporal smoothing, and the audience aggregate over a report interval.

A single frame's expression is noisy (blinks, motion blur, a head turn), so each face is followed
across frames by box overlap (IoU) and its probabilities are smoothed with an exponential moving
average whose weight depends on the time between frames (``tau_s``), so smoothing means the same at
5 or 30 frames/s. A detection seen only once is not counted until it is seen again (``min_hits``),
which keeps one-frame false detections out of the audience; a face unseen for ``ttl_s`` is dropped.

Each track also smooths whether the face looks at the camera (``vision.attention``; 1 or 0 per frame,
None when the detector gives no keypoints) with the same time constant.

Tracks carry only a box, a probability vector and that attention value: no pixels, no keypoints.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np

from vision.model import MODEL_LABELS, Box


@dataclass
class Track:
    id: int
    box: Box
    probs: np.ndarray
    last_seen: float
    hits: int = 1
    looking: float | None = None
    #: when ``probs`` last took a classification in (a frame may reuse them: ``FrameAnalyzer``)
    last_classified: float = 0.0


@dataclass
class FaceTracker:
    tau_s: float = 1.5
    ttl_s: float = 1.0
    min_iou: float = 0.3
    min_hits: int = 2
    tracks: list[Track] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=itertools.count)
    _last_update: float | None = None

    def update(
        self,
        now: float,
        boxes: list[Box],
        probs: list[np.ndarray | None],
        looking: list[float | None] | None = None,
    ) -> list[Track]:
        """Associate this frame's faces with tracks (greedy by IoU); return the confirmed visible ones.

        A face given None probabilities (not classified this frame) keeps its track's; one that matches
        no track starts none."""
        looks = looking if looking is not None else [None] * len(boxes)
        pairs = sorted(
            ((box.iou(t.box), i, j) for i, box in enumerate(boxes) for j, t in enumerate(self.tracks)),
            reverse=True,
        )
        used_faces: set[int] = set()
        used_tracks: set[int] = set()
        visible: list[Track] = []
        for iou, i, j in pairs:
            if iou < self.min_iou:
                break
            if i in used_faces or j in used_tracks:
                continue
            used_faces.add(i)
            used_tracks.add(j)
            track = self.tracks[j]
            alpha = 1.0 - math.exp(-max(0.0, now - track.last_seen) / self.tau_s)
            new = probs[i]
            if new is not None:
                weight = 1.0 - math.exp(-max(0.0, now - track.last_classified) / self.tau_s)
                track.probs = (1 - weight) * track.probs + weight * new
                track.last_classified = now
            if looks[i] is None or track.looking is None:
                track.looking = looks[i]
            else:
                track.looking = (1 - alpha) * track.looking + alpha * looks[i]
            track.box, track.last_seen = boxes[i], now
            track.hits += 1
            visible.append(track)
        for i, box in enumerate(boxes):
            new = probs[i]
            if i not in used_faces and new is not None:
                track = Track(next(self._ids), box, np.array(new, dtype=np.float64), now, last_classified=now)
                track.looking = looks[i]
                self.tracks.append(track)
                visible.append(track)
        self.tracks = [t for t in self.tracks if now - t.last_seen <= self.ttl_s]
        self._last_update = now
        return [t for t in visible if t.hits >= self.min_hits]


@dataclass
class AudienceWindow:
    """Sums the confirmed faces' smoothed expressions over one report interval."""

    frames: int = 0
    face_frames: int = 0
    sums: np.ndarray = field(default_factory=lambda: np.zeros(len(MODEL_LABELS)))
    looking_frames: int = 0
    looking_sum: float = 0.0

    def add(self, visible: list[Track]) -> None:
        self.frames += 1
        for track in visible:
            self.sums += track.probs
            self.face_frames += 1
            if track.looking is not None:
                self.looking_frames += 1
                self.looking_sum += track.looking

    def faces(self) -> int:
        """Mean number of faces per frame, rounded: how many people are watching."""
        return round(self.face_frames / self.frames) if self.frames else 0

    def distribution(self) -> dict[str, float]:
        """Share of each expression among the faces (sums to 1), empty without faces."""
        if not self.face_frames or not self.faces():
            return {}
        shares = self.sums / self.sums.sum()
        rounded = {label: round(float(v), 4) for label, v in zip(MODEL_LABELS, shares, strict=True)}
        return rounded

    def attention(self) -> float | None:
        """Share of the faces looking at the camera/screen, None without faces or keypoints (Haar)."""
        if not self.looking_frames or not self.faces():
            return None
        return round(min(1.0, max(0.0, self.looking_sum / self.looking_frames)), 4)
