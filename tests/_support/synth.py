"""Generated signals with known truth (canonical axes, g, 50 Hz unless given): pedalling and
lying for the activity tests, thigh gait of known stride frequency for the walking tests."""

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


def thigh_gait(stride_hz: float, n_strides: int, fs: float = 50.0, seed: int = 0,
               noise_g: float = 0.02, amp_deg: float = 25.0) -> np.ndarray:
    """(n, 3) thigh signal for ``n_strides`` whole gait cycles at ``stride_hz`` (Hz), ``fs`` Hz.

    The thigh angle from vertical follows a fundamental at the stride frequency plus a second
    harmonic (the other leg's step) and heel-strike impacts, with sensor noise.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(int(round(n_strides / stride_hz * fs))) / fs
    ph = 2 * np.pi * stride_hz * t
    theta = np.radians(5 + amp_deg * np.sin(ph) + 0.3 * amp_deg * np.sin(2 * ph + 0.8))
    impact = 0.6 * np.exp(-(((ph % (2 * np.pi)) - 4.4) ** 2) / 0.02)
    x = np.cos(theta) + impact
    z = np.sin(theta) + 0.3 * np.sin(2 * ph + 1.3) * 0.2
    y = 0.05 * np.sin(ph + 0.4)
    g = np.stack([x, y, z], axis=1) + rng.normal(0, noise_g, (t.size, 3))
    return g.astype(np.float32)
