"""Cohort report: one self-contained HTML page from an ``analyze`` output folder (and optionally
a ``process`` output folder for the quality-control summary).

Only ``quartile_models.csv`` is required; every other file is optional and its section says so
when it is absent or empty. Column names follow ``walkback.cohort.results``; extra columns are
ignored, missing required ones raise one :class:`~walkback.errors.InputDataError`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from walkback.errors import InputDataError
from walkback.report import _inputs
from walkback.report._html import write_report

log = logging.getLogger(__name__)

RR = ("rr", "ci_low", "ci_high")
QUARTILE_REQUIRED = ("exposure", "adjustment", "category", *RR)
QUARTILE_NUMERIC = ("category", "lower", "upper", "n", "cases", *RR)
TABLES = {
    # file: (required columns, numeric columns)
    "flow.csv": (("step", "remaining"), ("excluded", "remaining")),
    "table1.csv": ((), ()),
    "joint_models.csv": (("volume_q", "intensity_q", *RR),
                         ("volume_q", "intensity_q", "n", "cases", *RR)),
    "stratified_models.csv": (("exposure", "category", *RR), QUARTILE_NUMERIC),
    "interaction_tests.csv": (("exposure", "modifier", "p_value"),
                              ("n", "cases", "lr_chi2", "df", "p_value")),
    "sensitivity.csv": (("analysis", "exposure", "category", *RR), QUARTILE_NUMERIC),
    "evalues.csv": (("exposure", "category", "rr", "evalue_rr"),
                    ("category", *RR, "evalue_rr", "evalue_ci")),
    "spline_volume.csv": (("x", *RR), ("x", *RR)),
    "spline_intensity.csv": (("x", *RR), ("x", *RR)),
    # the compositional analysis (absent when it did not run)
    "coda_flow.csv": (("step", "remaining"), ("remaining",)),
    "coda_mean.csv": (("part", "minutes"), ("minutes",)),
    "coda_models.csv": (("adjustment", "part", *RR), ("n", "cases", *RR)),
    "coda_isotemporal.csv": (("adjustment", "from_part", "to_part", "minutes", *RR),
                             ("minutes", *RR)),
    "coda_evalues.csv": (("from_part", "to_part", "minutes", "evalue_rr"),
                         ("minutes", *RR, "evalue_rr", "evalue_ci")),
    "coda_sensitivity.csv": (("analysis", "from_part", "to_part", "minutes", *RR),
                             ("n", "cases", "minutes", *RR)),
}
PROCESS_TABLES = {
    "qc_summary.csv": (("participant_id", "status"), ()),
    "errors.csv": (("participant_id",), ()),
}


@dataclass(frozen=True)
class CohortData:
    """The analyze outputs (and process outputs) the cohort report shows."""

    folder: Path
    quartiles: pd.DataFrame
    tables: dict[str, pd.DataFrame | None]
    splines: dict | None
    provenance: dict | None
    process_folder: Path | None = None
    process: dict[str, pd.DataFrame | None] = field(default_factory=dict)
    cohort_days: pd.DataFrame | None = None

    def table(self, name: str) -> pd.DataFrame | None:
        """A table by file name; None when absent or without rows."""
        df = self.tables.get(name)
        return df if df is not None and len(df) else None


def _read_cohort_days(path: Path) -> pd.DataFrame | None:
    if not path.is_file():
        return None
    return _inputs.read_parquet(path, ("participant_id",),
                                ["participant_id", "date", "valid_study", "walking_s"])


def load_cohort(folder: str | Path, process: str | Path | None = None) -> CohortData:
    """Read an analyze output folder (and optionally a process output folder)."""
    folder = _inputs.require_dir(Path(folder), "an analyze output folder")
    qpath = folder / "quartile_models.csv"
    if not qpath.is_file():
        raise InputDataError(f"{qpath}: not found; is {folder} the output folder of "
                             "`walkback analyze`?")
    quartiles = _inputs.read_csv(qpath, QUARTILE_REQUIRED, QUARTILE_NUMERIC)
    for col in ("exposure", "adjustment"):
        quartiles[col] = quartiles[col].astype(str)
    tables = {name: _inputs.read_optional_csv(folder, name, req, num)
              for name, (req, num) in TABLES.items()}
    proc: dict[str, pd.DataFrame | None] = {}
    days = None
    pfolder = None
    if process is not None:
        pfolder = _inputs.require_dir(Path(process), "a process output folder")
        proc = {name: _inputs.read_optional_csv(pfolder, name, req, num)
                for name, (req, num) in PROCESS_TABLES.items()}
        days = _read_cohort_days(pfolder / "cohort_days.parquet")
    return CohortData(folder, quartiles, tables, _inputs.read_json(folder / "splines.json"),
                      _inputs.read_json(folder / "provenance.json"), pfolder, proc, days)


def render_cohort(data: CohortData) -> str:
    """The report's complete HTML text."""
    from walkback.report._cohort_qc import build_page

    return build_page(data)


def cohort_report(folder: str | Path, out: str | Path, process: str | Path | None = None) -> Path:
    """Write the cohort report of ``folder`` (and ``process``) to ``out``; returns ``out``."""
    data = load_cohort(folder, process)
    out = Path(out)
    write_report(out, render_cohort(data))
    log.info("cohort report written to %s", out)
    return out
