"""Cohort report of a real `walkback analyze` folder in headless Chromium."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from _support.browser import (
    assert_accessible,
    assert_figure_drawn,
    assert_loaded_cleanly,
    number,
)

FIGURES = ("flow", "spline-volume", "spline-intensity", "joint", "forest")
CODA_PARTS = ("sleep", "sedentary", "standing", "walking", "running_cycling")


def test_page_loads_without_errors_and_draws_every_figure(cohort_page):
    _, page = cohort_page
    assert_loaded_cleanly(page)
    assert page.missing == {}
    for name in FIGURES:
        assert_figure_drawn(page, name)
    assert_accessible(page)


def test_quartile_risk_ratios_equal_the_output_file(cohort_page, analyze_dir):
    _, page = cohort_page
    q = pd.read_csv(analyze_dir / "quartile_models.csv")
    assert len(q) >= 16
    for _, r in q.iterrows():
        key = f"rr-{r['exposure']}-{r['adjustment']}-{int(r['category'])}"
        assert number(page.keys[key]) == round(r["rr"], 2), key
        if r["category"] != 1:
            low, high = page.keys[key + "-ci"].split("\u2013")
            assert (number(low), number(high)) == (round(r["ci_low"], 2), round(r["ci_high"], 2))


def test_joint_flow_evalues_interactions_equal_the_output_files(cohort_page, analyze_dir):
    _, page = cohort_page
    joint = pd.read_csv(analyze_dir / "joint_models.csv")
    for _, r in joint.iterrows():
        key = f"joint-rr-{int(r['volume_q'])}-{int(r['intensity_q'])}"
        assert number(page.keys[key]) == round(r["rr"], 2), key
    flow = pd.read_csv(analyze_dir / "flow.csv")
    assert number(page.keys["flow-final-n"]) == flow["remaining"].iloc[-1]
    for i, r in flow.iterrows():
        assert number(page.keys[f"flow-remaining-{i}"]) == r["remaining"]
    ev = pd.read_csv(analyze_dir / "evalues.csv")
    for _, r in ev.iterrows():
        assert number(page.keys[f"evalue-{r['exposure']}-{int(r['category'])}"]) == round(
            r["evalue_rr"], 2)
    inter = pd.read_csv(analyze_dir / "interaction_tests.csv")
    for _, r in inter.iterrows():
        shown = page.keys[f"interaction-p-{r['exposure']}-{r['modifier']}"]
        assert shown == ("<0.001" if r["p_value"] < 0.001 else f"{r['p_value']:.3f}")


def test_sensitivity_and_strata_equal_the_output_files(cohort_page, analyze_dir):
    _, page = cohort_page
    sens = pd.read_csv(analyze_dir / "sensitivity.csv")
    multi = sens[(sens["adjustment"] == "multi") & (sens["category"] > 1)]
    assert len(multi) > 0
    for _, r in multi.iterrows():
        key = f"sens-rr-{r['analysis']}-{r['exposure']}-{int(r['category'])}"
        if np.isfinite(r["rr"]):
            assert number(page.keys[key]) == round(r["rr"], 2), key
        else:
            assert page.keys[key] == "not estimable"
    strat = pd.read_csv(analyze_dir / "stratified_models.csv")
    for i, r in strat.iterrows():
        if np.isfinite(r["rr"]):
            assert number(page.keys[f"strat-rr-{i}"]) == round(r["rr"], 2)


def test_qc_summary_and_provenance(cohort_page, analyze_dir, process_dir):
    _, page = cohort_page
    qc = pd.read_csv(process_dir / "qc_summary.csv")
    assert number(page.keys["qc-n-participants"]) == len(qc)
    assert number(page.keys["qc-n-failed"]) == (qc["status"] == "failed").sum()
    assert number(page.keys["qc-n-errors"]) == 1
    assert number(page.keys["qc-median-thigh_wear_h"]) == round(qc["thigh_wear_h"].median(), 2)
    prov = json.loads((analyze_dir / "provenance.json").read_text())
    assert page.keys["prov-version"] == prov["walkback_version"]
    assert "&lt;bad&gt;" in page.dom  # the error message is escaped text


def test_dose_response_curve_is_plotted_where_the_file_says(cohort_page, analyze_dir):
    """The drawn band spans the rows of spline_volume.csv: its desc names the file's range."""
    _, page = cohort_page
    sp = pd.read_csv(analyze_dir / "spline_volume.csv")
    desc = page.dom.split('id="spline-volume-desc">')[1].split("<")[0]
    assert f"{sp['x'].min():.2f} to {sp['x'].max():.2f}" in desc
    assert f"{sp['rr'].min():.2f} to {sp['rr'].max():.2f}" in desc


def test_self_contained(cohort_page):
    import re

    html, _ = cohort_page
    text = html.read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)
    assert "url(" not in text and "@import" not in text


def test_compositional_section_draws_and_equals_the_output_files(cohort_page, analyze_dir):
    """The 24-h time-use section: one drawn figure per part receiving time, and every number
    shown (flow, compositional mean, per-part RRs, substitutions, E-values, strata) equal to the
    coda_*.csv files."""
    _, page = cohort_page
    for part in CODA_PARTS:
        assert_figure_drawn(page, f"coda-to-{part}")
    flow = pd.read_csv(analyze_dir / "coda_flow.csv")
    for i, r in flow.iterrows():
        assert number(page.keys[f"coda-flow-remaining-{i}"]) == r["remaining"]
    mean = pd.read_csv(analyze_dir / "coda_mean.csv")
    for _, r in mean.iterrows():
        assert number(page.keys[f"coda-mean-{r['part']}"]) == round(r["minutes"], 1)
    models = pd.read_csv(analyze_dir / "coda_models.csv")
    assert len(models) == 10
    for _, r in models.iterrows():
        key = f"coda-rr-{r['adjustment']}-{r['part']}"
        assert number(page.keys[key]) == round(r["rr"], 2), key
        low, high = page.keys[key + "-ci"].split("\u2013")
        assert (number(low), number(high)) == (round(r["ci_low"], 2), round(r["ci_high"], 2))
    iso = pd.read_csv(analyze_dir / "coda_isotemporal.csv")
    ev = pd.read_csv(analyze_dir / "coda_evalues.csv").set_index(
        ["from_part", "to_part", "minutes"])
    shown = iso[(iso.adjustment == "multi") & (iso.minutes == 30)]
    assert len(shown) >= 16
    for _, r in shown.iterrows():
        key = f"coda-iso-{r['from_part']}-{r['to_part']}-30"
        assert number(page.keys[key]) == round(r["rr"], 2), key
        e = page.keys[key + "-evalue"]
        if (r["from_part"], r["to_part"], 30.0) in ev.index:
            assert number(e) == round(ev.loc[(r["from_part"], r["to_part"], 30.0), "evalue_rr"], 2)
        else:
            assert e == ""
    sens = pd.read_csv(analyze_dir / "coda_sensitivity.csv")
    hit = sens[(sens.from_part == "sedentary") & (sens.to_part == "walking") & (sens.minutes == 30)]
    assert hit.analysis.nunique() == 11
    for _, r in hit.iterrows():
        assert number(page.keys[f"coda-sens-{r['analysis']}-{r['adjustment']}"]) == round(
            r["rr"], 2)
    # the figure's description names the file's range for the walking panel
    walk = iso[(iso.adjustment == "multi") & (iso.to_part == "walking")]
    desc = page.dom.split('id="coda-to-walking-desc">')[1].split("<")[0]
    assert f"risk ratios {walk.rr.min():.2f} to {walk.rr.max():.2f}" in desc


def test_compositional_section_says_why_when_not_run(tmp_path, analyze_dir):
    import shutil

    from walkback.report import cohort_report

    folder = tmp_path / "an"
    shutil.copytree(analyze_dir, folder)
    for f in folder.glob("coda_*"):
        f.unlink()
    prov = json.loads((folder / "provenance.json").read_text())
    prov["coda"] = {"status": "skipped", "reason": "the day table has no sleep (sleep_s)"}
    (folder / "provenance.json").write_text(json.dumps(prov))
    html = cohort_report(folder, tmp_path / "r.html").read_text()
    assert "The compositional analysis was not run: the day table has no sleep" in html
