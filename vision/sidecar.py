"""The sidecar loop: frames -> faces -> smoothed expressions -> one aggregate report every N seconds.

Runs as its own process (``python -m vision``), so a slow or crashing camera never touches the
gateway. Frames and face crops stay in this process's memory and are dropped after each frame is
analysed: nothing is written to disk, and the only bytes that leave are the JSON reports of
``vision.schema`` (numbers and labels) POSTed to the gateway with a bearer token. A gateway that is
down costs one log line per report; the loop goes on.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import cv2
import numpy as np

from connectors.settings import load, setting
from vision.attention import AttentionRule
from vision.model import BlazeFaceDetector, Box, ExpressionClassifier, Face, FaceDetector, default_detector
from vision.schema import SCHEMA, validate_report
from vision.source import Backoff, FrameSource, describe, sleep_until
from vision.tracking import AudienceWindow, FaceTracker, Track

log = logging.getLogger(__name__)

REPORT_PATH = "/api/vision/audience"
#: classify a tracked face on one frame in this many: at the 15 frames/s cap each face is still read
#: 7.5 times a second (the smoothing's time constant is 1.5 s) at half the classification's CPU
CLASSIFY_EVERY = 2


@dataclass(frozen=True)
class SidecarConfig:
    source: str
    #: LIVEROOM_VISION_GATEWAY, else the local gateway on LIVEROOM_GATEWAY_PORT
    gateway_url: str = setting(None, default="http://127.0.0.1:8080")
    interval_s: float = 5.0
    platform: str = setting(None, default="simulator")  # both from LIVEROOM_VISION_ROOM=platform:room
    room: str = setting(None, default="demo")
    token: str = field(default="", repr=False)
    max_fps: float = 15.0
    #: also search four overlapping tiles for small faces (a room far from the camera): ~4x the
    #: detection cost (LIVEROOM_VISION_TILES=1; measured in bench/bench_vision.py)
    tiles: bool = False
    backoff_max_s: float = 30.0

    def __post_init__(self) -> None:
        if not self.source:
            raise ValueError("a source is required: a webcam index (0), a video file or an http(s)/rtsp URL")
        if not self.gateway_url.startswith(("http://", "https://")):
            raise ValueError(f"--gateway must be an http(s) URL, got {self.gateway_url!r}")
        if not 0.2 <= self.interval_s <= 3600:
            raise ValueError("--interval must be between 0.2 and 3600 seconds")
        if not 0.5 <= self.max_fps <= 120:
            raise ValueError("--max-fps must be between 0.5 and 120")
        if self.backoff_max_s < 0.1:
            raise ValueError("LIVEROOM_VISION_BACKOFF_MAX_S must be >= 0.1")
        if not self.platform or not self.room:
            raise ValueError("--room must look like platform:room, e.g. simulator:demo")

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ, **overrides: object) -> SidecarConfig:
        """Settings from LIVEROOM_VISION_* (the token only ever from the environment, never argv)."""
        given = {k: v for k, v in overrides.items() if v is not None}
        room = str(given.pop("room", None) or env.get("LIVEROOM_VISION_ROOM", "simulator:demo"))
        platform, _, name = room.partition(":")
        gateway_url = str(
            given.pop("gateway_url", None)
            or env.get("LIVEROOM_VISION_GATEWAY")
            or f"http://127.0.0.1:{env.get('LIVEROOM_GATEWAY_PORT', '8080')}"
        )
        return load(
            cls,
            env,
            "LIVEROOM_VISION_",
            platform=platform,
            room=name,
            gateway_url=gateway_url.rstrip("/"),
            **given,
        )


class FrameAnalyzer:
    """One frame in, the confirmed faces' smoothed expressions out (the frame is not kept)."""

    def __init__(
        self,
        detector: BlazeFaceDetector | FaceDetector | None = None,
        classifier: ExpressionClassifier | None = None,
        attention: AttentionRule | None = None,
        *,
        classify_every: int = CLASSIFY_EVERY,
    ):
        """``classify_every``: a tracked face's expression is classified on at most one frame in that
        many (the others keep its smoothed probabilities); a new face is classified at once."""
        self.detector = detector or default_detector()
        self.classifier = classifier or ExpressionClassifier()
        self.attention = attention or AttentionRule()
        self.tracker = FaceTracker()
        self.classify_every = max(1, classify_every)
        self._frame = 0
        self._classified: dict[int, int] = {}  # track id -> frame it was last classified on

    def analyse(self, frame: np.ndarray, now: float) -> list:
        grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        faces = self.detector.faces(frame, grey)
        crop = {"scale": self.detector.crop_scale, "shift": self.detector.crop_shift}
        if self.classifier.legacy:
            crop = {}
        self._frame += 1
        kept: list[Face] = []
        probs: list[np.ndarray | None] = []
        for face in faces:  # one call per face so a face whose crop falls outside is dropped with its box
            track = self._recently_classified(face.box)
            if track is not None:
                kept.append(face)
                probs.append(None)
                continue
            got = self.classifier.classify(grey, [face.box], **crop)
            if got:
                kept.append(face)
                probs.append(got[0])
        looking = [self.attention.looking(face.keypoints) for face in kept]
        visible = self.tracker.update(now, [face.box for face in kept], probs, looking)
        live = {t.id for t in self.tracker.tracks}
        self._classified = {i: f for i, f in self._classified.items() if i in live}
        for track in self.tracker.tracks:
            if track.last_classified == now:
                self._classified[track.id] = self._frame
        return visible

    def _recently_classified(self, box: Box) -> Track | None:
        """The track this box continues when it was classified fewer than ``classify_every`` frames ago."""
        if self.classify_every == 1:
            return None
        best = max(self.tracker.tracks, key=lambda t: box.iou(t.box), default=None)
        if best is None or box.iou(best.box) < self.tracker.min_iou:
            return None
        last = self._classified.get(best.id)
        return best if last is not None and self._frame - last < self.classify_every else None


def build_report(config: SidecarConfig, window: AudienceWindow, elapsed_s: float) -> dict[str, object]:
    report = {
        "schema": SCHEMA,
        "platform": config.platform,
        "room": config.room,
        "faces": window.faces(),
        "distribution": window.distribution(),
        "frames": window.frames,
        "fps": round(window.frames / elapsed_s, 2) if elapsed_s > 0 else 0.0,
        "window_s": round(elapsed_s, 2),
    }
    attention = window.attention()
    if attention is not None:
        report["attention"] = attention
    return validate_report(report)  # never send anything the gateway (and the README) do not promise


class ReportPoster:
    """POST reports as JSON with the bearer token; failures are logged, never raised."""

    def __init__(self, config: SidecarConfig, timeout_s: float = 5.0) -> None:
        self.url = config.gateway_url + REPORT_PATH
        self._token = config.token
        self.timeout_s = timeout_s
        self.sent = 0
        self.failed = 0

    def post(self, report: Mapping[str, object]) -> bool:
        body = json.dumps(report, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as resp:
                resp.read()
            self.sent += 1
            return True
        except urllib.error.HTTPError as err:
            detail = err.read(300).decode("utf-8", "replace")
            log.warning("gateway refused the vision report: HTTP %s %s", err.code, detail)
        except (urllib.error.URLError, OSError, TimeoutError) as err:
            log.warning("gateway %s unreachable for the vision report: %s", self.url, err)
        self.failed += 1
        return False


class Sidecar:
    def __init__(
        self,
        config: SidecarConfig,
        *,
        analyzer: FrameAnalyzer | None = None,
        poster: Callable[[Mapping[str, object]], bool] | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.config = config
        self.stop = stop or threading.Event()
        self.source = FrameSource(config.source, backoff=Backoff(max_s=config.backoff_max_s), stop=self.stop)
        self.analyzer = analyzer or FrameAnalyzer(default_detector(tiles=config.tiles))
        self.poster = poster or ReportPoster(config).post
        self.reports = 0

    def run(self, max_reports: int | None = None) -> None:
        """Until ``stop`` is set (SIGTERM) or ``max_reports`` were posted (tests, benchmarks)."""
        log.info(
            "vision sidecar reading %s, reporting %s:%s every %.1fs",
            describe(self.config.source),
            self.config.platform,
            self.config.room,
            self.config.interval_s,
        )
        frame_period = 1.0 / self.config.max_fps
        window, window_started = AudienceWindow(), time.monotonic()
        while not self.stop.is_set():
            started = time.monotonic()
            frame = self.source.read()
            if frame is not None:
                visible = self.analyzer.analyse(frame, started)
                del frame  # the frame never outlives its analysis
                window.add(visible)
            now = time.monotonic()
            if now - window_started >= self.config.interval_s:
                if window.frames:
                    self.poster(build_report(self.config, window, now - window_started))
                    self.reports += 1
                    if max_reports is not None and self.reports >= max_reports:
                        break
                else:
                    log.info("vision: no frames in the last %.0fs, nothing reported", now - window_started)
                window, window_started = AudienceWindow(), now
            sleep_until(started + frame_period, self.stop)
        self.source.close()
