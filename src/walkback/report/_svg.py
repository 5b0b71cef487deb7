"""Small inline-SVG chart primitives (no JavaScript, no external assets).

Every chart is an ``<svg role="img">`` with a ``<title>`` and ``<desc>`` referenced by
``aria-labelledby``, so screen readers read the alt text. Coordinates are in SVG user units; the
charts scale to the page width.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from walkback.report._html import esc

FONT = 'font-family="system-ui,Arial,sans-serif"'


class Svg:
    """An SVG canvas accumulating elements; :meth:`render` returns the markup."""

    def __init__(self, name: str, width: float, height: float, title: str, desc: str) -> None:
        self.name, self.width, self.height = name, width, height
        self.title, self.desc = title, desc
        self.parts: list[str] = []

    def rect(self, x: float, y: float, w: float, h: float, fill: str, extra: str = "") -> None:
        self.parts.append(
            f'<rect x="{x:.2f}" y="{y:.2f}" width="{max(w, 0):.2f}" height="{max(h, 0):.2f}" '
            f'fill="{fill}" {extra}/>'
        )

    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str = "#888",
             width: float = 1, extra: str = "") -> None:
        self.parts.append(
            f'<line x1="{x1:.2f}" y1="{y1:.2f}" x2="{x2:.2f}" y2="{y2:.2f}" stroke="{stroke}" '
            f'stroke-width="{width}" {extra}/>'
        )

    def text(self, x: float, y: float, s: object, anchor: str = "start", size: float = 12,
             fill: str = "#222", extra: str = "") -> None:
        self.parts.append(
            f'<text x="{x:.2f}" y="{y:.2f}" text-anchor="{anchor}" font-size="{size}" {FONT} '
            f'fill="{fill}" {extra}>{esc(s)}</text>'
        )

    def path(self, d: str, fill: str = "none", stroke: str = "none", width: float = 1,
             extra: str = "") -> None:
        self.parts.append(
            f'<path d="{d}" fill="{fill}" stroke="{stroke}" stroke-width="{width}" {extra}/>'
        )

    def render(self) -> str:
        tid, did = f"{esc(self.name)}-title", f"{esc(self.name)}-desc"
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {self.width:.0f} '
            f'{self.height:.0f}" role="img" aria-labelledby="{tid} {did}">'
            f'<title id="{tid}">{esc(self.title)}</title><desc id="{did}">{esc(self.desc)}</desc>'
            f'<rect width="100%" height="100%" fill="#ffffff"/>{"".join(self.parts)}</svg>'
        )


class Linear:
    """Linear map from data ``[d0, d1]`` to pixels ``[r0, r1]``."""

    def __init__(self, d0: float, d1: float, r0: float, r1: float) -> None:
        if d1 == d0:
            d1 = d0 + 1.0
        self.d0, self.d1, self.r0, self.r1 = d0, d1, r0, r1

    def __call__(self, v: float) -> float:
        return self.r0 + (v - self.d0) / (self.d1 - self.d0) * (self.r1 - self.r0)

    def ticks(self, n: int = 6) -> list[float]:
        return nice_ticks(self.d0, self.d1, n)


class Log:
    """Logarithmic map (for risk ratios) from data ``[d0, d1]`` (> 0) to pixels."""

    def __init__(self, d0: float, d1: float, r0: float, r1: float) -> None:
        self.lin = Linear(math.log(d0), math.log(d1), r0, r1)
        self.d0, self.d1 = d0, d1

    def __call__(self, v: float) -> float:
        return self.lin(math.log(min(max(v, self.d0), self.d1)))

    def ticks(self) -> list[float]:
        cands = [0.1, 0.2, 0.25, 0.33, 0.5, 0.67, 0.75, 0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0, 3.0,
                 4.0, 5.0, 10.0]
        inside = [c for c in cands if self.d0 <= c <= self.d1]
        while len(inside) > 8:
            inside = [c for i, c in enumerate(inside) if i % 2 == 0 or c == 1.0]
        return inside


def nice_ticks(lo: float, hi: float, n: int = 6) -> list[float]:
    """About ``n`` round tick values covering ``[lo, hi]``."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo]
    raw = (hi - lo) / max(n, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step - 1e-9) * step
    out, v = [], first
    while v <= hi + 1e-9 * step:
        out.append(round(v, 10))
        v += step
    return out


def tick_label(v: float) -> str:
    """Compact axis label: integers without decimals, else up to two decimals."""
    if abs(v - round(v)) < 1e-9:
        return f"{round(v):,}"
    return f"{v:.2f}".rstrip("0").rstrip(".")


def padded_log_range(values: Sequence[float]) -> tuple[float, float]:
    """A log-axis range covering ``values`` and 1, padded by 10 %."""
    finite = [v for v in values if v is not None and math.isfinite(v) and v > 0] + [1.0]
    lo, hi = min(finite), max(finite)
    return lo / 1.1, hi * 1.1


def x_axis(svg: Svg, scale, ticks: Sequence[float], y: float, label: str,
           fmt=tick_label) -> None:
    """Horizontal axis at pixel row ``y`` with ticks, grid-free labels and a title."""
    svg.line(scale.r0 if isinstance(scale, Linear) else scale.lin.r0, y,
             scale.r1 if isinstance(scale, Linear) else scale.lin.r1, y, "#444")
    for t in ticks:
        x = scale(t)
        svg.line(x, y, x, y + 5, "#444")
        svg.text(x, y + 18, fmt(t), "middle", 11)
    mid = (scale(ticks[0]) + scale(ticks[-1])) / 2 if ticks else svg.width / 2
    svg.text(mid, y + 36, label, "middle", 12, "#333")


def y_axis(svg: Svg, scale, ticks: Sequence[float], x: float, x_end: float, label: str,
           fmt=tick_label) -> None:
    """Vertical axis at pixel column ``x`` with light grid lines to ``x_end`` and a title."""
    for t in ticks:
        y = scale(t)
        svg.line(x, y, x_end, y, "#e4e4e4")
        svg.text(x - 6, y + 4, fmt(t), "end", 11)
    ys = [scale(t) for t in ticks] or [svg.height / 2]
    mid = (min(ys) + max(ys)) / 2
    svg.text(14, mid, label, "middle", 12, "#333", f'transform="rotate(-90 14 {mid:.1f})"')


def legend(svg: Svg, items: Sequence[tuple[str, str]], x: float, y: float,
           max_width: float) -> float:
    """Swatches with labels flowing left to right; returns the y below the legend."""
    cx, cy = x, y
    for label, colour in items:
        w = 22 + 7 * len(label)
        if cx + w > x + max_width:
            cx, cy = x, cy + 18
        svg.rect(cx, cy - 10, 12, 12, colour, 'stroke="#555" stroke-width="0.5"')
        svg.text(cx + 16, cy, label, size=11)
        cx += w + 8
    return cy + 14
