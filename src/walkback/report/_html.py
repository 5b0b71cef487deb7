"""HTML building blocks for walkback's self-contained reports.

Every piece of text that reaches the page passes through :func:`esc` (``html.escape``); numbers are
formatted by the ``fmt_*`` helpers so that one quantity always looks the same everywhere. Elements
holding key numbers carry a stable ``data-key`` attribute so that tests and users' scripts can read
them back from the page.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping, Sequence

from walkback import __version__

EN_DASH = "\u2013"


def esc(value: object) -> str:
    """``html.escape`` of ``str(value)`` (quotes escaped too, safe inside attributes)."""
    return html.escape(str(value), quote=True)


def is_missing(value: object) -> bool:
    """True for None, NaN and empty strings."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == "" or value.strip().lower() == "nan"
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def fmt_num(value: object, digits: int = 0, missing: str = "\u2014") -> str:
    """A number with ``digits`` decimals and thousands separators; ``missing`` for NaN/None."""
    if is_missing(value):
        return missing
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    if math.isinf(x):
        return "\u221e" if x > 0 else "\u2212\u221e"
    return f"{x:,.{digits}f}"


def fmt_rr(value: object) -> str:
    """A risk ratio: two decimals, or "not estimable"."""
    return fmt_num(value, 2, missing="not estimable")


def fmt_ci(low: object, high: object) -> str:
    """A 95 % confidence interval "0.77–0.98" (empty when either limit is missing)."""
    if is_missing(low) or is_missing(high):
        return ""
    return f"{fmt_num(low, 2)}{EN_DASH}{fmt_num(high, 2)}"


def fmt_p(value: object) -> str:
    """A p value: three decimals, "<0.001" below that."""
    if is_missing(value):
        return "\u2014"
    x = float(value)  # type: ignore[arg-type]
    return "<0.001" if x < 0.001 else f"{x:.3f}"


def keyed(key: str, text: str, tag: str = "span") -> str:
    """``<span data-key="key">text</span>`` with ``text`` escaped."""
    return f'<{tag} data-key="{esc(key)}">{esc(text)}</{tag}>'


def rr_cell(key: str, rr: object, low: object, high: object) -> str:
    """Risk ratio with its CI, both keyed: ``key`` and ``key-ci``."""
    ci = fmt_ci(low, high)
    out = keyed(key, fmt_rr(rr))
    if ci:
        out += f" ({keyed(key + '-ci', ci)})"
    return f'<span class="rr">{out}</span>'


def table(
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    caption: str = "",
    raw: bool = False,
    cls: str = "",
) -> str:
    """An HTML table. Cells are escaped unless ``raw`` (then they are trusted HTML fragments)."""
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in header)
    body = []
    for row in rows:
        cells = [c if raw else esc(c) for c in row]
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    klass = f' class="{esc(cls)}"' if cls else ""
    return (
        f'<div class="table-wrap"><table{klass}>{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def figure(name: str, svg: str, caption: str) -> str:
    """A rendered figure: the SVG plus a visible caption; ``data-figure`` names it for tests."""
    return (
        f'<figure class="fig" data-figure="{esc(name)}">{svg}'
        f"<figcaption>{esc(caption)}</figcaption></figure>"
    )


def missing_figure(name: str, title: str, reason: str) -> str:
    """A visible note standing where a figure could not be drawn, saying why."""
    return (
        f'<div class="fig-missing" role="note" data-figure-missing="{esc(name)}">'
        f"<strong>{esc(title)} is not shown.</strong> {esc(reason)}</div>"
    )


def note(text: str) -> str:
    """A visible note paragraph."""
    return f'<p class="note" role="note">{esc(text)}</p>'


def section(sid: str, title: str, body: str, level: int = 2) -> str:
    """A titled section with an anchor."""
    return f'<section id="{esc(sid)}"><h{level}>{esc(title)}</h{level}>{body}</section>'


def definition_list(data: Mapping[str, object], depth: int = 0) -> str:
    """Nested mapping as nested ``<dl>`` (lists of scalars joined, lists of mappings numbered)."""
    items = []
    for key, value in data.items():
        items.append(f"<dt>{esc(key)}</dt><dd>{_dl_value(value, depth)}</dd>")
    return f'<dl class="kv">{"".join(items)}</dl>'


def _dl_value(value: object, depth: int) -> str:
    if isinstance(value, Mapping):
        if not value:
            return "<em>empty</em>"
        return definition_list(value, depth + 1) if depth < 4 else esc(value)
    if isinstance(value, list | tuple):
        if value and all(isinstance(v, Mapping) for v in value) and depth < 4:
            return "".join(definition_list(v, depth + 1) for v in value)  # type: ignore[arg-type]
        return esc(", ".join(str(v) for v in value)) if value else "<em>none</em>"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return esc(f"{value:.6g}")
    if value is None:
        return "<em>not recorded</em>"
    return esc(value)


_CSS = """
:root{--ink:#1b1b1b;--muted:#555;--line:#d0d0d0;--bg:#fff;--accent:#0072B2;--warn:#8a4b00}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif;color:var(--ink);
background:var(--bg);margin:0;line-height:1.5}
main{max-width:1000px;margin:0 auto;padding:24px 28px 64px}
h1{font-size:1.8rem;margin:.2em 0 .1em}h2{font-size:1.35rem;margin-top:2em;border-bottom:2px solid var(--line);
padding-bottom:.2em}h3{font-size:1.1rem;margin-top:1.5em}
.subtitle{color:var(--muted);margin-top:0}
.lead{font-size:1.12rem;background:#f3f8fc;border-left:5px solid var(--accent);padding:12px 16px;margin:1em 0}
.key-number{font-size:1.6rem;font-weight:700}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:1em 0}
.card{border:1px solid var(--line);border-radius:8px;padding:10px 14px;min-width:170px;flex:1}
.card .label{color:var(--muted);font-size:.9rem}
figure.fig{margin:1.2em 0;padding:8px;border:1px solid var(--line);border-radius:8px;background:#fff}
figure.fig svg{width:100%;height:auto;display:block}
figcaption{color:var(--muted);font-size:.92rem;margin-top:6px}
.fig-missing{margin:1.2em 0;padding:14px 16px;border:2px dashed #b58900;border-radius:8px;background:#fffaf0;
color:var(--warn)}
.note{color:var(--warn);background:#fffaf0;padding:6px 10px;border-radius:6px}
.table-wrap{overflow-x:auto;margin:1em 0}
table{border-collapse:collapse;font-size:.92rem;min-width:50%}
th,td{border-bottom:1px solid var(--line);padding:4px 10px;text-align:left;vertical-align:top}
thead th{border-bottom:2px solid #888;background:#f7f7f7}
caption{text-align:left;font-weight:600;padding:4px 0}
.rr{white-space:nowrap}table.days td:first-child{white-space:nowrap}table.t1 td+td{white-space:nowrap}
tr.highlight td{background:#e8f3ec;font-weight:600}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:.4em 0 .4em .6em;font-size:.92rem}
dl.kv dt{font-weight:600;color:#333}dl.kv dd{margin:0;overflow-wrap:anywhere}
.legend{display:flex;flex-wrap:wrap;gap:6px 16px;font-size:.9rem;margin:.4em 0}
.swatch{display:inline-block;width:14px;height:14px;border:1px solid #666;vertical-align:-2px;margin-right:5px}
nav.toc{font-size:.95rem;background:#fafafa;border:1px solid var(--line);border-radius:8px;padding:8px 16px}
nav.toc ol{margin:.2em 0;padding-left:1.4em}
footer{margin-top:3em;color:var(--muted);font-size:.85rem;border-top:1px solid var(--line);padding-top:.6em}
.appendix{margin-top:3em}
@media print{.fig,table{break-inside:avoid}}
"""

# Records load-time errors into the page (read back by tests through the rendered DOM) and writes
# each figure's bounding box in CSS pixels into ``data-bbox`` so tests can find it in a screenshot.
_JS = """
(function(){
  var errs=[];
  window.addEventListener('error',function(e){errs.push(String(e.message||e));});
  var ce=console.error;console.error=function(){errs.push(Array.prototype.join.call(arguments,' '));
    if(ce){ce.apply(console,arguments);}};
  function box(r){return [r.left+window.scrollX,r.top+window.scrollY,r.width,r.height]
    .map(function(v){return Math.round(v);}).join(',');}
  window.addEventListener('load',function(){
    var figs=document.querySelectorAll('[data-figure]');
    for(var i=0;i<figs.length;i++){var r=figs[i].getBoundingClientRect();
      figs[i].setAttribute('data-bbox',box(r));
      var s=figs[i].querySelector('svg,img');
      if(s){figs[i].setAttribute('data-graphic-bbox',box(s.getBoundingClientRect()));}}
    document.body.setAttribute('data-js-errors',JSON.stringify(errs));
    document.body.setAttribute('data-page-height',String(document.documentElement.scrollHeight));
    document.body.setAttribute('data-loaded','1');
  });
})();
"""


def page(title: str, subtitle: str, toc: Sequence[tuple[str, str]], body: str) -> str:
    """The complete self-contained HTML document (inline CSS and JS, no external resources)."""
    toc_html = "".join(f'<li><a href="#{esc(sid)}">{esc(label)}</a></li>' for sid, label in toc)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="walkback {esc(__version__)}">'
        f"<title>{esc(title)}</title><style>{_CSS}</style><script>{_JS}</script></head>"
        f'<body><main><header><h1>{esc(title)}</h1><p class="subtitle">{esc(subtitle)}</p></header>'
        f'<nav class="toc" aria-label="Contents"><ol>{toc_html}</ol></nav>{body}'
        f"<footer>Generated by walkback {esc(__version__)}. This file is self-contained: "
        "it loads nothing from the network.</footer></main></body></html>\n"
    )


def write_report(path, text: str) -> None:
    """Write ``text`` to ``path`` atomically, readable by everyone (mode 0644) like other outputs."""
    import os

    from walkback._atomic import atomic_path

    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
        os.chmod(tmp, 0o644)
