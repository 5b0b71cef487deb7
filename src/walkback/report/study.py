"""The published results the participant report places a person against.

Haddadj R, et al. Volume and Intensity of Walking and Risk of Chronic Low Back Pain. JAMA Netw Open
2025;8(6):e2515592. doi:10.1001/jamanetworkopen.2025.15592 (HUNT Study, Norway; 11,194 adults aged
20 years or more, median follow-up 4.2 years). Multi-adjusted risk ratios of chronic low back pain at
follow-up by sample quartile of walking volume and walking intensity, lowest quartile as reference
(values as reported in the abstract and news coverage; see ``study-spec.md`` section 2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from walkback.definitions import MET_BY_PACE, PACES

CITATION = (
    "Haddadj R, et al. Volume and Intensity of Walking and Risk of Chronic Low Back Pain. "
    "JAMA Netw Open. 2025;8(6):e2515592. doi:10.1001/jamanetworkopen.2025.15592"
)
STUDY_N = 11194


@dataclass(frozen=True)
class Category:
    """One published exposure category: label, inclusive bounds on the rounded value, RR (95 % CI)."""

    label: str
    lower: float  # inclusive, on the value rounded as the label is (-inf for the first)
    upper: float  # inclusive (inf for the last)
    rr: float
    ci_low: float
    ci_high: float


#: Walking volume, minutes per valid day (rounded to whole minutes before comparison).
VOLUME = (
    Category("<78 min/day", -math.inf, 77, 1.00, 1.00, 1.00),
    Category("78\u2013100 min/day", 78, 100, 0.87, 0.77, 0.98),
    Category("101\u2013124 min/day", 101, 124, 0.77, 0.68, 0.87),
    Category("\u2265125 min/day", 125, math.inf, 0.76, 0.67, 0.87),
)

#: Walking intensity, time-weighted MET of walking (rounded to 0.01 MET before comparison).
INTENSITY = (
    Category("<3.00 MET", -math.inf, 2.99, 1.00, 1.00, 1.00),
    Category("3.00\u20133.11 MET", 3.00, 3.11, 0.85, 0.75, 0.96),
    Category("3.12\u20133.26 MET", 3.12, 3.26, 0.82, 0.72, 0.93),
    Category("\u22653.27 MET", 3.27, math.inf, 0.82, 0.72, 0.93),
)

#: MET of slow, moderate and brisk walking used by the study for the intensity exposure.
PACE_MET = dict(zip(PACES, MET_BY_PACE, strict=True))

#: "slow 2.8, moderate 3.8, brisk 4.8" for the page texts.
PACE_MET_TEXT = ", ".join(f"{p} {m:g}" for p, m in PACE_MET.items())


def category_index(categories: tuple[Category, ...], value: float, decimals: int) -> int | None:
    """0-based index of the category holding ``value`` rounded to ``decimals``; None for NaN."""
    if value is None or not math.isfinite(value):
        return None
    scale = 10.0 ** decimals
    v = math.floor(value * scale + 0.5 + 1e-9) / scale  # half up, as a published label would
    for i, cat in enumerate(categories):
        if cat.lower <= v <= cat.upper:
            return i
    return None
