"""Participant report: quality-check section and technical appendix (from ``qc.json``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from walkback.report._html import definition_list, esc, fmt_num, keyed, note, section, table
from walkback.report.study import PACE_MET_TEXT

if TYPE_CHECKING:
    from walkback.report.participant import ParticipantData

#: Known qc.json topics, their headings and what they mean in plain words.
QC_TOPICS = (
    (("sync", "synchronisation", "synchronization"), "Synchronisation of the two sensors",
     "The thigh and back sensors keep their own clocks; walkback lines their signals up."),
    (("calibration", "calib"), "Calibration",
     "Each sensor's readings are corrected so that it measures exactly 1 g when still."),
    (("orientation", "orientation_fixes"), "Orientation fixes",
     "Sensors worn upside down or inside out are detected and turned back."),
    (("non_wear", "nonwear", "non-wear"), "Non-wear detection",
     "Periods when a sensor lay still and was not on the body."),
    (("model", "classifier", "activity_model"), "Activity model",
     "The model that names the activity in each 5-second window."),
)


def _topic(qc: object, names: tuple[str, ...], path: str = "") -> list[tuple[str, object]]:
    """Every (dotted path, value) whose key is in ``names``, at any depth (e.g. thigh.calibration)."""
    out: list[tuple[str, object]] = []
    if isinstance(qc, dict):
        for key, value in qc.items():
            where = f"{path}.{key}" if path else str(key)
            if str(key).lower() in names:
                out.append((where, value))
            elif isinstance(value, dict) and str(key).lower() != "settings":
                out += _topic(value, names, where)
    return out


def _find(data: object, names: tuple[str, ...]) -> object:
    if isinstance(data, dict):
        for k, v in data.items():
            if str(k).lower() in names and not isinstance(v, dict | list):
                return v
        for v in data.values():
            hit = _find(v, names)
            if hit is not None:
                return hit
    return None


def qc_section(d: ParticipantData) -> str:
    qc = d.qc
    if qc is None:
        return section("qc", "Quality checks", note(
            "qc.json was not found in the participant folder, so no quality checks can be shown."))
    version = _find(qc, ("walkback_version", "version"))
    sha = _find(qc, ("model_sha256", "sha256"))
    rows = [["walkback version", keyed("qc-walkback-version", str(version or "not recorded"))],
            ["Activity model SHA-256", keyed("qc-model-sha256", str(sha or "not recorded"))],
            ["Time zone", esc(d.timezone)],
            ["Window length", esc(f"{fmt_num(d.epoch_s, 0)} s")]]
    parts = [_plain_summary(qc), table(["Item", "Value"], rows, raw=True)]
    for names, heading, meaning in QC_TOPICS:
        found = _topic(qc, names)
        if not found:
            parts.append(f"<h3>{esc(heading)}</h3>" + note(f"qc.json records nothing about "
                                                           f"{heading.lower()}."))
            continue
        body = "".join(definition_list({key: value}) for key, value in found)
        parts.append(f"<h3>{esc(heading)}</h3><p>{esc(meaning)}</p>{body}")
    return section("qc", "Quality checks", "".join(parts))


def _entries(where: str, value: object) -> list[tuple[str, dict]]:
    """(sensor, entry) pairs: ``signal.thigh.calibration = {...}`` or ``calibration = {thigh: {...}}``."""
    if not isinstance(value, dict):
        return []
    if value and all(isinstance(v, dict) for v in value.values()):
        return [(str(k), v) for k, v in value.items()]
    parts = where.split(".")
    return [(str(value.get("sensor") or (parts[-2] if len(parts) > 1 else "sensor")), value)]


def _plain_summary(qc: dict) -> str:
    """One plain sentence per check found: synchronised? calibrated? sensor turned back?"""
    items = []
    for _, v in _topic(qc, ("sync",)):
        if isinstance(v, dict) and isinstance(v.get("ok"), bool):
            off = v.get("offset_s")
            extra = f" (clock offset {off:.3f} s)" if isinstance(off, int | float) else ""
            items.append(("qc-sync-ok", "The two sensors were lined up in time" + extra + "."
                          if v["ok"] else "The two sensors could not be lined up in time."))
    for where, value in _topic(qc, ("calibration", "calib")):
        for sensor, v in _entries(where, value):
            ok = v.get("ok", v.get("calib_ok"))
            if not isinstance(ok, bool):
                continue
            reason = f": {v['reason']}" if v.get("reason") else ""
            items.append((f"qc-calibration-{sensor}", f"The {sensor} sensor was recalibrated."
                          if ok else f"The {sensor} sensor's calibration was left unchanged"
                          f"{reason}."))
    for where, value in _topic(qc, ("orientation",)):
        for sensor, v in _entries(where, value):
            flips = [k.replace("_", " ") for k in ORIENTATION_FLAGS if v.get(k) is True]
            text = (f"The {sensor} sensor was worn in another orientation ({', '.join(flips)}); "
                    "walkback turned its signal back." if flips else
                    f"The {sensor} sensor was worn the expected way round.")
            items.append((f"qc-orientation-{sensor}", text))
    if not items:
        return ""
    lis = "".join(f'<li data-key="{esc(k)}">{esc(t)}</li>' for k, t in items)
    return f'<ul class="qc-plain">{lis}</ul>'


ORIENTATION_FLAGS = ("long_axis_reversed", "skin_axis_reversed", "axes_permuted",
                     "flipped_upside_down", "inside_out")

GLOSSARY = (
    ("Valid day (study rule)", "A local calendar day with wear time, and with lying, sitting, "
     "standing and walking each above zero (Haddadj et al. 2025)."),
    ("Walking volume", "Mean minutes of walking (stairs included) per valid day."),
    ("Walking intensity", f"Time-weighted mean MET of walking: {PACE_MET_TEXT}."),
    ("Risk ratio", "Risk of chronic low back pain in a group divided by the risk in the reference "
     "group, adjusted for age, sex, education, income, work, smoking and depression."),
    ("Cadence", "Steps per minute while walking."),
    ("Study groups", "Quartiles of the HUNT sample. A person's average is rounded to whole minutes "
     "(and to 0.01 MET) before it is placed in a group, as the published labels are."),
)


def appendix_section(d: ParticipantData) -> str:
    parts = ["<h3>Definitions</h3>",
             table(["Term", "Meaning"], [list(g) for g in GLOSSARY])]
    daily = d.daily
    if len(daily):
        cols = list(daily.columns)
        rows = [[_cell(v) for v in r] for r in daily.itertuples(index=False)]
        parts += ["<h3>Daily table (daily.csv)</h3>", table(cols, rows)]
    else:
        parts.append(note("daily.csv holds no rows."))
    if d.epochs is not None:
        counts = d.epochs["study_class"].astype(str).value_counts()
        rows = [[c, fmt_num(n), fmt_num(n * d.epoch_s / 3600, 2)] for c, n in counts.items()]
        parts += ["<h3>Windows per class (epochs.parquet)</h3>",
                  table(["Class", "Windows", "Hours"], rows)]
    if d.qc:
        settings = d.qc.get("settings")
        rest = {k: v for k, v in d.qc.items() if k != "settings"}
        parts += ["<h3>qc.json</h3>", definition_list(rest)]
        if settings is not None:
            parts += ["<h3>Settings used</h3>",
                      definition_list(settings if isinstance(settings, dict)
                                      else {"settings": settings})]
    parts.append(f"<p>Input folder: <code>{esc(d.folder)}</code></p>")
    return f'<div class="appendix">{section("appendix", "Technical appendix", "".join(parts))}</div>'


def _cell(v: object) -> str:
    if isinstance(v, float):
        return fmt_num(v, 0) if abs(v) >= 100 else fmt_num(v, 2)
    return str(v)
