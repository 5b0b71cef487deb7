"""The cohort commands end to end: simulate cohort, analyze (long and HUNT layouts), demo, errors."""

from __future__ import annotations

import pandas as pd
import pytest

from walkback.cli import main
from walkback.errors import ConvergenceWarning

N = 1200


@pytest.fixture(scope="module")
def long_files(tmp_path_factory):
    out = tmp_path_factory.mktemp("sim") / "long"
    assert main(["simulate", "cohort", "--n", str(N), "--seed", "4", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def long_result(long_files):
    from walkback._commands.cohort import run_analysis

    out = long_files.parent / "long-analysis"
    return out, run_analysis(long_files / "days.csv", long_files / "participants.csv", None, out)


def test_analyze_long_and_hunt_layouts_agree(long_result, tmp_path, capsys):
    a = long_result[0]
    hunt = tmp_path / "hunt"
    assert main(["simulate", "cohort", "--n", str(N), "--seed", "4", "--out", str(hunt),
                 "--layout", "hunt"]) == 0
    assert "LyTmD1_NT4ActMX" in (hunt / "days.csv").read_text().splitlines()[0]
    b = tmp_path / "b"
    assert main(["analyze", "--days", str(hunt / "days.csv"), "--participants",
                 str(hunt / "participants.csv"), "--settings",
                 str(hunt / "cohort-config-hunt.toml"), "--out", str(b)]) == 0
    text = capsys.readouterr().out
    assert "1 (reference)" in text and "multi-adjusted RR" in text and str(b) in text
    qa = pd.read_csv(a / "quartile_models.csv")
    qb = pd.read_csv(b / "quartile_models.csv")
    pd.testing.assert_frame_equal(qa, qb, rtol=1e-9)
    # the HUNT file's SleTmD columns run the compositional analysis with the written config
    assert "SleTmD1_NT4ActMX" in (hunt / "days.csv").read_text().splitlines()[0]
    assert "compositional mean (min/day)" in text
    for name in ("coda_flow.csv", "coda_models.csv", "coda_isotemporal.csv",
                 "coda_sensitivity.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(a / name), pd.read_csv(b / name), rtol=1e-9)
    assert len(pd.read_csv(a / "analysis_data.csv")) == pd.read_csv(a / "flow.csv").remaining.iloc[-1]


def test_category_without_cases_gives_one_message_and_no_output(long_files, tmp_path, capsys):
    days = pd.read_csv(long_files / "days.csv", dtype={"participant_id": str})
    parts = pd.read_csv(long_files / "participants.csv", dtype={"participant_id": str})
    per = days.assign(w=days.walking_s).groupby("participant_id").w.mean() / 60
    low = per.index[per < 95]  # far above the first volume quartile (~78 min/day)
    parts.loc[parts.participant_id.isin(low), "lumbar_pain_t1"] = float("nan")
    bad = tmp_path / "participants.csv"
    parts.to_csv(bad, index=False)
    out = tmp_path / "out"
    code = main(["analyze", "--days", str(long_files / "days.csv"), "--participants", str(bad),
                 "--out", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert "volume_q = 1 (reference)" in err[0] and "not estimable" in err[0]
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["participants.csv"]


def test_bad_table_gives_one_message_and_no_output(long_files, tmp_path, capsys):
    parts = pd.read_csv(long_files / "participants.csv")
    bad = tmp_path / "p.csv"
    parts.rename(columns={"age_years": "age_yeras"}).to_csv(bad, index=False)
    out = tmp_path / "out"
    code = main(["analyze", "--days", str(long_files / "days.csv"), "--participants", str(bad),
                 "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "age_years" in err and not out.exists()


def test_failure_while_writing_keeps_previous_output(long_result, tmp_path, monkeypatch):
    out = tmp_path / "out"
    results = long_result[1]
    results.to_dir(out)
    before = (out / "provenance.json").read_text()

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr("walkback.cohort.figures.joint_heatmap", boom)
    with pytest.raises(OSError, match="disk full"):
        results.to_dir(out)
    assert (out / "provenance.json").read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_fits_stopped_at_max_iter_warn_and_are_recorded(long_files, tmp_path, capsys):
    """A fit that stops at max_iter is a ConvergenceWarning naming the model, as in Stata, R and
    statsmodels: the run completes, and provenance.json, models.json and the summary say which."""
    import json

    cfg = tmp_path / "cohort.toml"
    cfg.write_text("[cohort.models]\nmax_iter = 2\n")
    out = tmp_path / "out"
    with pytest.warns(ConvergenceWarning) as caught:
        code = main(["analyze", "--days", str(long_files / "days.csv"), "--participants",
                     str(long_files / "participants.csv"), "--settings", str(cfg), "--out",
                     str(out)])
    assert code == 0
    prov = json.loads((out / "provenance.json").read_text())
    stopped = {w["model"]: w["message"] for w in prov["warnings"]}
    coda_fits = json.loads((out / "coda_models.json").read_text())["models"]
    assert len(stopped) == prov["n_models"] + len(coda_fits) == len(caught)
    assert not any(f["converged"] for f in coda_fits)
    assert "did not converge in 2 iterations" in stopped["coda/main/multi/walking"]
    assert "did not converge in 2 iterations" in stopped["quartile/volume/age"]
    assert stopped["quartile/volume/age"].startswith("model quartile/volume/age (outcome lbp_t1")
    models = json.loads((out / "models.json").read_text())["models"]
    assert not any(m["converged"] for m in models)
    assert f"WARNING: {len(stopped)} model(s) stopped at max_iter" in capsys.readouterr().out
    strat = pd.read_csv(out / "stratified_models.csv")
    est = strat[strat.note != "reference"]
    assert len(est) and est.note.str.contains("did not converge in 2 iterations").all()


def test_converged_run_records_no_warnings(long_result):
    import json

    prov = json.loads((long_result[0] / "provenance.json").read_text())
    assert prov["warnings"] == []
    assert all(m["converged"] for m in long_result[1].models)
