"""Drive headless Chromium from the command line (no selenium/playwright): the rendered DOM via
``--dump-dom``, a full-page screenshot via ``--screenshot``, console messages from its stderr log.

The report pages record load-time JS errors into ``body[data-js-errors]`` and each figure's
bounding box (CSS pixels, page coordinates) into ``data-bbox`` / ``data-graphic-bbox``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np

WIDTH = 1280
CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--disable-dev-shm-usage", "--force-device-scale-factor=1", "--mute-audio")


def find_browser() -> str | None:
    """Path of a Chromium executable, or None."""
    for c in CANDIDATES:
        path = shutil.which(c)
        if path:
            return path
    return None


@dataclass
class Page:
    """What a report page looked like in the browser."""

    dom: str
    console: list[str]
    body: dict[str, str]
    keys: dict[str, str] = field(default_factory=dict)
    figures: dict[str, dict[str, str]] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    svgs: list[dict[str, str]] = field(default_factory=list)
    imgs: list[dict[str, str]] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)
    screenshot: np.ndarray | None = None

    @property
    def js_errors(self) -> list[str]:
        return json.loads(self.body.get("data-js-errors", "[]"))

    def graphic(self, name: str) -> np.ndarray:
        """Screenshot pixels (RGB 0-1) inside the named figure's SVG/IMG box."""
        x, y, w, h = (int(v) for v in self.figures[name]["data-graphic-bbox"].split(","))
        assert self.screenshot is not None
        return self.screenshot[y:y + h, x:x + w, :3]


class _Collector(HTMLParser):
    def __init__(self, page: Page) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.stack: list[tuple[str, str, str]] = []  # (tag, kind, name) of open captured elements

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "body":
            self.page.body = a
        if tag == "svg":
            self.page.svgs.append(a)
        if tag == "img":
            self.page.imgs.append(a)
        if "data-figure" in a:
            self.page.figures[a["data-figure"]] = a
        kind, name = "", ""
        if "data-key" in a:
            kind, name = "key", a["data-key"]
            self.page.keys[name] = ""
        elif "data-figure-missing" in a:
            kind, name = "missing", a["data-figure-missing"]
            self.page.missing[name] = ""
        elif tag == "title" and a.get("id"):
            kind, name = "title", a["id"]
            self.page.titles[name] = ""
        if kind:
            self.stack.append((tag, kind, name))

    def handle_endtag(self, tag):
        if self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_data(self, data):
        for _, kind, name in self.stack:
            target = {"key": self.page.keys, "missing": self.page.missing,
                      "title": self.page.titles}[kind]
            target[name] += data


def _run(browser: str, args: list[str], profile: Path) -> subprocess.CompletedProcess:
    cmd = [browser, *FLAGS, f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=90, check=False)


def render(html: Path, workdir: Path, screenshot: bool = True) -> Page:
    """Load ``html`` in headless Chromium; return its rendered DOM, console log and screenshot."""
    browser = find_browser()
    assert browser, "no Chromium found"
    url = Path(html).resolve().as_uri()
    profile = workdir / "chromium-profile"
    dump = _run(browser, ["--enable-logging=stderr", "--v=0", f"--window-size={WIDTH},1000",
                          "--dump-dom", url], profile)
    assert dump.returncode == 0, dump.stderr[-2000:]
    console = [ln for ln in dump.stderr.splitlines() if ":CONSOLE" in ln]
    page = Page(dom=dump.stdout, console=console, body={})
    _Collector(page).feed(dump.stdout)
    if screenshot:
        height = min(int(page.body.get("data-page-height", "4000")) + 20, 16000)
        png = workdir / f"{Path(html).stem}.png"
        shot = _run(browser, [f"--window-size={WIDTH},{height}", f"--screenshot={png}", url],
                    profile)
        assert png.is_file(), shot.stderr[-2000:]
        page.screenshot = mpimg.imread(png)
    return page


def n_colours(pixels: np.ndarray) -> int:
    """Distinct colours (8-bit RGB) in a pixel block."""
    q = np.round(pixels.reshape(-1, pixels.shape[-1])[:, :3] * 255).astype(np.int64)
    return int(np.unique(q[:, 0] << 16 | q[:, 1] << 8 | q[:, 2]).size)


def number(text: str) -> float:
    """A formatted number on the page ("10,652", "0.87") as float."""
    return float(re.sub(r"[,\s]", "", text).replace("\u2212", "-"))


def assert_loaded_cleanly(page: Page) -> None:
    """The page loaded, with no JS error and nothing written to the console."""
    assert page.body.get("data-loaded") == "1", "load handler did not run"
    assert page.js_errors == [], page.js_errors
    assert page.console == [], page.console


def assert_figure_drawn(page: Page, name: str) -> None:
    """The figure exists, has a real size, and its pixels are not blank (several colours, ink)."""
    assert name in page.figures, f"figure {name!r} absent; notes: {page.missing}"
    px = page.graphic(name)
    assert px.shape[0] > 80 and px.shape[1] > 300, (name, px.shape)
    ink = (px.min(axis=2) < 0.9).mean()
    assert n_colours(px) >= 3 and ink > 0.01, (name, n_colours(px), ink)


def assert_accessible(page: Page) -> None:
    """Every SVG is role=img with a non-empty <title> it is labelled by; every img has alt."""
    assert page.svgs, "no SVG on the page"
    for svg in page.svgs:
        assert svg.get("role") == "img"
        ids = svg.get("aria-labelledby", "").split()
        assert ids and page.titles.get(ids[0], "").strip(), svg
    for img in page.imgs:
        assert img.get("alt", "").strip(), img
