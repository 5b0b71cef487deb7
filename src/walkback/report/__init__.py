"""Self-contained HTML reports from the files the pipeline writes (tables and plots only).

* :func:`participant_report` — one participant's days from a ``process-one`` folder: activity
  timeline, daily minutes, walking against the HUNT study's volume groups, pace, cadence, steps,
  wear, quality checks.
* :func:`cohort_report` — an ``analyze`` folder (optionally a ``process`` folder): flow, Table 1,
  quartile risk ratios, dose-response curves, joint heatmap, forest plot, sensitivity, E-values,
  QC summary, provenance.

Each page is a single HTML file with inline CSS and SVG: it opens offline and loads nothing.
Key numbers sit in elements with a stable ``data-key`` attribute (see ``docs/reports.md``).
"""

from walkback.report.cohort import CohortData, cohort_report, load_cohort, render_cohort
from walkback.report.participant import (
    ParticipantData,
    load_participant,
    participant_report,
    render_participant,
)

__all__ = [
    "CohortData",
    "ParticipantData",
    "cohort_report",
    "load_cohort",
    "load_participant",
    "participant_report",
    "render_cohort",
    "render_participant",
]
