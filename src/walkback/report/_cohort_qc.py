"""Cohort report: QC summary of a process run, provenance, appendix and page assembly."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from walkback.report import _cohort_sections as cs
from walkback.report._coda_section import coda_section
from walkback.report._html import (
    definition_list,
    esc,
    fmt_num,
    is_missing,
    keyed,
    note,
    page,
    section,
    table,
)

if TYPE_CHECKING:
    from walkback.report.cohort import CohortData

#: qc_summary.csv numeric columns summarised by median and range (when present).
QC_NUMERIC = ("wear_days", "valid_days", "thigh_wear_h", "back_wear_h", "sync_offset_s",
              "sync_drift_ppm", "thigh_calib_error_before_mg", "thigh_calib_error_after_mg",
              "back_calib_error_after_mg")


def qc_section(d: CohortData) -> str:
    if d.process_folder is None:
        return section("qc", "Processing quality control", note(
            "No process folder was given (walkback report cohort DIR --process DIR), so there "
            "is no processing QC summary."))
    parts = []
    qc = d.process.get("qc_summary.csv")
    if qc is None or not len(qc):
        parts.append(note("qc_summary.csv is absent or empty in the process folder."))
    else:
        status = qc["status"].astype(str)
        rows = [["Participants in the manifest", keyed("qc-n-participants", fmt_num(len(qc)))],
                ["Processed", keyed("qc-n-ok", fmt_num((status == "ok").sum()))],
                ["Failed", keyed("qc-n-failed", fmt_num((status == "failed").sum()))]]
        for col in QC_NUMERIC:
            if col in qc.columns:
                v = pd.to_numeric(qc[col], errors="coerce").dropna()
                if len(v):
                    rows.append([esc(f"{col} median (min\u2013max)"),
                                 keyed(f"qc-median-{col}", fmt_num(v.median(), 2))
                                 + esc(f" ({fmt_num(v.min(), 2)}\u2013{fmt_num(v.max(), 2)})")])
        for col in ("thigh_orientation", "back_orientation"):
            if col in qc.columns:
                fixed = qc[col].dropna().astype(str)
                fixed = fixed[~fixed.str.lower().isin(["", "none", "ok", "false", "nan"])]
                rows.append([esc(f"{col.replace('_', ' ')}: participants fixed"),
                             esc(fmt_num(len(fixed)))])
        parts.append(table(["Quantity", "Value"], rows, raw=True))
    parts.append(_errors_table(d.process.get("errors.csv")))
    days = d.cohort_days
    if days is not None:
        n_valid = int(days["valid_study"].astype(str).str.lower().isin(["true", "1"]).sum()) \
            if "valid_study" in days else None
        parts.append(f"<p>cohort_days.parquet: {fmt_num(days['participant_id'].nunique())} "
                     f"participants, {fmt_num(len(days))} days"
                     + (f", {fmt_num(n_valid)} valid by the study rule" if n_valid is not None
                        else "") + ".</p>")
    return section("qc", "Processing quality control", "".join(parts))


def _errors_table(err: pd.DataFrame | None) -> str:
    if err is None:
        return note("errors.csv is absent in the process folder.")
    if not len(err):
        return f"<p>{keyed('qc-n-errors', '0')} participants failed.</p>"
    cols = [c for c in ("participant_id", "stage", "error_type", "message") if c in err.columns]
    rows = [["" if is_missing(v) else str(v) for v in r] for r in
            err[cols].head(100).itertuples(index=False)]
    more = f" (first 100 of {len(err):,})" if len(err) > 100 else ""
    word = "participant" if len(err) == 1 else "participants"
    return (f"<p>{keyed('qc-n-errors', fmt_num(len(err)))} {word} failed{esc(more)}:</p>"
            + table(cols, rows))


def provenance_section(d: CohortData) -> str:
    if not d.provenance:
        return section("provenance", "Provenance", note("provenance.json is absent."))
    prov = d.provenance
    head = [["walkback version", keyed("prov-version", str(prov.get("walkback_version", "")))],
            ["Time of run (UTC)", esc(prov.get("time_of_run_utc", prov.get("time", "")))]]
    checks = prov.get("input_checksums_sha256") or {}
    rows = [[str(k), str(v)] for k, v in checks.items()] if isinstance(checks, dict) else []
    rest = {k: v for k, v in prov.items() if k not in ("walkback_version", "time_of_run_utc",
                                                       "input_checksums_sha256")}
    body = table(["Item", "Value"], head, raw=True)
    if rows:
        body += table(["Input file", "SHA-256"], rows, caption="Input checksums")
    body += f"<p>Analyze folder: <code>{esc(d.folder)}</code></p>"
    body += "<h3>Full provenance.json</h3>" + definition_list(rest)
    return section("provenance", "Provenance", body)


def appendix_section(d: CohortData) -> str:
    s = d.table("stratified_models.csv")
    parts = []
    if s is not None:
        rows = []
        for i, r in s.iterrows():
            key = f"strat-rr-{i}"
            rows.append([esc(cs.stratum_label(r)), esc(r.get("exposure", "")),
                         esc(r.get("adjustment", "")), esc(f"Q{int(r['category'])}"),
                         esc(fmt_num(r.get("n"))), esc(fmt_num(r.get("cases"))),
                         cs.rr_cell(key, r["rr"], r["ci_low"], r["ci_high"])])
        parts.append("<h3>Stratified models (all rows)</h3>" + table(
            ["Subgroup", "Exposure", "Adjustment", "Quartile", "n", "Cases", "RR (95% CI)"],
            rows, raw=True))
    files = sorted(p.name for p in d.folder.iterdir() if p.is_file())
    parts.append("<h3>Files in the analyze folder</h3>" + table(["File"], [[f] for f in files]))
    parts.append("<p>Every estimate can be refitted from analysis_data.csv and models.json.</p>")
    return f'<div class="appendix">{section("appendix", "Technical appendix", "".join(parts))}' \
           "</div>"


def build_page(d: CohortData) -> str:
    """Assemble the cohort report."""
    toc = [("flow", "Exclusion flow"), ("table1", "Table 1"), ("quartiles", "Risk ratios"),
           ("dose-response", "Dose-response"), ("joint", "Joint analysis"),
           ("stratified", "Subgroups"), ("interaction", "Interaction tests"),
           ("sensitivity", "Sensitivity analyses"), ("evalues", "E-values"),
           ("coda", "24-h time use"), ("qc", "Processing QC"), ("provenance", "Provenance"), ("appendix", "Appendix")]
    intro = ("<p class=\"lead\">Walking volume and intensity and the risk of chronic low back "
             "pain: a reanalysis following Haddadj et al., JAMA Netw Open 2025;8(6):e2515592. "
             "Risk ratios describe associations, not proven causes.</p>")
    body = "".join([intro, cs.flow_section(d), cs.table1_section(d), cs.quartile_section(d),
                    cs.spline_section(d), cs.joint_section(d), cs.stratified_section(d),
                    cs.interaction_section(d), cs.sensitivity_section(d), cs.evalue_section(d),
                    coda_section(d), qc_section(d), provenance_section(d), appendix_section(d)])
    return page("Cohort report: walking and chronic low back pain",
                f"Analysis folder {d.folder.name}", toc, body)
