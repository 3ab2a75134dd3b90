"""The one thing the sidecar sends: an audience report of numbers and labels (``liveroom.vision.v1``).

Privacy by design: a report holds the room it describes, how many faces were seen, the share of
each expression among them and the share of them looking at the camera (``attention``, when the
detector gives keypoints), averaged over the report interval. No frame, crop, landmark, box, face
id or timestamp leaves the sidecar. The gateway validates every report with ``validate_report``
(the same code the sidecar uses to build it), and rejects anything else, unknown keys included.

Pure standard library: the gateway imports it without OpenCV.
"""

from __future__ import annotations

import math
from typing import Any

SCHEMA = "liveroom.vision.v1"
#: Expression labels in reports (the FER2013 classes, named as bot/core/audience.py reads them).
LABELS = ("angry", "disgusted", "fear", "happy", "sad", "surprised", "neutral")
MAX_FACES = 1000
MAX_NAME = 100
MAX_BODY_BYTES = 2048
_NUMBERS = {"frames": (0, 1_000_000), "fps": (0.0, 1000.0), "window_s": (0.0, 3600.0)}
KEYS = frozenset({"schema", "platform", "room", "faces", "distribution", "attention", *_NUMBERS})


class InvalidReport(ValueError):
    """A report that does not follow the schema; the message names the field and the rule."""


def _name(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_NAME:
        raise InvalidReport(f"{key} must be a non-empty string of at most {MAX_NAME} characters")
    if any(not ch.isprintable() for ch in value):
        raise InvalidReport(f"{key} must not contain control characters")
    return value.strip()


def _number(value: object, key: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidReport(f"{key} must be a finite number")
    if not low <= value <= high:
        raise InvalidReport(f"{key} must be between {low} and {high}, got {value}")
    return float(value)


def validate_report(body: object) -> dict[str, Any]:
    """Return the normalised report or raise InvalidReport with a message fit for an HTTP 400."""
    if not isinstance(body, dict):
        raise InvalidReport("the report must be a JSON object")
    unknown = set(body) - KEYS
    if unknown:
        raise InvalidReport(f"unknown fields (only aggregates are accepted): {', '.join(sorted(unknown))}")
    if body.get("schema") != SCHEMA:
        raise InvalidReport(f"schema must be {SCHEMA!r}")
    faces = body.get("faces")
    if isinstance(faces, bool) or not isinstance(faces, int) or not 0 <= faces <= MAX_FACES:
        raise InvalidReport(f"faces must be an integer between 0 and {MAX_FACES}")
    distribution = body.get("distribution")
    if not isinstance(distribution, dict):
        raise InvalidReport("distribution must be an object of label -> share")
    shares: dict[str, float] = {}
    for label, share in distribution.items():
        if label not in LABELS:
            raise InvalidReport(f"distribution has an unknown label {label!r}; known: {', '.join(LABELS)}")
        shares[label] = _number(share, f"distribution.{label}", 0.0, 1.0)
    total = sum(shares.values())
    if faces and not 0.98 <= total <= 1.02:
        raise InvalidReport(f"distribution shares must sum to 1 when faces are present, got {total:.3f}")
    if not faces and total:
        raise InvalidReport("distribution must be empty when no faces are present")
    report: dict[str, Any] = {
        "schema": SCHEMA,
        "platform": _name(body, "platform"),
        "room": _name(body, "room"),
        "faces": faces,
        "distribution": shares,
    }
    attention = body.get("attention")
    if attention is not None:
        if not faces:
            raise InvalidReport("attention must be absent when no faces are present")
        report["attention"] = _number(attention, "attention", 0.0, 1.0)
    for key, (low, high) in _NUMBERS.items():
        if key in body:
            value = _number(body[key], key, low, high)
            report[key] = int(value) if key == "frames" else value
    return report
