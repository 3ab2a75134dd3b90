"""Head pose from BlazeFace's six keypoints (vision.attention) on synthetic heads with known pose."""

from __future__ import annotations

import numpy as np
import pytest

from vision.attention import AttentionRule, head_pose

# a mean head (cm; x to the person's left as seen in the image, y down, z towards the camera):
# right eye, left eye, nose tip, mouth centre, right ear tragion, left ear tragion
HEAD = np.array(
    [[-3.2, 0, 0], [3.2, 0, 0], [0, 3.1, 2.6], [0, 6.8, 0.8], [-7.3, 1.5, -8.5], [7.3, 1.5, -8.5]]
)


def keypoints(yaw: float, pitch: float, roll: float = 0.0, scale: float = 10.0) -> np.ndarray:
    y, p, r = np.radians([yaw, pitch, roll])
    ry = np.array([[np.cos(y), 0, np.sin(y)], [0, 1, 0], [-np.sin(y), 0, np.cos(y)]])
    rx = np.array([[1, 0, 0], [0, np.cos(p), np.sin(p)], [0, -np.sin(p), np.cos(p)]])  # + = head down
    rz = np.array([[np.cos(r), -np.sin(r), 0], [np.sin(r), np.cos(r), 0], [0, 0, 1]])
    return (HEAD @ (rz @ rx @ ry).T)[:, :2] * scale + 300


@pytest.mark.parametrize("yaw", [-45, -20, 0, 20, 45])
def test_yaw_is_recovered_within_ten_degrees(yaw: float) -> None:
    est, _ = head_pose(keypoints(yaw, 0))
    assert abs(abs(est) - abs(yaw)) <= 10, est
    assert np.sign(est) == np.sign(yaw) or yaw == 0


@pytest.mark.parametrize("pitch", [-30, -15, 15, 30])
def test_pitch_moves_with_the_head(pitch: float) -> None:
    level = head_pose(keypoints(0, 0))[1]
    est = head_pose(keypoints(0, pitch))[1]
    assert np.sign(est - level) == np.sign(pitch) and abs(est - level) >= abs(pitch) / 2


def test_looking_at_the_camera_or_away() -> None:
    rule = AttentionRule()
    assert rule.looking(keypoints(0, 0)) == 1.0
    assert rule.looking(keypoints(10, 0, roll=25)) == 1.0, "a tilted (rolled) head still looks"
    assert rule.looking(keypoints(55, 0)) == 0.0
    assert rule.looking(keypoints(-55, 0)) == 0.0
    assert rule.looking(keypoints(0, 50)) == 0.0, "looking down at a phone"
    assert rule.looking(None) is None, "no keypoints (Haar): unknown, not 'away'"
