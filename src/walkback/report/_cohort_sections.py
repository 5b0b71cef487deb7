"""Sections of the cohort report: flow, Table 1, risk ratios, curves, joint, strata, sensitivity."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from walkback.report import _charts
from walkback.report._html import (
    EN_DASH,
    esc,
    figure,
    fmt_num,
    fmt_p,
    is_missing,
    keyed,
    missing_figure,
    note,
    rr_cell,
    section,
    table,
)

if TYPE_CHECKING:
    from walkback.report.cohort import CohortData

EXPOSURES = {"volume": ("Walking volume", "min/day", 0), "intensity": ("Walking intensity",
                                                                       "MET", 2),
             "trunk": ("Trunk bent forward while upright", "min/day", 0)}
#: exposures every analysis has; the others are drawn only when the analysis ran them
_ALWAYS = ("volume", "intensity")
ADJUSTMENTS = {"age": "Age-adjusted", "multi": "Multi-adjusted", "mutual": "Mutually adjusted"}


def _num(v: object) -> float | None:
    return None if is_missing(v) else float(v)  # type: ignore[arg-type]


def range_label(lower: object, upper: object, unit: str, digits: int) -> str:
    """"78–100 min/day" from the category's observed bounds."""
    if is_missing(lower) and is_missing(upper):
        return ""
    return f"{fmt_num(lower, digits)}{EN_DASH}{fmt_num(upper, digits)} {unit}"


def flow_section(d: CohortData) -> str:
    title = "Participant flow: exclusions in the study's order"
    flow = d.table("flow.csv")
    if flow is None:
        return section("flow", "Exclusion flow", missing_figure(
            "flow", title, "flow.csv is absent or empty in the analyze folder."))
    flow = flow.reset_index(drop=True)
    start = flow["remaining"].iloc[0] + (flow["excluded"].iloc[0] if "excluded" in flow else 0)
    steps = [(str(r["step"]), r.get("excluded", 0) or 0, r["remaining"])
             for _, r in flow.iterrows()]
    if steps and (steps[0][1] == 0 or is_missing(steps[0][1])):
        start, steps = steps[0][2], steps[1:]  # a leading "all participants" row
    final = flow["remaining"].iloc[-1]
    desc = (f"Flow diagram from {start:,.0f} records to {final:,.0f} participants analysed, "
            "with the number excluded at each of " f"{len(steps)} steps.")
    svg = _charts.flow("flow", steps, start, title, desc)
    rows = [[esc(r["step"]), esc(fmt_num(r.get("excluded"))),
             keyed(f"flow-remaining-{i}", fmt_num(r["remaining"]))] for i, r in flow.iterrows()]
    lead = (f"<p>{keyed('flow-final-n', fmt_num(final))} participants were analysed.</p>")
    return section("flow", "Exclusion flow", lead + figure("flow", svg, title)
                   + table(["Step", "Excluded", "Remaining"], rows, raw=True))


def table1_section(d: CohortData) -> str:
    t1 = d.table("table1.csv")
    if t1 is None:
        return section("table1", "Table 1", note("table1.csv is absent or empty."))
    rows = [["" if is_missing(v) else str(v) for v in r] for r in t1.itertuples(index=False)]
    return section("table1", "Table 1: participants by walking-volume quartile",
                   table([str(c) for c in t1.columns], rows, cls="t1"))


def quartile_section(d: CohortData) -> str:
    q = d.quartiles
    parts = ["<p>Risk ratios (95% confidence intervals) of chronic low back pain at follow-up "
             "from Poisson regression with robust variance; the lowest quartile is the "
             "reference.</p>"]
    for exp in [e for e in EXPOSURES if e in set(q["exposure"])] + sorted(
            set(q["exposure"]) - set(EXPOSURES)):
        label, unit, digits = EXPOSURES.get(exp, (exp, "", 2))
        sub = q[q["exposure"] == exp]
        adjs = [a for a in ADJUSTMENTS if a in set(sub["adjustment"])] + sorted(
            set(sub["adjustment"]) - set(ADJUSTMENTS))
        base = sub[sub["adjustment"] == adjs[0]].set_index("category")
        rows = []
        for cat in range(1, 5):
            b = base.loc[cat] if cat in base.index else None
            rng = range_label(b.get("lower"), b.get("upper"), unit, digits) if b is not None else ""
            cells = [esc(f"Q{cat}"), esc(rng),
                     esc(fmt_num(b.get("n"))) if b is not None else "\u2014",
                     esc(fmt_num(b.get("cases"))) if b is not None else "\u2014"]
            for adj in adjs:
                hit = sub[(sub["adjustment"] == adj) & (sub["category"] == cat)]
                key = f"rr-{exp}-{adj}-{cat}"
                if not len(hit):
                    cells.append(keyed(key, "not estimable") + " <small>(no row)</small>")
                elif cat == 1 and _num(hit["rr"].iloc[0]) == 1.0:
                    cells.append(keyed(key, "1.00") + " (reference)")
                else:
                    h = hit.iloc[0]
                    cells.append(rr_cell(key, h["rr"], h["ci_low"], h["ci_high"]))
            rows.append(cells)
        header = ["Quartile", "Range", "n", "Cases"] + [ADJUSTMENTS.get(a, a) for a in adjs]
        parts.append(f"<h3>{esc(label)}</h3>" + table(header, rows, raw=True))
    return section("quartiles", "Risk ratios by quartile", "".join(parts))


def spline_section(d: CohortData) -> str:
    parts = ["<p>Restricted cubic splines with knots at the 10th, 50th and 90th percentiles; the "
             "reference is the 10th percentile. Shaded: 95% confidence band.</p>"]
    for exp, (label, unit, _) in EXPOSURES.items():
        if exp not in _ALWAYS and exp not in (d.splines or {}):
            continue
        name = f"spline-{exp}"
        title = f"Dose-response: {label.lower()} and risk of chronic low back pain"
        df = d.table(f"spline_{exp}.csv")
        if df is None:
            parts.append(missing_figure(name, title, f"spline_{exp}.csv is absent or empty."))
            continue
        df = df[np.isfinite(df[["x", "rr", "ci_low", "ci_high"]]).all(axis=1)
                & (df["rr"] > 0) & (df["ci_low"] > 0)].sort_values("x")
        if len(df) < 2:
            parts.append(missing_figure(name, title, f"spline_{exp}.csv holds no estimable "
                                        "points (the spline model could not be fitted)."))
            continue
        knots = list((d.splines or {}).get(exp, {}).get("knots", []) or [])
        desc = (f"Risk ratio against {label.lower()} ({unit}) from {df['x'].min():.2f} to "
                f"{df['x'].max():.2f}, ranging from {df['rr'].min():.2f} to {df['rr'].max():.2f}"
                f"; knots at {', '.join(f'{k:.2f}' for k in knots) or 'unknown'}.")
        svg = _charts.curve_ci(name, list(df["x"]), list(df["rr"]), list(df["ci_low"]),
                               list(df["ci_high"]), f"{label} ({unit})", title, desc, knots)
        knot_text = ("dashed lines mark the knots" if knots else
                     "knots not shown: splines.json is absent")
        parts.append(figure(name, svg, f"{title} (log scale; {knot_text})."))
    return section("dose-response", "Dose-response curves", "".join(parts))


def joint_section(d: CohortData) -> str:
    title = "Joint volume \u00d7 intensity quartiles"
    j = d.table("joint_models.csv")
    if j is None:
        return section("joint", title, missing_figure("joint", title, "joint_models.csv is "
                                                      "absent or empty."))
    cells, keys = [], []
    estimable = 0
    for v in range(1, 5):
        row = []
        for i in range(1, 5):
            hit = j[(j["volume_q"] == v) & (j["intensity_q"] == i)]
            rr = _num(hit["rr"].iloc[0]) if len(hit) else None
            if rr is not None and rr > 0:
                estimable += 1
                h = hit.iloc[0]
                sub = f"({h['ci_low']:.2f}\u2013{h['ci_high']:.2f})" if _num(h["ci_low"]) else ""
                if "cases" in h and not is_missing(h.get("n")):
                    sub += f" {h['cases']:,.0f}/{h['n']:,.0f}"
            else:
                sub = "no participants" if not len(hit) else "not estimable"
                rr = None
            row.append((rr, sub))
            keys.append((v, i, rr))
        cells.append(row)
    key_html = "".join(keyed(f"joint-rr-{v}-{i}", "not estimable" if rr is None else f"{rr:.2f}")
                       for v, i, rr in keys)
    hidden = f'<div class="joint-values" hidden>{key_html}</div>'
    if estimable <= 1:
        return section("joint", title, missing_figure(
            "joint", title, "No joint cell besides the reference could be estimated.") + hidden)
    desc = ("4 by 4 grid of risk ratios: rows are walking-volume quartiles 1 to 4, columns "
            "walking-intensity quartiles 1 to 4; reference is quartile 1 of both. "
            f"{16 - estimable} cells not estimable.")
    svg = _charts.heatmap("joint", [f"Volume Q{v}" for v in range(1, 5)],
                          [f"Intensity Q{i}" for i in range(1, 5)], cells, "Walking intensity",
                          "", title, desc)
    return section("joint", title, figure("joint", svg, title + ": risk ratio, 95% CI and "
                                          "cases/participants in each cell.") + hidden)


def stratum_label(r: pd.Series) -> str:
    name, value = str(r.get("stratifier", "")), r.get("stratum", "")
    val = "" if is_missing(value) else str(value)
    if name == "age65":
        val = "\u226565 y" if val in ("1", "1.0", "True") else "<65 y"
        return f"Age {val}"
    if name == "intensity_q":
        return f"Intensity quartile {val.replace('.0', '')}"
    return f"{name.capitalize()}: {val}" if name else val


def stratified_section(d: CohortData) -> str:
    title = "Risk ratios within subgroups (forest plot)"
    s = d.table("stratified_models.csv")
    if s is None:
        return section("stratified", "Subgroups", missing_figure(
            "forest", title, "stratified_models.csv is absent or empty."))
    if "adjustment" in s.columns and (s["adjustment"] == "multi").any():
        s = s[s["adjustment"] == "multi"]
    group_cols = [c for c in ("stratifier", "stratum", "exposure") if c in s.columns]
    rows: list[tuple[str, float | None, float | None, float | None, bool]] = []
    for _, g in s.groupby(group_cols, sort=False):
        first = g.iloc[0]
        exp = EXPOSURES.get(str(first["exposure"]), (str(first["exposure"]),))[0]
        rows.append((f"{stratum_label(first)} \u2014 {exp.lower()}", None, None, None, True))
        for _, r in g[g["category"] != 1].iterrows():
            rows.append((f"Q{int(r['category'])} vs Q1", _num(r["rr"]), _num(r["ci_low"]),
                         _num(r["ci_high"]), False))
    if not any(r[1] for r in rows):
        return section("stratified", "Subgroups", missing_figure(
            "forest", title, "No subgroup risk ratio could be estimated."))
    desc = (f"Forest plot of {sum(not r[4] for r in rows)} multi-adjusted risk ratios with 95% "
            "confidence intervals in subgroups by age, sex and intensity quartile, log scale.")
    svg = _charts.forest("forest", rows, title, desc)
    return section("stratified", "Subgroups", figure("forest", svg, title + "; multi-adjusted."))


def interaction_section(d: CohortData) -> str:
    t = d.table("interaction_tests.csv")
    if t is None:
        return section("interaction", "Interaction tests", note("interaction_tests.csv is "
                                                                "absent or empty."))
    rows = [[esc(r["exposure"]), esc(r["modifier"]), esc(fmt_num(r.get("n"))),
             esc(fmt_num(r.get("lr_chi2"), 2)), esc(fmt_num(r.get("df"))),
             keyed(f"interaction-p-{r['exposure']}-{r['modifier']}", fmt_p(r["p_value"]))]
            for _, r in t.iterrows()]
    return section("interaction", "Interaction tests (likelihood ratio)", table(
        ["Exposure", "Modifier", "n", "LR \u03c7\u00b2", "df", "p"], rows, raw=True))


def sensitivity_section(d: CohortData) -> str:
    s = d.table("sensitivity.csv")
    if s is None:
        return section("sensitivity", "Sensitivity analyses", note("sensitivity.csv is absent "
                                                                    "or empty."))
    if "adjustment" in s.columns and (s["adjustment"] == "multi").any():
        s = s[s["adjustment"] == "multi"]
    rows = []
    for (analysis, exp), g in s.groupby(["analysis", "exposure"], sort=False):
        g = g.set_index("category")
        first = g.iloc[0]
        desc = str(first.get("description", analysis)) if "description" in g else str(analysis)
        cells = [esc(desc), esc(exp), esc(fmt_num(g["n"].sum() if "n" in g else None))]
        for cat in (2, 3, 4):
            key = f"sens-rr-{analysis}-{exp}-{cat}"
            if cat in g.index and _num(g.loc[cat, "rr"]) is not None:
                r = g.loc[cat]
                cells.append(rr_cell(key, r["rr"], r["ci_low"], r["ci_high"]))
            else:
                why = next((str(v) for v in g.get("note", pd.Series(dtype=object))
                            if not is_missing(v) and str(v) != "reference"), "")
                cells.append(keyed(key, "not estimable") + (f" <small>({esc(why)})</small>"
                                                            if why else ""))
        rows.append(cells)
    return section("sensitivity", "Sensitivity analyses", "<p>Multi-adjusted risk ratios; "
                   "quartiles re-cut within each subsample.</p>" + table(
                       ["Analysis", "Exposure", "n", "Q2 vs Q1", "Q3 vs Q1", "Q4 vs Q1"], rows,
                       raw=True))


def evalue_section(d: CohortData) -> str:
    e = d.table("evalues.csv")
    if e is None:
        return section("evalues", "E-values", note(
            "No E-values: evalues.csv is absent or empty (E-values are computed only for "
            "multi-adjusted risk ratios whose upper confidence limit is below 1)."))
    rows = []
    for _, r in e.iterrows():
        key = f"evalue-{r['exposure']}-{int(r['category'])}"
        rows.append([esc(r["exposure"]), esc(f"Q{int(r['category'])}"),
                     rr_cell(f"{key}-rr", r["rr"], r.get("ci_low"), r.get("ci_high")),
                     keyed(key, fmt_num(r["evalue_rr"], 2)),
                     keyed(key + "-ci", fmt_num(r.get("evalue_ci"), 2))])
    return section("evalues", "E-values", "<p>The E-value is the minimum strength of association "
                   "(risk ratio scale) that an unmeasured confounder would need with both walking "
                   "and back pain to explain the association away.</p>" + table(
                       ["Exposure", "Quartile", "RR (95% CI)", "E-value (RR)", "E-value (CI)"],
                       rows, raw=True))
