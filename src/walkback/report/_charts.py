"""The report's charts, drawn as inline SVG with :mod:`walkback.report._svg`.

Each function takes plain Python sequences (already computed by the caller) and returns SVG markup.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from walkback.report._svg import Linear, Log, Svg, legend, padded_log_range, x_axis, y_axis

W = 900.0
#: Diverging colours for risk ratios (blue below 1, orange above), colour-blind safe.
RR_LOW, RR_MID, RR_HIGH = (0, 114, 178), (247, 247, 247), (213, 94, 0)


def barcode(name: str, rows: Sequence[tuple[str, Sequence[tuple[float, float, str]]]],
            legend_items: Sequence[tuple[str, str]], title: str, desc: str) -> str:
    """One 24-hour lane per day; ``rows`` = (label, [(start_h, end_h, colour), ...])."""
    left, right, lane, gap, top = 110.0, 20.0, 22.0, 8.0, 34.0
    height = top + len(rows) * (lane + gap) + 48
    svg = Svg(name, W, height, title, desc)
    x = Linear(0, 24, left, W - right)
    legend(svg, legend_items, left, 16, W - left - right)
    for i, (label, runs) in enumerate(rows):
        y = top + i * (lane + gap)
        svg.rect(left, y, W - left - right, lane, "#ffffff", 'stroke="#bbb" stroke-width="0.5"')
        for s, e, colour in runs:
            svg.rect(x(s), y, x(e) - x(s), lane, colour)
        svg.text(left - 8, y + lane / 2 + 4, label, "end", 12)
    y_end = top + len(rows) * (lane + gap)
    for h in range(0, 25, 3):
        svg.line(x(h), top - 4, x(h), y_end - gap, "#00000030", 0.7)
    x_axis(svg, x, list(range(0, 25, 3)), y_end, "Local time of day (hours)",
           fmt=lambda v: f"{int(v):02d}:00")
    return svg.render()


def stacked_hbars(name: str, labels: Sequence[str],
                  series: Sequence[tuple[str, str, Sequence[float]]], xlabel: str,
                  title: str, desc: str, xmax: float | None = None) -> str:
    """Horizontal stacked bars, one per label; ``series`` = (name, colour, values)."""
    left, right, bar, gap, top = 110.0, 30.0, 20.0, 8.0, 40.0
    height = top + len(labels) * (bar + gap) + 60
    svg = Svg(name, W, height, title, desc)
    totals = [sum(max(s[2][i], 0.0) for s in series) for i in range(len(labels))]
    xmax = xmax or max(totals + [1.0])
    x = Linear(0, xmax, left, W - right)
    legend(svg, [(s[0], s[1]) for s in series], left, 16, W - left - right)
    for i, label in enumerate(labels):
        y = top + i * (bar + gap)
        acc = 0.0
        for _, colour, values in series:
            v = max(values[i], 0.0)
            svg.rect(x(acc), y, x(acc + v) - x(acc), bar, colour, 'stroke="#fff" stroke-width="0.5"')
            acc += v
        svg.text(left - 8, y + bar / 2 + 4, label, "end", 12)
    x_axis(svg, x, x.ticks(8), top + len(labels) * (bar + gap), xlabel)
    return svg.render()


def vbars(name: str, labels: Sequence[str], values: Sequence[float], colour: str, ylabel: str,
          title: str, desc: str, bands: Sequence[tuple[float, float, str, str]] = (),
          hline: tuple[float, str] | None = None) -> str:
    """Vertical bars with optional shaded horizontal bands (lo, hi, colour, label) behind them."""
    left, right, top, bottom = 70.0, 150.0 if bands else 30.0, 20.0, 60.0
    height = 340.0
    svg = Svg(name, W, height, title, desc)
    vmax = max(list(values) + [b[0] for b in bands] + [hline[0] if hline else 0, 1.0]) * 1.12
    y = Linear(0, vmax, height - bottom, top)
    for lo, hi, fill, label in bands:
        y0, y1 = y(lo), y(min(hi, vmax))
        svg.rect(left, y1, W - left - right, y0 - y1, fill)
        svg.text(W - right + 6, (y0 + y1) / 2 + 4, label, size=11)
    y_axis(svg, y, y.ticks(6), left, W - right, ylabel)
    n = max(len(labels), 1)
    slot = (W - left - right) / n
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        bx = left + i * slot + slot * 0.2
        if v is not None and math.isfinite(v):
            svg.rect(bx, y(v), slot * 0.6, y(0) - y(v), colour)
            svg.text(bx + slot * 0.3, y(v) - 4, f"{v:,.0f}", "middle", 11)
        svg.text(bx + slot * 0.3, height - bottom + 16, label, "middle", 11)
    svg.line(left, y(0), W - right, y(0), "#444")
    if hline:
        svg.line(left, y(hline[0]), W - right, y(hline[0]), "#000", 1.5, 'stroke-dasharray="6 4"')
        svg.text(left + 4, y(hline[0]) - 5, hline[1], size=11)
    return svg.render()


def histogram(name: str, edges: Sequence[float], counts: Sequence[float], colour: str,
              xlabel: str, ylabel: str, title: str, desc: str) -> str:
    """Bars between consecutive ``edges`` with heights ``counts``."""
    left, right, top, bottom, height = 70.0, 30.0, 20.0, 50.0, 300.0
    svg = Svg(name, W, height, title, desc)
    x = Linear(edges[0], edges[-1], left, W - right)
    y = Linear(0, max(list(counts) + [1.0]) * 1.1, height - bottom, top)
    y_axis(svg, y, y.ticks(5), left, W - right, ylabel)
    for i, c in enumerate(counts):
        svg.rect(x(edges[i]) + 0.5, y(c), x(edges[i + 1]) - x(edges[i]) - 1, y(0) - y(c), colour)
    x_axis(svg, x, x.ticks(10), height - bottom, xlabel)
    return svg.render()


def curve_ci(name: str, xs: Sequence[float], rr: Sequence[float], lo: Sequence[float],
             hi: Sequence[float], xlabel: str, title: str, desc: str,
             knots: Sequence[float] = (), colour: str = "#0072B2") -> str:
    """Risk-ratio curve on a log axis with its 95 % CI band and dashed knot markers."""
    left, right, top, bottom, height = 70.0, 30.0, 20.0, 56.0, 340.0
    svg = Svg(name, W, height, title, desc)
    x = Linear(min(xs), max(xs), left, W - right)
    y = Log(*padded_log_range(list(lo) + list(hi) + list(rr)), height - bottom, top)
    y_axis(svg, y, y.ticks(), left, W - right, "Risk ratio (log scale)")
    band = [f"{x(a):.2f},{y(b):.2f}" for a, b in zip(xs, hi, strict=True)]
    band += [f"{x(a):.2f},{y(b):.2f}" for a, b in zip(reversed(xs), reversed(lo), strict=True)]
    svg.path("M" + " L".join(band) + " Z", fill=colour, extra='fill-opacity="0.2"')
    svg.line(left, y(1.0), W - right, y(1.0), "#000", 1, 'stroke-dasharray="3 3"')
    pts = " L".join(f"{x(a):.2f},{y(b):.2f}" for a, b in zip(xs, rr, strict=True))
    svg.path("M" + pts, stroke=colour, width=2.5)
    for k in knots:
        if min(xs) <= k <= max(xs):
            svg.line(x(k), top, x(k), height - bottom, "#666", 1, 'stroke-dasharray="2 4"')
            svg.text(x(k) + 3, top + 10, "knot", size=10, fill="#666")
    x_axis(svg, x, x.ticks(8), height - bottom, xlabel)
    return svg.render()


def rr_colour(rr: float | None) -> str:
    """Diverging fill for a risk ratio (log scale, saturating at 0.5 and 2)."""
    if rr is None or not math.isfinite(rr) or rr <= 0:
        return "#e0e0e0"
    t = max(-1.0, min(1.0, math.log(rr) / math.log(2.0)))
    end = RR_LOW if t < 0 else RR_HIGH
    mix = [round(m + (e - m) * abs(t)) for m, e in zip(RR_MID, end, strict=True)]
    return "#{:02x}{:02x}{:02x}".format(*mix)


def heatmap(name: str, row_labels: Sequence[str], col_labels: Sequence[str],
            cells: Sequence[Sequence[tuple[float | None, str]]], xlabel: str, ylabel: str,
            title: str, desc: str) -> str:
    """Grid of risk ratios; ``cells[r][c]`` = (rr or None, second text line)."""
    left, top, cw, ch = 150.0, 30.0, 170.0, 70.0
    height = top + ch * len(row_labels) + 70
    svg = Svg(name, W, height, title, desc)
    for r, rl in enumerate(row_labels):
        svg.text(left - 8, top + r * ch + ch / 2 + 4, rl, "end", 12)
        for c, (rr, sub) in enumerate(cells[r]):
            fill = rr_colour(rr)
            cx, cy = left + c * cw, top + r * ch
            svg.rect(cx, cy, cw - 2, ch - 2, fill)
            dark = rr is not None and math.isfinite(rr) and abs(math.log(max(rr, 1e-9))) > 0.45
            ink = "#ffffff" if dark else "#111111"
            main = "n/a" if rr is None or not math.isfinite(rr) else f"{rr:.2f}"
            svg.text(cx + cw / 2, cy + ch / 2, main, "middle", 16, ink, 'font-weight="700"')
            svg.text(cx + cw / 2, cy + ch / 2 + 17, sub, "middle", 11, ink)
    for c, cl in enumerate(col_labels):
        svg.text(left + c * cw + cw / 2, top - 8, cl, "middle", 12)
    y_end = top + ch * len(row_labels)
    svg.text(left + cw * len(col_labels) / 2, y_end + 22, xlabel, "middle", 12, "#333")
    svg.text(left - 8, y_end + 22, ylabel, "end", 12, "#333")
    svg.text(left + cw * len(col_labels) / 2, y_end + 44,
             "Blue: lower risk than the reference cell; orange: higher; grey: not estimable.",
             "middle", 11, "#555")
    return svg.render()


def forest(name: str, rows: Sequence[tuple[str, float | None, float | None, float | None, bool]],
           title: str, desc: str) -> str:
    """Forest plot; ``rows`` = (label, rr, ci_low, ci_high, is_group_header)."""
    left, right, top, row_h = 330.0, 150.0, 24.0, 20.0
    height = top + row_h * len(rows) + 60
    svg = Svg(name, W, height, title, desc)
    vals = [v for r in rows for v in r[1:4] if v is not None]
    x = Log(*padded_log_range(vals), left, W - right)
    y_end = top + row_h * len(rows)
    svg.line(x(1.0), top - 6, x(1.0), y_end, "#000", 1, 'stroke-dasharray="3 3"')
    for i, (label, rr, lo, hi, header) in enumerate(rows):
        y = top + i * row_h + row_h / 2
        weight = 'font-weight="700"' if header else ""
        svg.text(8 if header else 22, y + 4, label, size=12, extra=weight)
        if header:
            continue
        ok = rr is not None and math.isfinite(rr) and rr > 0
        if ok and lo is not None and hi is not None and math.isfinite(lo) and math.isfinite(hi):
            svg.line(x(lo), y, x(hi), y, "#333", 1.5)
        if ok:
            svg.rect(x(rr) - 4, y - 4, 8, 8, "#0072B2")
            ci = f" ({lo:.2f}\u2013{hi:.2f})" if lo is not None and hi is not None else ""
            svg.text(W - right + 8, y + 4, f"{rr:.2f}{ci}", size=11)
        else:
            svg.text(W - right + 8, y + 4, "not estimable", size=11, fill="#8a4b00")
    x_axis(svg, x, x.ticks(), y_end + 4, "Risk ratio (log scale)")
    return svg.render()


def flow(name: str, steps: Sequence[tuple[str, float, float]], start: float, title: str,
         desc: str) -> str:
    """Exclusion flow: a column of boxes (remaining) with side boxes (excluded)."""
    box_w, box_h, gap, x0 = 330.0, 42.0, 26.0, 40.0
    height = 20 + (len(steps) + 1) * (box_h + gap) - gap
    svg = Svg(name, W, height, title, desc)

    def box(x: float, y: float, w: float, lines: Sequence[str], fill: str) -> None:
        svg.rect(x, y, w, box_h, fill, 'stroke="#555" rx="6"')
        first = y + box_h / 2 + 4 - 7.5 * (len(lines) - 1)
        for j, s in enumerate(lines):
            svg.text(x + w / 2, first + j * 15, s, "middle", 12)

    y = 10.0
    box(x0, y, box_w, ["Records at start", f"n = {start:,.0f}"], "#e8f1f8")
    for label, excluded, remaining in steps:
        y_next = y + box_h + gap
        svg.line(x0 + box_w / 2, y + box_h, x0 + box_w / 2, y_next, "#555", 1.5)
        mid = y + box_h + gap / 2
        svg.line(x0 + box_w / 2, mid, x0 + box_w + 40, mid, "#555", 1)
        svg.rect(x0 + box_w + 40, mid - 13, W - x0 - box_w - 60, 26, "#fff3e0", 'stroke="#b58900"')
        text = f"Excluded: {label}"
        text = text if len(text) <= 62 else text[:60] + "\u2026"
        svg.text(x0 + box_w + 50, mid + 4, f"{text} (n = {excluded:,.0f})", size=11)
        y = y_next
        box(x0, y, box_w, [f"Remaining n = {remaining:,.0f}"], "#e8f1f8")
    return svg.render()


def curves_ci(name: str, series: Sequence[tuple[str, str, Sequence[float], Sequence[float],
                                                Sequence[float], Sequence[float]]],
              xlabel: str, title: str, desc: str) -> str:
    """Several risk-ratio curves on one log axis, each with its 95 % CI band.

    ``series`` = (label, colour, xs, rr, ci_low, ci_high); a dashed line marks RR 1 and a dotted
    one x = 0."""
    left, right, top, bottom, height = 70.0, 30.0, 44.0, 56.0, 360.0
    svg = Svg(name, W, height, title, desc)
    xs_all = [v for s in series for v in s[2]]
    x = Linear(min(xs_all), max(xs_all), left, W - right)
    vals = [v for s in series for col in s[3:] for v in col]
    y = Log(*padded_log_range(vals), height - bottom, top)
    legend(svg, [(s[0], s[1]) for s in series], left, 18, W - left - right)
    y_axis(svg, y, y.ticks(), left, W - right, "Risk ratio (log scale)")
    for _label, colour, xs, _rr, lo, hi in series:
        band = [f"{x(a):.2f},{y(b):.2f}" for a, b in zip(xs, hi, strict=True)]
        band += [f"{x(a):.2f},{y(b):.2f}" for a, b in zip(reversed(xs), reversed(lo),
                                                           strict=True)]
        svg.path("M" + " L".join(band) + " Z", fill=colour, extra='fill-opacity="0.12"')
    svg.line(left, y(1.0), W - right, y(1.0), "#000", 1, 'stroke-dasharray="3 3"')
    if min(xs_all) < 0 < max(xs_all):
        svg.line(x(0.0), top, x(0.0), height - bottom, "#666", 1, 'stroke-dasharray="2 4"')
    for _label, colour, xs, rr, _lo, _hi in series:
        pts = " L".join(f"{x(a):.2f},{y(b):.2f}" for a, b in zip(xs, rr, strict=True))
        svg.path("M" + pts, stroke=colour, width=2.5)
    x_axis(svg, x, x.ticks(8), height - bottom, xlabel)
    return svg.render()
