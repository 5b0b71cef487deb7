"""Physics rules applied on top of the learned model.

Trunk rule (thigh-only model + back sensor)
    With the thigh horizontal (``sedentary``), the trunk decides: trunk inclination (angle of the
    back sensor's canonical x, the spine's long axis, from upright vertical, window mean) at or above
    ``trunk_lying_deg`` (default 65 degrees, as in Acti4) is ``lying``, below it ``sitting``. Windows
    where the back sensor is not worn stay ``sedentary``.

Horizontal-thigh rule (thigh-only model)
    A window whose thigh is horizontal (mean inclination at least 45 degrees from vertical,
    Acti4's sit/stand boundary) and still (sd of each thigh axis < 0.1 g) is ``sedentary``,
    whatever the model said: nobody stands, walks or runs with a horizontal, motionless thigh.
    The shipped model never saw side or front lying (SELFBACK's lying is on the back only) and
    calls a quiet side-lying thigh ``standing``; on the 26 SELFBACK people and the HARTH samples
    the condition holds in sitting and lying windows only (docs/VALIDATION.md). Cycling windows
    (decided by their own rule) are left alone.

Cycling rule (no labelled cycling data here; NOT validated on labelled data)
    Acti4-style, from thigh motion: a window is ``cycling`` when the thigh is bent forward on average
    (mean inclination 40-90 degrees from vertical: seated pedalling keeps the thigh between about
    30 and 90 degrees), moves in the sagittal plane (sd of x and z combined,
    sqrt(sd_x^2 + sd_z^2) >= 0.1 g: the swinging thigh turns gravity between x and z),
    rhythmically at a pedalling rate (dominant frequency of the thigh x
    acceleration 0.6-2.2 Hz, i.e. 36-132 rpm, holding >= 25 % of the 0.3-12 Hz power near the
    peak) and without impacts (sd of |a| < 0.8 g: pedalling moves the thigh smoothly, unlike
    running); with a back sensor the trunk must also be quiet
    (sd of back |a| < 0.25 g) and not horizontal. Cycling is sustained, so a window counts only
    when a neighbouring window of the same run also passes (a 10-s minimum bout): this removes
    isolated leg movements while seated. The rule overrides every class except ``running``.
"""

from __future__ import annotations

import numpy as np

#: Thresholds of the cycling rule (see module docstring).
CYCLING = {
    "thigh_incl_min_deg": 40.0,
    "thigh_incl_max_deg": 90.0,
    "sagittal_sd_min_g": 0.1,
    "fdom_min_hz": 0.6,
    "fdom_max_hz": 2.2,
    "pdom_min_frac": 0.25,
    "vm_std_max_g": 0.8,
    "back_vm_std_max_g": 0.25,
    "back_incl_max_deg": 65.0,
}

#: Thresholds of the horizontal-thigh rule (see module docstring).
HORIZONTAL = {"thigh_incl_min_deg": 45.0, "axis_sd_max_g": 0.1}

#: Features the rules read.
RULE_FEATURES = ("thigh_incl_deg", "thigh_std_x_g", "thigh_std_z_g", "thigh_x_fdom_hz",
                 "thigh_x_pdom_frac", "thigh_vm_std_g", "thigh_std_y_g")


def horizontal_still_mask(f: dict[str, np.ndarray]) -> np.ndarray:
    """Windows whose thigh is horizontal and still (the horizontal-thigh rule; ``f`` maps the
    :data:`RULE_FEATURES` names to per-window arrays)."""
    h = HORIZONTAL
    still = np.maximum(np.maximum(f["thigh_std_x_g"], f["thigh_std_y_g"]), f["thigh_std_z_g"])
    return (f["thigh_incl_deg"] >= h["thigh_incl_min_deg"]) & (still < h["axis_sd_max_g"])


def apply_horizontal(activity: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Set ``sedentary`` where ``mask``, except on ``sedentary`` and ``cycling`` windows."""
    out = np.asarray(activity, dtype=object).copy()
    out[mask & (out != "cycling")] = "sedentary"
    return out


def trunk_split(activity: np.ndarray, trunk_incl_deg: np.ndarray, back_worn: np.ndarray,
                lying_deg: float = 65.0) -> np.ndarray:
    """Split ``sedentary`` windows into ``lying`` / ``sitting`` by trunk inclination (degrees)."""
    out = np.asarray(activity, dtype=object).copy()
    sed = (out == "sedentary") & back_worn & np.isfinite(trunk_incl_deg)
    out[sed & (trunk_incl_deg >= lying_deg)] = "lying"
    out[sed & (trunk_incl_deg < lying_deg)] = "sitting"
    return out


def cycling_mask(f: dict[str, np.ndarray], back_vm_std_g: np.ndarray | None = None,
                 back_incl_deg: np.ndarray | None = None) -> np.ndarray:
    """Boolean mask of windows that the cycling rule calls cycling.

    ``f`` maps the :data:`RULE_FEATURES` names to per-window arrays; back arrays are optional
    (NaN where the back sensor is not worn: the back conditions are then skipped).
    """
    c = CYCLING
    incl = f["thigh_incl_deg"]
    m = (incl >= c["thigh_incl_min_deg"]) & (incl <= c["thigh_incl_max_deg"])
    sag = np.sqrt(f["thigh_std_x_g"] ** 2 + f["thigh_std_z_g"] ** 2)
    m &= sag >= c["sagittal_sd_min_g"]
    m &= (f["thigh_x_fdom_hz"] >= c["fdom_min_hz"]) & (f["thigh_x_fdom_hz"] <= c["fdom_max_hz"])
    m &= f["thigh_x_pdom_frac"] >= c["pdom_min_frac"]
    m &= f["thigh_vm_std_g"] < c["vm_std_max_g"]
    if back_vm_std_g is not None:
        quiet = ~(back_vm_std_g >= c["back_vm_std_max_g"])  # NaN (not worn) passes
        upright = ~(back_incl_deg >= c["back_incl_max_deg"])
        m &= quiet & upright
    return m


def persistent(mask: np.ndarray, breaks: np.ndarray | None = None) -> np.ndarray:
    """``mask`` kept only where the previous or next window of the same run is also True.

    ``breaks[i]`` True when window ``i`` starts a new run (not adjacent in time to ``i - 1``).
    """
    m = np.asarray(mask, dtype=bool)
    b = np.zeros(len(m), dtype=bool) if breaks is None else np.asarray(breaks, dtype=bool)
    prev = np.zeros_like(m)
    prev[1:] = m[:-1] & ~b[1:]
    nxt = np.zeros_like(m)
    nxt[:-1] = m[1:] & ~b[1:]
    return m & (prev | nxt)


def apply_cycling(activity: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Set ``cycling`` where ``mask`` and the model did not say ``running``."""
    out = np.asarray(activity, dtype=object).copy()
    out[mask & (out != "running")] = "cycling"
    return out
