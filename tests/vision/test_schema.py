"""The report schema the sidecar builds and the gateway enforces: aggregates only, clear errors."""

from __future__ import annotations

import pytest

from vision.schema import SCHEMA, InvalidReport, validate_report


def report(**changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "schema": SCHEMA,
        "platform": "simulator",
        "room": "demo",
        "faces": 2,
        "distribution": {"happy": 0.75, "neutral": 0.25},
        "frames": 50,
        "fps": 10.0,
        "window_s": 5.0,
    }
    body.update(changes)
    return body


def test_a_valid_report_is_normalised() -> None:
    out = validate_report(report(room=" demo "))
    assert out["room"] == "demo" and out["frames"] == 50 and isinstance(out["frames"], int)
    assert out["distribution"] == {"happy": 0.75, "neutral": 0.25}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"image": "aGVsbG8="}, "unknown fields (only aggregates are accepted): image"),
        ({"boxes": [[1, 2, 3, 4]]}, "unknown fields"),
        ({"schema": "v0"}, "schema must be"),
        ({"faces": True}, "faces must be an integer"),
        ({"faces": -1}, "faces must be an integer"),
        ({"faces": 2.5}, "faces must be an integer"),
        ({"distribution": {"happy": 0.5, "smug": 0.5}}, "unknown label 'smug'"),
        ({"distribution": {"happy": 0.5}}, "must sum to 1"),
        ({"distribution": {"happy": float("nan"), "sad": 1.0}}, "distribution.happy must be a finite number"),
        ({"distribution": {"happy": 1.5}}, "distribution.happy must be between"),
        ({"faces": 0}, "must be empty when no faces"),
        ({"distribution": [0.5, 0.5]}, "distribution must be an object"),
        ({"room": ""}, "room must be a non-empty string"),
        ({"room": "x" * 101}, "room must be a non-empty string"),
        ({"platform": "sim\nulator"}, "platform must not contain control characters"),
        ({"fps": "fast"}, "fps must be a finite number"),
        ({"frames": -3}, "frames must be between"),
    ],
)
def test_bad_reports_name_the_field(changes: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidReport) as err:
        validate_report(report(**changes))
    assert message in str(err.value)


def test_not_an_object() -> None:
    with pytest.raises(InvalidReport, match="JSON object"):
        validate_report([1, 2])


def test_attention_is_an_optional_share_of_the_faces() -> None:
    assert validate_report(report(attention=0.5))["attention"] == 0.5
    assert "attention" not in validate_report(report())
    assert "attention" not in validate_report(report(attention=None))
    for bad, message in ((1.2, "between"), ("0.5", "finite number"), (True, "finite number")):
        with pytest.raises(InvalidReport, match=message):
            validate_report(report(attention=bad))
    with pytest.raises(InvalidReport, match="attention must be absent"):
        validate_report(report(faces=0, distribution={}, attention=0.5))
