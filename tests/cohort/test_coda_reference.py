"""The compositional analysis against an independent from-formula implementation, end to end.

The reference below uses only numpy/pandas and the published formulas (no walkback code): the
counted-day rule, person means closed to 1,440 min, multiplicative zero replacement, pivot
coordinates, Poisson maximum likelihood by Newton's method, the HC0 sandwich and the delta method.
It reads the same CSV files that `walkback analyze` reads, and must give the same flow, the same
per-part risk ratios and the same isotemporal table to 1e-6.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from walkback.cli import main

N, SEED = 11194, 21
PARTS = ["sleep", "sedentary", "standing", "walking", "running_cycling"]
DELTA = 0.65 * 5 / 60 / 7  # min/day
Z = 1.959963984540054


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("coda-ref")
    assert main(["simulate-cohort", "--n", str(N), "--seed", str(SEED), "--out",
                 str(root / "sim")]) == 0
    assert main(["analyze", "--days", str(root / "sim" / "days.csv"), "--participants",
                 str(root / "sim" / "participants.csv"), "--out", str(root / "an")]) == 0
    days = pd.read_csv(root / "sim" / "days.csv", dtype={"participant_id": str})
    parts = pd.read_csv(root / "sim" / "participants.csv", dtype={"participant_id": str})
    return root / "an", days, parts


# ---------------------------------------------------------------------------------- reference

def _compositions(days: pd.DataFrame) -> pd.DataFrame:
    eight = ["lying_s", "sitting_s", "standing_s", "walk_slow_s", "walk_moderate_s",
             "walk_brisk_s", "running_s", "cycling_s"]
    d = days.copy()
    d["awake"] = d.lying_s - d.sleep_s
    ok = (d[eight + ["sleep_s"]].notna().all(axis=1)
          & ((d[eight].sum(axis=1) - 86400).abs() <= 60)
          & (d.sleep_s > 0) & (d.awake > 0) & (d.sitting_s > 0) & (d.standing_s > 0)
          & (d.walking_s > 0))
    d = d[ok]
    comp = pd.DataFrame({
        "participant_id": d.participant_id,
        "sleep": d.sleep_s / 60, "sedentary": (d.awake + d.sitting_s) / 60,
        "standing": d.standing_s / 60, "walking": d.walking_s / 60,
        "running_cycling": (d.running_s + d.cycling_s) / 60,
    }).groupby("participant_id").mean()
    comp["days"] = d.groupby("participant_id").size()
    comp[PARTS] = comp[PARTS].to_numpy() * 1440 / comp[PARTS].sum(axis=1).to_numpy()[:, None]
    return comp


def _sample(days, parts):
    """Flow (remaining after each step) and the analysed participants with their design."""
    comp = _compositions(days)
    p = parts.set_index("participant_id")
    keep = p.index.isin(comp.index)
    flow = [int(keep.sum())]
    covs = ["sex_code", "age_years", "education_code", "income_code", "work_status_code",
            "smoking_code", "hads_d_score"]
    for drop in (p.age_years < 20, p.chronic_pain_t0.isna(), p.lumbar_pain_t0 == 1,
                 p.chronic_pain_t1.isna(), p[covs].isna().any(axis=1)):
        keep &= ~drop.to_numpy()
        flow.append(int(keep.sum()))
    s = p[keep].join(comp)
    s["y"] = (s.lumbar_pain_t1 == 1).astype(float)
    return flow, s


def _pivot(x: np.ndarray) -> np.ndarray:
    lx = np.log(x)
    n_parts = lx.shape[1]
    return np.column_stack([np.sqrt((n_parts - i - 1) / (n_parts - i))
                            * (lx[:, i] - lx[:, i + 1:].mean(axis=1)) for i in range(n_parts - 1)])


def _covariates(s: pd.DataFrame, adjustment: str) -> np.ndarray:
    cols = [s.age_years.to_numpy()]
    if adjustment == "multi":
        cols.append((s.sex_code == 1).to_numpy(float))
        cols += [(s.education_code == k).to_numpy(float) for k in range(2, 7)]
        cols += [(s.income_code == k).to_numpy(float) for k in range(2, 6)]
        cols.append((s.work_status_code == 1).to_numpy(float))
        cols.append(s.smoking_code.isin([1, 4]).to_numpy(float))
        cols.append(s.smoking_code.isin([2, 3]).to_numpy(float))
        cols.append((s.hads_d_score >= 7).to_numpy(float))
    return np.column_stack(cols)


def _poisson_hc0(y: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    b = np.zeros(X.shape[1])
    b[0] = np.log(y.mean())
    for _ in range(100):
        mu = np.exp(X @ b)
        step = np.linalg.solve((X * mu[:, None]).T @ X, X.T @ (y - mu))
        b += step
        if np.abs(step).max() < 1e-13:
            break
    mu = np.exp(X @ b)
    bread = np.linalg.inv((X * mu[:, None]).T @ X)
    meat = (X * ((y - mu) ** 2)[:, None]).T @ X
    return b, bread @ meat @ bread


def _reference(s: pd.DataFrame):
    x = s[PARTS].to_numpy()
    zero = x == 0
    xr = np.where(zero, DELTA, x * (1 - zero.sum(axis=1, keepdims=True) * DELTA / 1440))
    g = np.exp(np.log(xr).mean(axis=0))
    mean = g * 1440 / g.sum()
    y = s.y.to_numpy()
    models, iso = [], []
    for adj in ("age", "multi"):
        C = _covariates(s, adj)
        for k, part in enumerate(PARTS):
            order = [(k + j) % 5 for j in range(5)]
            X = np.column_stack([np.ones(len(s)), _pivot(xr[:, order]), C])
            b, V = _poisson_hc0(y, X)
            se = np.sqrt(V[1, 1])
            models.append({"adjustment": adj, "part": part, "rr": np.exp(b[1]),
                           "ci_low": np.exp(b[1] - Z * se), "ci_high": np.exp(b[1] + Z * se)})
            if k:
                continue
            bz, Vz = b[1:5], V[1:5, 1:5]
            z0 = _pivot(mean[None, :])[0]
            for i, src in enumerate(PARTS):
                for j, dst in enumerate(PARTS):
                    for m in range(-60, 61, 10):
                        if i == j:
                            continue
                        new = mean.copy()
                        new[j] += m
                        new[i] -= m
                        if (new <= 0).any():
                            continue
                        d = _pivot(new[None, :])[0] - z0
                        lr, se = d @ bz, np.sqrt(d @ Vz @ d)
                        iso.append({"adjustment": adj, "from_part": src, "to_part": dst,
                                    "minutes": float(m), "rr": np.exp(lr),
                                    "ci_low": np.exp(lr - Z * se), "ci_high": np.exp(lr + Z * se)})
    return mean, pd.DataFrame(models), pd.DataFrame(iso)


# ---------------------------------------------------------------------------------- tests

def test_flow_is_exact(run):
    out, days, parts = run
    flow, s = _sample(days, parts)
    got = pd.read_csv(out / "coda_flow.csv")
    assert got.columns.tolist() == ["step", "remaining"]
    assert got.step.iloc[0] == "With a counted day"
    assert got.remaining.tolist() == flow
    assert got.remaining.iloc[-1] == len(s) == len(pd.read_csv(out / "coda_data.csv"))
    assert (np.diff(flow) < 0).all()  # every step removes someone on this cohort


def test_isotemporal_table_equals_the_reference(run):
    out, days, parts = run
    _, s = _sample(days, parts)
    mean, models, iso = _reference(s)
    got_mean = pd.read_csv(out / "coda_mean.csv")
    assert got_mean.part.tolist() == PARTS
    np.testing.assert_allclose(got_mean.minutes, mean, rtol=1e-9)
    keys = ["adjustment", "from_part", "to_part", "minutes"]
    got = pd.read_csv(out / "coda_isotemporal.csv")
    assert got.columns.tolist() == [*keys, "rr", "ci_low", "ci_high"]
    both = got.merge(iso, on=keys, how="outer", suffixes=("", "_ref"), indicator=True)
    assert (both._merge == "both").all(), both[both._merge != "both"]
    assert len(both) == len(iso) > 2 * 20 * 9  # skipped moves: only those from running_cycling
    for c in ("rr", "ci_low", "ci_high"):
        assert np.abs(both[c] - both[f"{c}_ref"]).max() < 1e-6, c
    gm = pd.read_csv(out / "coda_models.csv")
    assert gm.columns.tolist() == ["adjustment", "part", "rr", "ci_low", "ci_high", "n", "cases"]
    mm = gm.merge(models, on=["adjustment", "part"], suffixes=("", "_ref"))
    assert len(mm) == 10 and (mm.n == len(s)).all() and (mm.cases == s.y.sum()).all()
    for c in ("rr", "ci_low", "ci_high"):
        assert np.abs(mm[c] - mm[f"{c}_ref"]).max() < 1e-6, c


def test_evalues_provenance_and_secondary_runs(run):
    out, _, _ = run
    iso = pd.read_csv(out / "coda_isotemporal.csv")
    ev = pd.read_csv(out / "coda_evalues.csv")
    multi = iso[iso.adjustment == "multi"]
    excl = multi[(multi.ci_high < 1) | (multi.ci_low > 1)]
    assert len(ev) == len(excl) > 0 and (ev.evalue_rr > ev.evalue_ci).all()
    r = ev.iloc[0]
    rr = 1 / r.rr if r.rr < 1 else r.rr
    assert r.evalue_rr == pytest.approx(rr + np.sqrt(rr * (rr - 1)))
    prov = json.loads((out / "provenance.json").read_text())
    coda = prov["coda"]
    assert coda["status"] == "run" and coda["zero_replacement"] == "multiplicative"
    assert "Martin-Fernandez" in coda["zero_replacement_method"]
    assert "lrEM" in coda["zero_replacement_method"]
    assert coda["delta_min_per_day"] == pytest.approx(DELTA)
    sens = pd.read_csv(out / "coda_sensitivity.csv")
    assert sens.analysis.nunique() == 11 and sens.rr.notna().all()
    assert (sens.groupby("analysis").n.first() < prov["coda"]["n_included"]).all()
    sm = pd.read_csv(out / "coda_sensitivity_models.csv")
    assert len(sm) == 11 * 5 and sm.rr.notna().all()
    fits = json.loads((out / "coda_models.json").read_text())["models"]
    assert len(fits) == 10 + 55 == coda["n_models"]
    assert (out / "coda_isotemporal.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
