"""Cohort report: the compositional (24-h time-use) analysis section, from the ``coda_*`` files."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from walkback.report import _charts
from walkback.report._html import esc, figure, fmt_num, is_missing, keyed, note, rr_cell, section
from walkback.report._html import table as html_table
from walkback.report.palette import OKABE_ITO

if TYPE_CHECKING:
    from walkback.report.cohort import CohortData

PARTS = ("sleep", "sedentary", "standing", "walking", "running_cycling")
LABELS = {"sleep": "Sleep", "sedentary": "Sedentary (sitting, lying awake)",
          "standing": "Standing", "walking": "Walking", "running_cycling": "Running and cycling"}
COLOURS = {"sleep": OKABE_ITO["blue"], "sedentary": OKABE_ITO["vermillion"],
           "standing": OKABE_ITO["bluish_green"], "walking": OKABE_ITO["reddish_purple"],
           "running_cycling": OKABE_ITO["orange"]}
TITLE = "24-hour time use: compositional analysis"


def _m(v: float) -> str:
    return f"{v:g}"


def _not_run(d: CohortData) -> str:
    prov = (d.provenance or {}).get("coda") or {}
    why = prov.get("reason") or "the coda_*.csv files are absent from the analyze folder"
    return section("coda", TITLE, note(f"The compositional analysis was not run: {why}."))


def _tables(d: CohortData) -> list[str]:
    parts = []
    flow = d.table("coda_flow.csv")
    if flow is not None:
        rows = [[esc(r["step"]), keyed(f"coda-flow-remaining-{i}", fmt_num(r["remaining"]))]
                for i, r in flow.reset_index(drop=True).iterrows()]
        parts.append("<h3>Sample</h3>" + html_table(["Step", "Remaining"], rows, raw=True))
    mean = d.table("coda_mean.csv")
    if mean is not None:
        rows = [[esc(LABELS.get(r["part"], r["part"])),
                 keyed(f"coda-mean-{r['part']}", fmt_num(r["minutes"], 1))]
                for _, r in mean.iterrows()]
        parts.append("<h3>Compositional mean</h3><p>Geometric mean of each part over the "
                     "participants, closed to 1,440 min; every substitution starts here.</p>"
                     + html_table(["Part", "Minutes/day"], rows, raw=True))
    models = d.table("coda_models.csv")
    if models is not None:
        adjs = [a for a in ("age", "multi") if a in set(models["adjustment"])]
        rows = []
        for p in [p for p in PARTS if p in set(models["part"])]:
            cells = [esc(LABELS.get(p, p))]
            for a in adjs:
                hit = models[(models["part"] == p) & (models["adjustment"] == a)]
                h = hit.iloc[0]
                cells.append(rr_cell(f"coda-rr-{a}-{p}", h["rr"], h["ci_low"], h["ci_high"]))
            rows.append(cells)
        head = ["Part (relative to the other four)"] + [
            {"age": "Age-adjusted RR", "multi": "Multi-adjusted RR"}[a] for a in adjs]
        parts.append("<h3>Each part relative to the others</h3><p>Risk ratio per unit of the "
                     "first pivot (isometric log-ratio) coordinate, with that part first.</p>"
                     + html_table(head, rows, raw=True))
    return parts


def _curves(iso) -> list[str]:
    out = []
    t = iso[iso["adjustment"] == "multi"] if (iso["adjustment"] == "multi").any() else iso
    for to in [p for p in PARTS if p in set(t["to_part"])]:
        name = f"coda-to-{to}"
        series = []
        for src in [p for p in PARTS if p in set(t["from_part"]) and p != to]:
            g = t[(t["to_part"] == to) & (t["from_part"] == src)].sort_values("minutes")
            g = g[np.isfinite(g[["rr", "ci_low", "ci_high"]]).all(axis=1)]
            if len(g) >= 2:
                series.append((f"from {LABELS[src].split(' (')[0].lower()}", COLOURS[src],
                               list(g["minutes"]), list(g["rr"]), list(g["ci_low"]),
                               list(g["ci_high"])))
        if not series:
            continue
        title = f"Time moved to {LABELS[to].split(' (')[0].lower()}"
        rr = [v for s in series for v in s[3]]
        desc = (f"Risk ratio against minutes per day moved to {to} from {len(series)} other "
                f"parts, from {min(s[2][0] for s in series):g} to "
                f"{max(s[2][-1] for s in series):g} min; risk ratios {min(rr):.2f} to "
                f"{max(rr):.2f}.")
        svg = _charts.curves_ci(name, series, "Minutes/day moved (negative: moved the other way)",
                                title, desc)
        out.append(figure(name, svg, f"{title}: multi-adjusted risk ratio and 95% CI (log "
                          "scale) against the compositional mean."))
    return out


def _substitutions(iso, ev, minutes: float) -> str:
    t = iso[(iso["adjustment"] == "multi") & np.isclose(iso["minutes"], minutes)]
    evk = {}
    if ev is not None:
        for _, r in ev[np.isclose(ev["minutes"], minutes)].iterrows():
            evk[(r["from_part"], r["to_part"])] = r["evalue_rr"]
    rows = []
    for _, r in t.iterrows():
        key = f"coda-iso-{r['from_part']}-{r['to_part']}-{_m(minutes)}"
        e = evk.get((r["from_part"], r["to_part"]))
        rows.append([esc(LABELS[r["from_part"]].split(" (")[0]),
                     esc(LABELS[r["to_part"]].split(" (")[0]),
                     rr_cell(key, r["rr"], r["ci_low"], r["ci_high"]),
                     keyed(key + "-evalue", "" if e is None or is_missing(e) else f"{e:.2f}")])
    return (f"<h3>Moving {minutes:g} min/day</h3><p>Multi-adjusted risk ratios of moving "
            f"{minutes:g} min/day from one part to another, starting from the compositional mean; "
            "E-values where the CI excludes 1.</p>"
            + html_table(["From", "To", "RR (95% CI)", "E-value"], rows, raw=True))


def _secondary(d: CohortData, minutes: float) -> str:
    s = d.table("coda_sensitivity.csv")
    if s is None:
        return note("coda_sensitivity.csv is absent or empty.")
    rows = []
    for analysis, g in s.groupby("analysis", sort=False):
        first = g.iloc[0]
        hit = g[(g["from_part"] == "sedentary") & (g["to_part"] == "walking")
                & np.isclose(g["minutes"].astype(float), minutes)]
        key = f"coda-sens-{analysis}-{first.get('adjustment', 'multi')}"
        cell = (rr_cell(key, hit.iloc[0]["rr"], hit.iloc[0]["ci_low"], hit.iloc[0]["ci_high"])
                if len(hit) and not is_missing(hit.iloc[0]["rr"]) else
                keyed(key, "not estimable") + (f" <small>({esc(first['note'])})</small>"
                                               if not is_missing(first.get("note")) else ""))
        rows.append([esc(first.get("description", analysis)), esc(fmt_num(first.get("n"))),
                     esc(fmt_num(first.get("cases"))), cell])
    return (f"<h3>Strata and sensitivity analyses</h3><p>{minutes:g} min/day moved from "
            "sedentary time to walking, in each subsample (all substitutions are in "
            "coda_sensitivity.csv).</p>"
            + html_table(["Sample", "n", "Cases", "RR (95% CI)"], rows, raw=True))


def coda_section(d: CohortData) -> str:
    iso = d.table("coda_isotemporal.csv")
    if iso is None:
        return _not_run(d)
    prov = (d.provenance or {}).get("coda") or {}
    zeros = (prov.get("participants_with_zero") or {}).get("running_cycling")
    lead = ("<p>The day as a composition of five parts that add up to 24 hours (sleep, sedentary "
            "time, standing, walking, running and cycling), analysed with pivot coordinates and "
            "robust Poisson regression as in the authors' compositional code "
            "(rayanehaddadj/coda-chronic-lbp-hunt); isotemporal substitution after Dumuid et al. "
            "2018. Zeros were replaced multiplicatively (Martin-Fernandez et al. 2003)"
            + (f": {zeros:,} participants had no running or cycling" if zeros else "")
            + ". Risk ratios describe associations, not proven causes.</p>")
    minutes = [m for m in sorted(set(iso["minutes"].astype(float))) if m > 0]
    show = 30.0 if 30.0 in minutes else (minutes[len(minutes) // 2] if minutes else 0.0)
    body = [lead, *_tables(d), "<h3>Isotemporal substitution</h3>", *_curves(iso)]
    if minutes:
        body.append(_substitutions(iso, d.table("coda_evalues.csv"), show))
        body.append(_secondary(d, show))
    return section("coda", TITLE, "".join(body))
