"""Attention: is a face turned towards the camera/screen? Head yaw and pitch from BlazeFace's keypoints.

A rough geometric estimate, no extra model (the keypoints come with every detection):

* yaw: the nose tip moves sideways from the eyes' midpoint as the head turns. With the eyes ~6.4 cm
  apart and the nose tip ~3 cm in front of them, (nose - eye midpoint) / eye distance ~= 0.47 tan(yaw);
  the same from the ears (tragions ~15 cm apart, nose ~9 cm in front): ~0.6 tan(yaw). Both are averaged.
* pitch: the nose tip's height below the ears' midpoint over the eye distance (corrected for yaw):
  the nose is ~11 cm in front of the tragions, so it moves ~1.7 eye distances per radian against them
  (the nose alone against the eyes moves 4x less, and faces differ more than that). For a level head
  it is ``PITCH_NEUTRAL`` (0.155: the median over CK+48's frontal faces, upscaled into frames; 80 % of
  them within +-7 degrees of it); ``q = PITCH_NEUTRAL cos(pitch) + NOSE_EARS sin(pitch)`` is inverted.
  The mouth is not used: an open mouth (surprise, laughing, talking) would read as a raised head.

A face counts as *looking* when |yaw| <= ``max_yaw`` and |pitch - pitch_offset| <= ``max_pitch``
(degrees); ``pitch_offset`` is for a camera mounted above or below the screen the room looks at.
Only the yes/no per face leaves this module; the room's share of looking faces is what the sidecar
reports (``attention``). Faces turned further than ~60-70 degrees are not detected at all, so the share
is among the faces found.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

RIGHT_EYE, LEFT_EYE, NOSE, _MOUTH, RIGHT_EAR, LEFT_EAR = range(6)
PITCH_NEUTRAL = 0.155
#: nose tip in front of the ear tragions over the eye distance (~11 cm / 6.4 cm)
NOSE_EARS = 1.73


def head_pose(keypoints: np.ndarray) -> tuple[float, float]:
    """(yaw, pitch) in degrees from the six BlazeFace keypoints (frame pixels); 0, 0 faces the camera."""
    k = np.asarray(keypoints, dtype=np.float64)
    eyes = (k[RIGHT_EYE] + k[LEFT_EYE]) / 2
    eye_dist = float(np.linalg.norm(k[LEFT_EYE] - k[RIGHT_EYE])) or 1e-6
    # rotate into the face's own frame (undo head roll) so a tilted head is not read as a turned one
    axis = (k[LEFT_EYE] - k[RIGHT_EYE]) / eye_dist
    normal = np.array([-axis[1], axis[0]])

    def along(point: np.ndarray) -> float:
        return float((point - eyes) @ axis)

    def down(point: np.ndarray) -> float:
        return float((point - eyes) @ normal)

    yaw_eyes = math.degrees(math.atan(along(k[NOSE]) / eye_dist / 0.47))
    ear_span = along(k[LEFT_EAR]) - along(k[RIGHT_EAR])
    if ear_span > 0.5 * eye_dist:
        ear_mid = (along(k[LEFT_EAR]) + along(k[RIGHT_EAR])) / 2
        yaw_ears = math.degrees(math.atan((along(k[NOSE]) - ear_mid) / ear_span / 0.6))
        yaw = (yaw_eyes + yaw_ears) / 2
    else:
        yaw = yaw_eyes
    true_eye_dist = eye_dist / max(0.3, math.cos(math.radians(yaw)))
    ears = (k[RIGHT_EAR] + k[LEFT_EAR]) / 2
    ratio = (down(k[NOSE]) - down(ears)) / true_eye_dist
    radius = math.hypot(PITCH_NEUTRAL, NOSE_EARS)
    angle = math.atan2(PITCH_NEUTRAL, NOSE_EARS)
    pitch = math.degrees(math.asin(max(-1.0, min(1.0, ratio / radius))) - angle)
    return yaw, pitch


@dataclass(frozen=True)
class AttentionRule:
    max_yaw: float = 30.0
    max_pitch: float = 25.0
    pitch_offset: float = 0.0

    def looking(self, keypoints: np.ndarray | None) -> float | None:
        """1.0 looking, 0.0 looking away, None when the detector gave no keypoints (Haar)."""
        if keypoints is None:
            return None
        yaw, pitch = head_pose(keypoints)
        return float(abs(yaw) <= self.max_yaw and abs(pitch - self.pitch_offset) <= self.max_pitch)
