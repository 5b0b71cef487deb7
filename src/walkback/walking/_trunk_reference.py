"""The trunk's upright reference and forward direction, found from the data (docs/trunk.md).

Inputs are 0.2-s block orientations of the lower-back sensor (unit vectors of the block-mean
acceleration, canonical back axes of :mod:`walkback.signal.types`: x up the spine, z out of the
body, i.e. posterior) and, per block, the activity and study class of the epoch that owns it.

* **Walking orientation**: the component-wise median of the unit vectors of the blocks in
  ``walking`` epochs (stairs excluded) with the back sensor worn, renormalised (ActiPASS and Acti4
  take the median trunk angles during walking). Needs ``min_walking_s`` of walking.
* **Forward direction** (the direction, perpendicular to the walking orientation, in which the
  gravity reading moves when the trunk bends forward), in order of preference:

  1. *transitions*: at sit-to-upright and upright-to-sit transitions of the thigh classification
     the trunk flexes forward (to move the body's centre of mass over the feet). At each, the tilt
     furthest from the straight path between the posture before and the posture after is found;
     its offset from that path is the excursion. Their mean unit direction, if at least
     ``min_transitions`` agree (mean resultant length >= ``min_transition_consistency`` and
     Rayleigh test p <= ``max_transition_p``, so a random scatter is not read as a direction), gives
     the forward side. When the signal stage knows the skin-normal axis, the direction is the
     skin normal (projected perpendicular to the walking orientation) with the transitions' sign,
     provided the two are within 45 degrees; otherwise the transitions' mean direction itself.
  2. *lying*: the signal stage's skin-normal sign when it came from horizontal postures (supine
     lying, back z down, is the most common lying posture), so bending forward moves the reading
     towards +z.

  Neither: no forward direction, and no trunk columns (never a guess).
* **Upright reference**: the walking orientation tilted back by ``walking_lean_deg`` in the
  sagittal plane (people walk leaning a little forward; Acti4 / ActiPASS use 6 degrees).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from walkback.walking._trunk_kernel import running_median
from walkback.walking.settings import TrunkSettings

#: Study classes counted as upright (standing incl. shuffling; walking incl. stairs).
UPRIGHT_CLASSES: tuple[str, ...] = ("standing", "walking")
#: Skin-normal evidence of the signal stage that fixes the axis (not necessarily its sign).
_SKIN_AXIS_KNOWN = ("horizontal_postures", "posture_hint", "gait_variance")
#: ... and that fixes the sign too (from lying or from a caller's posture hint).
_SKIN_SIGN_KNOWN = ("horizontal_postures", "posture_hint")
#: seconds of steady posture used on each side of a transition window
_STEADY_S = 3.0


@dataclass(frozen=True)
class TrunkReference:
    """What the data gave for the trunk's reference (all vectors: canonical back axes, unit).

    ``found``: True when both the upright reference and the forward direction were found;
    otherwise ``reason`` says why and the trunk columns are empty.
    ``upright``: the reference orientation (reading of a still, upright trunk).
    ``forward``: unit vector perpendicular to ``upright`` towards which the reading moves when
    the trunk bends forward. ``walking_orientation``: median orientation while walking.
    ``walking_s``: seconds of walking used; ``walking_spread_deg``: median angle of the walking
    blocks from their median (gait sway + sensor movement; a quality measure);
    ``long_axis_deg``: angle of the walking orientation from canonical +x;
    ``daily_offset_deg``: per calendar day with >= 60 s of walking, the angle of that day's
    walking orientation from the recording's (a re-attached sensor shows here; None = too little
    walking that day). ``forward_evidence``: ``"transitions"``, ``"lying"`` or
    ``"undetermined"``; ``transitions_found`` candidate sit/upright transitions,
    ``transitions_used`` with an excursion >= ``min_excursion_deg``,
    ``transition_consistency`` their mean resultant length (0-1), ``transition_p_value`` the
    Rayleigh test's p that their directions are random,
    ``transition_excursion_deg`` their median excursion, ``transition_skin_axis_deg`` the angle
    between their mean direction and the skin-normal axis; ``lying_agrees``: whether the
    lying-based sign agrees with the transitions (None when either is missing).
    """

    found: bool
    reason: str = ""
    upright: tuple[float, float, float] | None = None
    forward: tuple[float, float, float] | None = None
    walking_orientation: tuple[float, float, float] | None = None
    walking_s: float = 0.0
    walking_spread_deg: float = float("nan")
    long_axis_deg: float = float("nan")
    daily_offset_deg: list[float | None] = field(default_factory=list)
    forward_evidence: str = "undetermined"
    transitions_found: int = 0
    transitions_used: int = 0
    transition_consistency: float = float("nan")
    transition_p_value: float = float("nan")
    transition_excursion_deg: float = float("nan")
    transition_skin_axis_deg: float = float("nan")
    lying_agrees: bool | None = None
    walking_lean_deg: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k, v in d.items():
            if isinstance(v, float):
                d[k] = round(v, 3) if np.isfinite(v) else None
            elif isinstance(v, tuple):
                d[k] = [round(float(x), 5) for x in v]
        d["daily_offset_deg"] = [None if x is None else round(x, 2) for x in self.daily_offset_deg]
        return d


def rayleigh_p(n: int, r: float) -> float:
    """p-value of the Rayleigh test that ``n`` unit directions with mean resultant length ``r``
    are uniformly spread (Zar, Biostatistical Analysis, eq. 27.4)."""
    if n < 1:
        return 1.0
    rn = n * r
    return float(min(1.0, np.exp(np.sqrt(1 + 4 * n + 4 * (n * n - rn * rn)) - (1 + 2 * n))))


def median_blocks(median_s: float, res_s: float) -> int:
    """Odd number of blocks of the running median (1 = none)."""
    return max(1, int(round(median_s / res_s)) | 1)


def _unit(v: np.ndarray) -> np.ndarray:
    return v / max(float(np.linalg.norm(v)), 1e-12)


def _angle_deg(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.degrees(np.arccos(np.clip(np.dot(_unit(a), _unit(b)), -1.0, 1.0))))


def _median_dir(u: np.ndarray) -> np.ndarray:
    return _unit(np.median(u, axis=0).astype(np.float64))


def find_reference(u: np.ndarray, worn: np.ndarray, block_walking: np.ndarray,
                   block_day: np.ndarray, n_days: int,
                   runs: list[tuple[int, int, int]], skin_evidence: str,
                   res_s: float, s: TrunkSettings) -> TrunkReference:
    """The :class:`TrunkReference` of a recording.

    ``u`` (m, 3) unit block orientations (NaN where invalid), ``worn`` (m,) back worn and valid,
    ``block_walking`` (m,) the owning epoch's activity is ``walking`` (stairs excluded),
    ``block_day`` the calendar day of each block (``n_days`` = none), ``runs`` the candidate
    transitions as ``(boundary_block, blocks_before, blocks_after)``,
    ``skin_evidence`` the signal stage's ``skin_axis_evidence`` for the back sensor.
    """
    walk = worn & block_walking
    walking_s = float(np.count_nonzero(walk) * res_s)
    if walking_s < s.min_walking_s or walking_s == 0:
        return TrunkReference(False, f"only {walking_s:.0f} s of walking with the back sensor worn "
                              f"(the upright reference needs {s.min_walking_s:.0f} s)",
                              walking_s=walking_s)
    uw = u[walk]
    r = _median_dir(uw)
    spread = float(np.median(np.degrees(np.arccos(np.clip(uw @ r, -1.0, 1.0)))))
    long_axis = _angle_deg(r, np.array([1.0, 0.0, 0.0]))
    offsets: list[float | None] = []
    wd = block_day[walk]
    for d in range(n_days):
        sel = wd == d
        offsets.append(_angle_deg(_median_dir(uw[sel]), r)
                       if np.count_nonzero(sel) * res_s >= min(60.0, s.min_walking_s) and sel.any()
                       else None)
    base = dict(walking_orientation=tuple(r.tolist()), walking_s=walking_s,
                walking_spread_deg=spread, long_axis_deg=long_axis, daily_offset_deg=offsets)
    if long_axis > s.max_reference_deg:
        return TrunkReference(False, f"the walking orientation is {long_axis:.0f} degrees from the "
                              f"back sensor's long axis (> {s.max_reference_deg:.0f}): sensor not "
                              "on the lower back or its orientation misread", **base)
    # tilt plane: e1 = skin normal (canonical z) perpendicular to r, e2 completes it
    z = np.array([0.0, 0.0, 1.0])
    e1 = _unit(z - np.dot(z, r) * r)
    e2 = np.cross(r, e1)
    trans = _transition_directions(u, worn, runs, e1, e2, res_s, s)
    found_n, dirs, excursions = trans
    used = len(dirs)
    tr: dict[str, Any] = {"transitions_found": found_n, "transitions_used": used}
    t_dir = None
    if used:
        mean = np.mean(dirs, axis=0)
        consistency = float(np.hypot(*mean))
        tr["transition_consistency"] = consistency
        tr["transition_excursion_deg"] = float(np.median(excursions))
        tr["transition_skin_axis_deg"] = float(np.degrees(np.arccos(
            min(1.0, abs(mean[0]) / max(consistency, 1e-12)))))
        tr["transition_p_value"] = rayleigh_p(used, consistency)
        if (used >= s.min_transitions and consistency >= s.min_transition_consistency
                and tr["transition_p_value"] <= s.max_transition_p):
            t_dir = mean / consistency
    lying_sign = skin_evidence in _SKIN_SIGN_KNOWN
    if t_dir is not None:
        if skin_evidence in _SKIN_AXIS_KNOWN and tr["transition_skin_axis_deg"] <= 45.0:
            f = e1 * (1.0 if t_dir[0] > 0 else -1.0)
        else:
            f = _unit(t_dir[0] * e1 + t_dir[1] * e2)
        if lying_sign:
            tr["lying_agrees"] = bool(t_dir[0] > 0)
        evidence = "transitions"
    elif lying_sign and s.forward_from_lying:
        f, evidence = e1, "lying"
    else:
        why = (f"{used} of {found_n} sit/upright transitions showed a forward excursion "
               f"(need {s.min_transitions} agreeing, consistency >= "
               f"{s.min_transition_consistency:g}, Rayleigh p <= {s.max_transition_p:g}"
               + (f"; found consistency {tr['transition_consistency']:.2f}, p "
                  f"{tr['transition_p_value']:.2g}" if used else "") + ")")
        lying = ("the skin-normal sign was not found from lying postures" if not lying_sign
                 else "forward_from_lying is off")
        return TrunkReference(False, f"forward direction undetermined: {why} and {lying}",
                              **base, **tr)
    # the upright reference: the walking orientation tilted back by the walking lean
    a = np.radians(s.walking_lean_deg)
    up = np.cos(a) * r - np.sin(a) * f
    fwd = np.sin(a) * r + np.cos(a) * f
    return TrunkReference(True, "", upright=tuple(_unit(up).tolist()),
                          forward=tuple(_unit(fwd).tolist()), forward_evidence=evidence,
                          walking_lean_deg=float(s.walking_lean_deg), **base, **tr)


def _transition_directions(u: np.ndarray, worn: np.ndarray, runs: list[tuple[int, int, int]],
                           e1: np.ndarray, e2: np.ndarray, res_s: float, s: TrunkSettings
                           ) -> tuple[int, list[np.ndarray], list[float]]:
    """Unit excursion directions (in the (e1, e2) tilt plane) of the candidate transitions."""
    w = max(1, int(round(s.transition_window_s / res_s)))
    steady = max(1, int(round(_STEADY_S / res_s)))
    k = median_blocks(s.median_s, res_s)
    dirs: list[np.ndarray] = []
    exc: list[float] = []
    found = 0
    m = u.shape[0]
    for kb, nb, na in runs:
        a0, a1 = kb - w - steady, kb + w + steady
        if a0 < 0 or a1 > m or nb < w + steady or na < w + steady:
            continue
        seg_worn = worn[a0:a1]
        if not seg_worn.all():
            continue
        found += 1
        seg = u[a0:a1]
        p = np.column_stack([seg @ e1, seg @ e2])
        before = np.median(p[:steady], axis=0)
        after = np.median(p[-steady:], axis=0)
        mid = np.column_stack([running_median(np.ascontiguousarray(p[steady:-steady, j],
                                                                   np.float32), k)
                               for j in range(2)]).astype(np.float64)
        d = after - before
        dd = float(np.dot(d, d))
        t = np.clip(((mid - before) @ d) / dd, 0.0, 1.0) if dd > 1e-12 else np.zeros(len(mid))
        off = mid - (before + t[:, None] * d)
        dist = np.hypot(off[:, 0], off[:, 1])
        i = int(np.argmax(dist))
        ex = float(np.degrees(np.arcsin(min(1.0, dist[i]))))
        if ex >= s.min_excursion_deg:
            dirs.append(off[i] / dist[i])
            exc.append(ex)
    return found, dirs, exc


def transition_runs(epoch_cls: np.ndarray, epoch_block: np.ndarray, epoch_blocks: int
                    ) -> list[tuple[int, int, int]]:
    """Candidate sit/upright transitions from the epochs' study classes.

    ``epoch_block``: first block owned by each epoch; ``epoch_blocks``: blocks per epoch. A
    candidate is a run of sitting epochs next to a run of upright epochs (either order),
    optionally with one epoch of another class (the transition itself) between them. Returns
    ``(boundary_block, blocks_before, blocks_after)``: the boundary (the middle of the epoch
    between, if any), and the run lengths on each side in blocks.
    """
    n = len(epoch_cls)
    if n < 2:
        return []
    kind = np.zeros(n, np.int8)  # 1 upright, 2 sitting, 0 other
    kind[np.isin(epoch_cls, UPRIGHT_CLASSES)] = 1
    kind[epoch_cls == "sitting"] = 2
    change = np.flatnonzero(np.diff(kind)) + 1
    starts = np.concatenate([[0], change])
    stops = np.concatenate([change, [n]])
    kinds = kind[starts]
    out: list[tuple[int, int, int]] = []
    for i in range(len(starts) - 1):
        if kinds[i] == 0:
            continue
        j = i + 1
        gap = 0
        if kinds[j] == 0 and stops[j] - starts[j] == 1 and j + 1 < len(starts):
            gap, j = 1, j + 1
        if kinds[j] == 0 or kinds[j] == kinds[i]:
            continue
        first_after = starts[j]
        last_before = stops[i] - 1
        if first_after - last_before - 1 != gap:
            continue
        if gap:
            boundary = int(epoch_block[last_before + 1] + epoch_blocks // 2)
        else:
            boundary = int(epoch_block[first_after])
        nb = int((stops[i] - starts[i]) * epoch_blocks)
        na = int((stops[j] - starts[j]) * epoch_blocks)
        out.append((boundary, nb, na))
    return out
