"""Frames from a webcam index, a video file or an HTTP(S) MJPEG / RTSP URL, surviving every failure.

A camera unplugs, a stream server restarts, a file is missing or corrupt: none of it may crash the
sidecar. ``FrameSource.read`` returns a frame or ``None``; on failure it logs one clear line (what,
which source, why, when the next attempt is) and reopens after a capped exponential backoff with
jitter (so many sidecars do not hammer a stream server in step). A video file loops at its end (a
demo or a test runs for as long as the stack). Corrupt frames (decode errors, wrong shape) are
skipped and counted; too many in a row reopen the source.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

log = logging.getLogger(__name__)

URL_SCHEMES = ("http://", "https://", "rtsp://", "rtsps://")


@dataclass(frozen=True)
class Backoff:
    base_s: float = 0.5
    max_s: float = 30.0
    jitter: float = 0.3  # the delay is scaled by a random factor in [1 - jitter, 1]

    def delay(self, attempt: int, rng: random.Random) -> float:
        raw = min(self.max_s, self.base_s * 2 ** max(0, attempt - 1))
        return raw * (1.0 - self.jitter * rng.random())


def describe(source: str) -> str:
    """The source for log lines: a URL without credentials (user:password@ is dropped)."""
    if source.startswith(URL_SCHEMES) and "@" in source.split("/", 3)[2]:
        scheme, rest = source.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return source


@dataclass
class FrameSource:
    source: str
    backoff: Backoff = field(default_factory=Backoff)
    open_timeout_s: float = 5.0
    max_bad_reads: int = 5
    stop: threading.Event = field(default_factory=threading.Event)
    rng: random.Random = field(default_factory=random.Random)
    #: counters for logs and tests: opens, failed opens, corrupt frames, loops of a file
    stats: dict[str, int] = field(
        default_factory=lambda: {"opened": 0, "open_failed": 0, "corrupt": 0, "read_failed": 0, "looped": 0}
    )
    _cap: cv2.VideoCapture | None = None
    _failures: int = 0
    _bad_reads: int = 0
    _good_since_open: int = 0

    @property
    def is_file(self) -> bool:
        return not self.source.isdigit() and not self.source.startswith(URL_SCHEMES)

    def _open(self) -> cv2.VideoCapture:
        if self.source.isdigit():
            cap = cv2.VideoCapture(int(self.source))
        elif self.source.startswith(URL_SCHEMES):
            ms = int(self.open_timeout_s * 1000)
            params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, ms, cv2.CAP_PROP_READ_TIMEOUT_MSEC, ms]
            cap = cv2.VideoCapture(self.source, cv2.CAP_FFMPEG, params)
        else:
            if not Path(self.source).is_file():
                raise OSError("no such file")
            cap = cv2.VideoCapture(self.source)
        if not cap.isOpened():
            cap.release()
            raise OSError("OpenCV could not open it (unreachable, not a video, or an unsupported codec)")
        return cap

    def _retry_later(self, what: str, reason: str) -> None:
        """Log the failure and wait out the backoff (interruptible by ``stop``)."""
        self.close()
        self._failures += 1
        delay = self.backoff.delay(self._failures, self.rng)
        log.warning(
            "vision source %s: %s (%s); retrying in %.1fs (attempt %d)",
            describe(self.source),
            what,
            reason,
            delay,
            self._failures,
        )
        self.stop.wait(delay)

    def read(self) -> np.ndarray | None:
        """The next BGR frame, or None after a failure (already logged and backed off)."""
        if self._cap is None:
            try:
                self._cap = self._open()
            except (OSError, cv2.error) as err:
                self.stats["open_failed"] += 1
                self._retry_later("cannot open", str(err))
                return None
            self.stats["opened"] += 1
            self._good_since_open = 0
            # a looping file reopens every few seconds: say so only when it is news
            log.log(
                logging.DEBUG if self.stats["looped"] and not self._failures else logging.INFO,
                "vision source %s opened",
                describe(self.source),
            )
        try:
            ok, frame = self._cap.read()
        except cv2.error as err:
            ok, frame = False, None
            log.debug("decode error: %s", err)
        if not ok or frame is None:
            if self.is_file and self._at_end():
                if not self._good_since_open:
                    self._retry_later("has no decodable frames", "corrupt or empty video")
                    return None
                self.stats["looped"] += 1
                self.close()
                return None
            self.stats["read_failed"] += 1
            self._bad_reads += 1
            if self._bad_reads >= self.max_bad_reads:
                self._retry_later("stopped delivering frames", f"{self._bad_reads} failed reads in a row")
                self._bad_reads = 0
            return None
        if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8 or min(frame.shape[:2]) < 16:
            self.stats["corrupt"] += 1
            self._bad_reads += 1
            if self.stats["corrupt"] % 100 == 1:
                log.warning(
                    "vision source %s: corrupt frame skipped (shape %s, %s); %d so far",
                    describe(self.source),
                    frame.shape,
                    frame.dtype,
                    self.stats["corrupt"],
                )
            return None
        self._bad_reads = 0
        self._failures = 0
        self._good_since_open += 1
        return frame

    def _at_end(self) -> bool:
        assert self._cap is not None
        total = self._cap.get(cv2.CAP_PROP_FRAME_COUNT)
        position = self._cap.get(cv2.CAP_PROP_POS_FRAMES)
        return total > 0 and position >= total - 1

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


def sleep_until(deadline: float, stop: threading.Event) -> None:
    remaining = deadline - time.monotonic()
    if remaining > 0:
        stop.wait(remaining)
