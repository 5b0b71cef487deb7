"""Figures of the cohort analysis (matplotlib, Agg backend; no computation here).

* ``dose_response_{volume,intensity}.png``: RR on a log axis with the 95 % CI band, reference line at
  1, knots marked, and the exposure's histogram underneath (as in the study's Stata figure).
* ``joint_heatmap.png``: the 16 joint-cell RRs (volume quartile x intensity quartile).
* ``coda_isotemporal.png``: isotemporal substitution curves of the compositional analysis.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

#: candidate risk-ratio ticks on the log axis
_RR_TICKS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.5, 1.75, 2.0, 2.5,
             3.0, 4.0, 5.0, 7.5, 10.0)
LABELS = {
    "volume": "Daily walking (min/day)",
    "intensity": "Walking intensity (MET)",
    "trunk": "Trunk bent forward while upright (min/day)",
}


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def dose_response(
    curve: pd.DataFrame,
    knots: Sequence[float],
    reference: float,
    x_observed: np.ndarray,
    exposure: str,
    path: Path,
) -> None:
    """Plot RR(x) with its CI band on a log y axis; knots as dotted lines; histogram below."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.0, 4.2), dpi=110)
    hax = ax.twinx()
    hax.hist(x_observed, bins=50, color="0.85", edgecolor="0.6", linewidth=0.3)
    hax.set_ylabel("participants")
    hax.set_ylim(0, max(1, hax.get_ylim()[1]) * 4)
    ax.set_zorder(hax.get_zorder() + 1)
    ax.patch.set_visible(False)
    ax.fill_between(curve["x"], curve["ci_low"], curve["ci_high"], color="navy", alpha=0.3,
                    linewidth=0)
    ax.plot(curve["x"], curve["rr"], color="navy", linewidth=1.6)
    ax.axhline(1.0, color="black", linewidth=0.6)
    for k in knots:
        ax.axvline(k, color="0.4", linestyle=":", linewidth=0.8)
    ax.set_yscale("log")
    lo, hi = ax.get_ylim()
    ticks = [t for t in _RR_TICKS if lo <= t <= hi] or [1.0]
    ax.yaxis.set_major_locator(plt.FixedLocator(ticks))
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(plt.NullFormatter())
    ax.set_xlabel(LABELS.get(exposure, exposure))
    ax.set_ylabel("Adjusted risk ratio (log scale)")
    ax.set_title(
        f"{LABELS.get(exposure, exposure)} and chronic low back pain\n"
        f"reference {reference:.3g} (p10); knots {', '.join(f'{k:.3g}' for k in knots)}",
        fontsize=9,
    )
    ax.set_xlim(float(curve["x"].min()), float(curve["x"].max()))
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def joint_heatmap(joint: pd.DataFrame, path: Path) -> None:
    """4x4 heatmap of RRs (log colour scale centred on 1), annotated with RR and 95 % CI."""
    plt = _pyplot()
    from matplotlib.colors import LogNorm

    grid = np.full((4, 4), np.nan)
    text = [["" for _ in range(4)] for _ in range(4)]
    for r in joint.itertuples():
        i, j = int(r.intensity_q) - 1, int(r.volume_q) - 1
        grid[i, j] = r.rr
        est = "1 (ref)" if (i, j) == (0, 0) else f"{r.rr:.2f}\n({r.ci_low:.2f}-{r.ci_high:.2f})"
        text[i][j] = f"{est}\nn={r.n}"
    finite = grid[np.isfinite(grid)]
    span = float(np.max(np.abs(np.log(finite)))) if finite.size else 0.1
    span = max(span, 0.05)
    fig, ax = plt.subplots(figsize=(6.0, 5.0), dpi=110)
    im = ax.imshow(grid, origin="lower", cmap="RdBu_r",
                   norm=LogNorm(vmin=np.exp(-span), vmax=np.exp(span)))
    for i in range(4):
        for j in range(4):
            dark = np.isfinite(grid[i, j]) and abs(np.log(grid[i, j])) > 0.6 * span
            ax.text(j, i, text[i][j], ha="center", va="center", fontsize=7,
                    color="white" if dark else "black")
    ax.set_xticks(range(4), [f"Q{k}" for k in range(1, 5)])
    ax.set_yticks(range(4), [f"Q{k}" for k in range(1, 5)])
    ax.set_xlabel("Walking volume quartile")
    ax.set_ylabel("Walking intensity quartile")
    ax.set_title("Joint association: RR (95% CI) vs volume Q1 + intensity Q1", fontsize=9)
    cb = fig.colorbar(im, ax=ax, label="risk ratio (log scale)")
    cb.ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.2g}"))
    cb.ax.yaxis.set_minor_formatter(plt.FuncFormatter(lambda v, _: f"{v:.2g}"))
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


#: colours of the five parts (colour-blind safe, Okabe-Ito)
PART_COLOURS = {"sleep": "#0072B2", "sedentary": "#D55E00", "standing": "#009E73",
                "walking": "#CC79A7", "running_cycling": "#E69F00"}


def isotemporal_curves(iso: pd.DataFrame, path: Path, adjustment: str = "multi") -> None:
    """Isotemporal substitution curves: one panel per part receiving time, one curve (with its
    95 % CI band) per part giving it; RR on a log axis against the minutes/day moved."""
    plt = _pyplot()
    t = iso[iso["adjustment"] == adjustment]
    receivers = list(dict.fromkeys(t["to_part"]))
    fig, axes = plt.subplots(2, 3, figsize=(11.0, 6.6), dpi=110, sharey=True)
    flat = axes.ravel()
    for ax, to in zip(flat, receivers, strict=False):
        for src, g in t[t["to_part"] == to].groupby("from_part", sort=False):
            g = g.sort_values("minutes")
            colour = PART_COLOURS.get(src, "0.3")
            ax.fill_between(g["minutes"], g["ci_low"], g["ci_high"], color=colour, alpha=0.15,
                            linewidth=0)
            ax.plot(g["minutes"], g["rr"], color=colour, linewidth=1.6, label=f"from {src}")
        ax.axhline(1.0, color="black", linewidth=0.6)
        ax.axvline(0.0, color="0.5", linewidth=0.6, linestyle=":")
        ax.set_yscale("log")
        ax.set_title(f"time moved to {to}", fontsize=9)
        ax.set_xlabel("minutes/day moved (negative: taken from it)", fontsize=8)
        ax.legend(fontsize=7, loc="best", frameon=False)
    for ax in flat[len(receivers):]:
        ax.axis("off")
    lo, hi = flat[0].get_ylim()
    ticks = [v for v in _RR_TICKS if lo <= v <= hi] or [1.0]
    for ax in flat[:len(receivers)]:
        ax.yaxis.set_major_locator(plt.FixedLocator(ticks))
        ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:g}"))
        ax.yaxis.set_minor_formatter(plt.NullFormatter())
    for row in axes:
        row[0].set_ylabel("Risk ratio (log scale)")
    fig.suptitle(f"Isotemporal substitution from the compositional mean ({adjustment}-adjusted), "
                 "chronic low back pain", fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
