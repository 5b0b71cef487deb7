"""Generated signals with known truth for the activity tests (canonical axes, g, 50 Hz)."""

from __future__ import annotations

import numpy as np


def pedalling_thigh(duration_s: float = 60.0, fs_hz: float = 50.0, rpm: float = 70.0,
                    mean_deg: float = 60.0, amp_deg: float = 20.0, radius_m: float = 0.2,
                    noise_g: float = 0.02, seed: int = 0) -> np.ndarray:
    """Thigh sensor on a pedalling leg: the thigh swings in the sagittal plane about the hip,
    inclination ``mean_deg +/- amp_deg`` from vertical once per crank turn. Gravity projects on
    canonical x (cos) and z (sin); the sensor at ``radius_m`` from the hip also feels tangential and
    centripetal acceleration of the rotation."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(duration_s * fs_hz)) / fs_hz
    w = 2 * np.pi * rpm / 60.0
    phase = rng.uniform(0, 2 * np.pi)
    th = np.radians(mean_deg + amp_deg * np.sin(w * t + phase))
    dth = np.radians(amp_deg) * w * np.cos(w * t + phase)
    ddth = -np.radians(amp_deg) * w * w * np.sin(w * t + phase)
    g = 9.81
    tang = radius_m * ddth / g  # along the direction of increasing angle (in x-z plane)
    cent = radius_m * dth * dth / g  # towards the hip (down the thigh: -x)
    x = np.cos(th) - cent  # centripetal: towards the hip, down the thigh
    z = np.sin(th) + tang  # tangential: perpendicular to the thigh, in the sagittal plane
    y = 0.05 * np.sin(w * t)  # slight lateral knee motion
    a = np.column_stack([x, y, z]) + rng.normal(0, noise_g, (len(t), 3))
    return a.astype(np.float32)


def quiet_trunk(n: int, lean_deg: float = 25.0, seed: int = 1) -> np.ndarray:
    """Back sensor of a cyclist: trunk leaning forward ``lean_deg``, small vibration."""
    rng = np.random.default_rng(seed)
    th = np.radians(lean_deg)
    a = np.tile([np.cos(th), 0.0, np.sin(th)], (n, 1)) + rng.normal(0, 0.03, (n, 3))
    return a.astype(np.float32)


def rotate_to_lying(back_g: np.ndarray, posture: str) -> np.ndarray:
    """Rotate a real upright back signal (canonical) so the trunk lies down.

    supine: gravity (+x upright) moves to -z (z out of the back points down); prone: +z;
    left/right side: +/-y. The sensor's own motion (breathing, fidgeting) is kept.
    """
    x, y, z = back_g[:, 0], back_g[:, 1], back_g[:, 2]
    if posture == "supine":
        out = np.column_stack([z, y, -x])
    elif posture == "prone":
        out = np.column_stack([-z, y, x])
    elif posture == "left":
        out = np.column_stack([y, -x, z])
    elif posture == "right":
        out = np.column_stack([-y, x, z])
    else:
        raise ValueError(posture)
    return out.astype(np.float32)
