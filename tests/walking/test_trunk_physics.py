"""Trunk angles: known rotations of real and simulated back signals are given back, in every one of
the 24 ways the back sensor can be attached, through walkback.signal.prepare.

The truth frame of each recording is built from its TRUE labels (median orientation of labelled
walking, tilted back 6 degrees, forward = the known sagittal direction); standing periods are then
rotated by known angles about the true lateral axis (forward / backward bends) or the true
antero-posterior axis (sideways bends). The expected angles are computed exactly in the truth frame
from the rotated signal. The method sees only the mounted raw signal and the epochs: the signal
stage finds the axes, the trunk stage the reference (from walking) and the forward direction (from
sit/stand transitions in the real data; from lying in the simulated data, which has no transition
flexion).
"""

from __future__ import annotations

import numpy as np
import pytest

from _support.trunk import (
    BLOCK,
    FS,
    block_units,
    label_epochs,
    label_runs,
    mountings,
    real_loop,
    recording,
    rotation,
    true_frame,
)
from walkback.signal import prepare
from walkback.simulate.recording import THIGH_DEVICE_SIGN, simulate_recording
from walkback.walking import measure_trunk

T0 = 1714982400 * 10**9  # 2024-05-06 08:00 UTC, a whole number of 20-ms grid periods
#: (kind, degrees) applied to successive standing periods; fwd = about the lateral axis
CASES = [("fwd", 20.0), ("side", 30.0), ("fwd", 45.0), ("fwd", -20.0), ("side", 45.0),
         ("fwd", 70.0), ("fwd", 100.0), ("side", 20.0), ("fwd", 30.0)]
TOL_DEG = 2.0


def _walking_samples(epochs, n: int) -> np.ndarray:
    """Samples of the TRUE walking epochs (the reference is defined over walking epochs)."""
    w = np.repeat(epochs["activity"].to_numpy() == "walking", int(5 * FS))
    return np.concatenate([w, np.zeros(n - len(w), bool)])[:n]


def _rotate_periods(g: np.ndarray, periods: list[tuple[int, int]], frame) -> list[dict]:
    """Rotate each period of ``g`` (in place) by its case; return the cases with the blocks to
    compare (1.5 s inside each edge) and the exact expected mean angles."""
    cases = []
    for (a, b), (kind, deg) in zip(periods, CASES, strict=False):
        axis = frame.lateral_axis if kind == "fwd" else frame.fwd
        b0, b1 = -(-(a + int(1.5 * FS)) // BLOCK), (b - int(1.5 * FS)) // BLOCK
        _, base_fwd = frame.angles(block_units(g[b0 * BLOCK:b1 * BLOCK]))
        g[a:b] = g[a:b] @ rotation(axis, deg).T
        incl, fwd = frame.angles(block_units(g[b0 * BLOCK:b1 * BLOCK]))
        cases.append({"kind": kind, "deg": deg, "blocks": (b0, b1), "incl": float(incl.mean()),
                      "fwd": float(fwd.mean()), "base_fwd": float(base_fwd.mean())})
    assert len(cases) == len(CASES)
    return cases


def _check_all_mountings(t0, thigh_dev, back, cases, epochs, evidence) -> dict:
    errors = {"incl": [], "fwd": []}
    for m in mountings():
        p = prepare(recording(t0, thigh_dev, "thigh"), recording(t0, back @ m.T, "back"))
        tr = measure_trunk(p, epochs)
        assert tr is not None and tr.reference.found, tr.reference.reason
        assert tr.reference.forward_evidence == evidence
        for c in cases:
            b0, b1 = c["blocks"]
            got_incl = float(np.nanmean(tr.incl_deg[b0:b1]))
            got_fwd = float(np.nanmean(tr.fwd_deg[b0:b1]))
            errors["incl"].append(abs(got_incl - c["incl"]))
            errors["fwd"].append(abs(got_fwd - c["fwd"]))
            assert got_incl == pytest.approx(c["incl"], abs=TOL_DEG), (m.tolist(), c)
            assert got_fwd == pytest.approx(c["fwd"], abs=TOL_DEG), (m.tolist(), c)
            moved = got_fwd - c["base_fwd"]
            if c["kind"] == "side":  # a sideways bend is not read as forward bending
                assert abs(moved) < abs(c["deg"]) / 3, (m.tolist(), c, got_fwd)
            else:  # a bend about the lateral axis moves the forward angle by the bend
                assert moved == pytest.approx(c["deg"], abs=2 * TOL_DEG), (m.tolist(), c, got_fwd)
    return {k: max(v) for k, v in errors.items()}


@pytest.mark.shared
def test_real_back_rotations_recovered_in_every_mounting(shared_data) -> None:
    d = shared_data / "harth-samples"
    loop = real_loop({"501": str(d / "har70plus_501_sample.csv"),
                      "S006": str(d / "harth_S006_sample.csv")}, reps=12)
    # HARTH placement: device x along the spine, z through the skin; the trunk flexes towards
    # device -z at HAR70+ 501's sit-down (and reclines towards +z when sitting)
    epochs = label_epochs(loop.labels, T0)
    frame = true_frame(loop.back, _walking_samples(epochs, len(loop.back)),
                       np.array([0.0, 0.0, -1.0]))
    back = loop.back.copy()
    periods = label_runs(loop.labels, "standing", int(12 * FS))[1::2]
    cases = _rotate_periods(back, periods, frame)
    worst = _check_all_mountings(T0, loop.thigh, back, cases, epochs, "transitions")
    print(f"real HARTH/HAR70+ back, 24 mountings x {len(cases)} rotations: largest error "
          f"inclination {worst['incl']:.2f} deg, forward {worst['fwd']:.2f} deg")


def test_simulated_back_rotations_recovered_in_every_mounting() -> None:
    sim = simulate_recording(days=10 / 24, seed=4, start="2024-05-06 08:00", timezone="UTC")
    assert sim.start_ns % 20_000_000 == 0
    ep = sim.truth_epochs
    # the simulator bends the trunk forward towards canonical +z (posterior axis)
    frame = true_frame(sim.back_g.astype(float), _walking_samples(ep, len(sim.back_g)),
                       np.array([0.0, 0.0, 1.0]))
    bl = sim.blocks
    st = bl[(bl.activity == "standing") & (bl.duration_s >= 30)]
    periods = [(int((s - sim.start_ns) / 1e9 * FS), int((s - sim.start_ns) / 1e9 * FS + d * FS))
               for s, d in zip(st.start_ns, st.duration_s, strict=True)]
    back = sim.back_g.astype(float)
    cases = _rotate_periods(back, periods, frame)
    worst = _check_all_mountings(sim.start_ns, sim.thigh_g * THIGH_DEVICE_SIGN, back, cases, ep,
                                 "lying")
    print(f"simulated back, 24 mountings x {len(cases)} rotations: largest error inclination "
          f"{worst['incl']:.2f} deg, forward {worst['fwd']:.2f} deg")
