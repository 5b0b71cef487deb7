"""Sections of the participant report (plain language first, technical appendix last)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from walkback.report import _charts, palette
from walkback.report._html import (
    esc,
    figure,
    fmt_num,
    keyed,
    missing_figure,
    note,
    page,
    section,
    table,
)
from walkback.report.study import (
    CITATION,
    INTENSITY,
    PACE_MET_TEXT,
    STUDY_N,
    VOLUME,
    category_index,
)

if TYPE_CHECKING:
    from walkback.report.participant import ParticipantData

BANDS = ("#fbe3d0", "#fdf3c8", "#def0e6", "#c9e6d6")  # light fills behind the volume categories


def day_label(date: str) -> str:
    """``Mon 2024-03-04`` (the weekday of the local calendar date)."""
    try:
        return f"{pd.Timestamp(date):%a} {date}"
    except ValueError:
        return str(date)


def summary_section(d: ParticipantData) -> str:
    vol, met = d.volume_min(), d.intensity_met()
    n_valid, n_days = len(d.valid), len(d.daily)
    study = (
        f"In the HUNT Study of {STUDY_N:,} Norwegian adults, people who walked more than about "
        "100 minutes a day had about a quarter lower risk of developing chronic low back pain over "
        "the next four years than people who walked less than 78 minutes a day. This is an "
        "association seen on average across many people: it does not prove that walking prevents "
        "back pain, and it cannot tell what will happen to any one person."
    )
    parts = [f'<p class="lead">{esc(study)}</p>']
    cards = [
        ("Days recorded", keyed("days-recorded", fmt_num(n_days))),
        ("Valid days (study rule)", keyed("valid-days", fmt_num(n_valid))),
        ("Walking, minutes per valid day", keyed("walking-min-mean", fmt_num(vol, 0))),
        ("Walking intensity (MET)", keyed("intensity-met-mean", fmt_num(met, 2))),
    ]
    if "steps" in d.daily.columns:
        steps = d.valid["steps"].mean() if n_valid else float("nan")
        cards.append(("Steps per valid day", keyed("steps-mean", fmt_num(steps, 0))))
    parts.append('<div class="cards">' + "".join(
        f'<div class="card"><div class="label">{esc(lab)}</div><div class="key-number">{val}</div>'
        "</div>" for lab, val in cards) + "</div>")
    idx = category_index(VOLUME, vol, 0)
    if idx is None:
        parts.append(note(
            "No day met the study's validity rule (the sensor worn, with some lying, sitting, "
            "standing and walking recorded), so this recording cannot be placed in the study's "
            "walking groups."))
    else:
        cat = VOLUME[idx]
        text = (f"You walked on average {vol:.0f} minutes per valid day over {n_valid} valid "
                f"day{'s' if n_valid != 1 else ''}. In the study, people in the group walking "
                f"{cat.label}")
        if idx == 0:
            text += (" were the comparison group; groups who walked more had a lower risk on "
                     "average.")
        else:
            text += (f" had a risk of chronic low back pain {cat.rr:.2f} times that of the group "
                     f"walking less than 78 minutes a day (95% confidence interval "
                     f"{cat.ci_low:.2f}\u2013{cat.ci_high:.2f}).")
        parts.append(f'<p>{esc(text)} Your group: {keyed("volume-category", cat.label)}.</p>')
    parts.append(f"<p>Source: {esc(CITATION)}.</p>")
    return section("summary", "Summary in plain words", "".join(parts))


def _runs(ep: pd.DataFrame, epoch_s: float) -> list[tuple[float, float, str]]:
    """Runs of one class within one local day as (start_h, end_h, colour)."""
    loc = ep["local"]
    hours = (loc.dt.hour + loc.dt.minute / 60 + loc.dt.second / 3600).to_numpy(float)
    cls = ep["study_class"].astype(str).to_numpy()
    ns = ep["utc_ns"].to_numpy()
    off = ep["offset_s"].to_numpy()
    brk = np.ones(len(ep), bool)
    if len(ep) > 1:
        brk[1:] = (cls[1:] != cls[:-1]) | (np.diff(ns) > 1.5 * epoch_s * 1e9) | (off[1:] != off[:-1])
    starts = np.flatnonzero(brk)
    ends = np.append(starts[1:], len(ep)) - 1
    step = epoch_s / 3600
    return [(hours[s], min(hours[e] + step, 24.0), palette.activity_colour(cls[s]))
            for s, e in zip(starts, ends, strict=True)]


def timeline_section(d: ParticipantData) -> str:
    title = "Activity through each day (24-hour timeline)"
    if d.epochs is None or not len(d.epochs):
        body = missing_figure("timeline", title, "The folder holds no epochs.parquet (or it is "
                              "empty), so the 5-second activity timeline cannot be drawn.")
    else:
        rows = [(day_label(date), _runs(g, d.epoch_s)) for date, g in d.epochs.groupby("date")]
        present = set(d.epochs["study_class"].astype(str))
        items = [(palette.ACTIVITY_LABELS[c], col) for c, col in palette.ACTIVITY_COLOURS.items()
                 if c in present] + [("Not recorded", palette.UNRECORDED)]
        desc = (f"{len(rows)} horizontal bands, one per local calendar day from midnight to "
                "midnight, coloured by the activity detected in each 5-second window: "
                + ", ".join(label for label, _ in items) + ".")
        svg = _charts.barcode("timeline", rows, items, title, desc)
        body = figure("timeline", svg, f"{title}. Times are local ({d.timezone}); white or pale "
                      "grey means no data were recorded, mid grey that the sensor was not worn.")
    return section("timeline", "Your days at a glance", body)


def activity_section(d: ParticipantData) -> str:
    title = "Hours per day in each activity"
    series = []
    has = {c: f"{c}_s" in d.daily.columns and d.daily[f"{c}_s"].fillna(0).sum() > 0
           for c in palette.ACTIVITY_COLOURS}
    for cls, colour in palette.ACTIVITY_COLOURS.items():
        col = f"{cls}_s"
        if cls == "sedentary" and (has["lying"] or has["sitting"]):
            continue  # sedentary = sitting + lying when both sensors classify posture
        if has[cls]:
            series.append((palette.ACTIVITY_LABELS[cls], colour, (d.daily[col].fillna(0) / 3600)))
    if not len(d.daily) or not series:
        return section("activity", "Time in each activity", missing_figure(
            "activity", title, "daily.csv holds no days with recorded activity."))
    covered = sum(s[2] for s in series)
    if "day_length_s" in d.daily.columns:
        rest = (d.daily["day_length_s"].fillna(86400) / 3600 - covered).clip(lower=0)
        series.append(("Not recorded", palette.UNRECORDED, rest))
    labels = [day_label(x) for x in d.daily["date"]]
    series = [(n, c, list(v)) for n, c, v in series]
    desc = ("Stacked bars, one per day, of hours spent " + ", ".join(s[0] for s in series) + ".")
    svg = _charts.stacked_hbars("activity", labels, series, "Hours", title, desc, xmax=25)
    sleep = _sleep_hours(d)
    rows = []
    for i, date in enumerate(d.daily["date"]):
        row = [esc(day_label(date))] + [esc(fmt_num(s[2][i], 1)) for s in series]
        if sleep is not None:
            row.append(keyed(f"sleep-h-day-{date}", fmt_num(sleep.iloc[i], 1)))
        rows.append(row)
    heads = ["Day"] + [f"{s[0]} (h)" for s in series]
    caption = title
    if sleep is not None:
        heads.append("Of which asleep (h)")
        caption += (". Asleep: the part of the lying (or, with the thigh sensor alone, sitting or "
                    "lying) time detected as sleep in the night's time in bed; a night is split "
                    "at midnight between the two days.")
    tbl = table(heads, rows, raw=True, cls="days")
    return section("activity", "Time in each activity", figure("activity", svg, caption) + tbl)


def _sleep_hours(d: ParticipantData) -> pd.Series | None:
    """Hours asleep per day (daily.csv ``sleep_s``), or None when the column is absent or empty
    (the sleep detector was not run)."""
    if "sleep_s" not in d.daily.columns or d.daily["sleep_s"].isna().all():
        return None
    return d.daily["sleep_s"] / 3600


def walking_section(d: ParticipantData) -> str:
    title = "Walking minutes on each valid day against the study's groups"
    study_rows = []
    idx = category_index(VOLUME, d.volume_min(), 0)
    for k, cat in enumerate(VOLUME, start=1):
        rr = keyed(f"study-rr-volume-{k}", f"{cat.rr:.2f}")
        ci = "reference" if k == 1 else f"{cat.ci_low:.2f}\u2013{cat.ci_high:.2f}"
        mark = "\u2190 your average" if idx == k - 1 else ""
        study_rows.append([esc(cat.label), rr, esc(ci), esc(mark)])
    tbl = table(["Walking per day (study group)", "Risk ratio", "95% CI", ""], study_rows,
                caption="Chronic low back pain risk by walking volume in the HUNT Study "
                "(multi-adjusted)", raw=True)
    valid = d.valid
    if not len(valid):
        why = ("No day met the study's validity rule (worn, with lying, sitting, standing and "
               "walking each above zero)." if len(d.daily) else "daily.csv holds no days.")
        fig = missing_figure("walking", title, why)
    else:
        mins = list(valid["walking_s"] / 60)
        bounds = [(0, 77.5), (77.5, 100.5), (100.5, 124.5), (124.5, max(mins + [150]) * 1.12)]
        bands = [(lo, hi, BANDS[i], VOLUME[i].label) for i, (lo, hi) in enumerate(bounds)]
        mean = d.volume_min()
        desc = (f"Bars of walking minutes on {len(mins)} valid days, drawn over shaded bands for "
                f"the study's four walking groups; dashed line at the average of {mean:.0f} "
                "minutes per day.")
        svg = _charts.vbars("walking", [day_label(x) for x in valid["date"]], mins,
                            palette.ACTIVITY_COLOURS["walking"], "Walking (minutes)", title, desc,
                            bands, (mean, f"average {mean:.0f} min/day"))
        fig = figure("walking", svg, title + ". Days failing the validity rule are left out.")
    intro = ("<p>The study compared groups of people by their average daily walking. The table "
             "gives each group's risk relative to the group that walked least; a risk ratio of "
             "0.77 means about 23% lower risk on average.</p>")
    return section("walking", "Your walking and the study's findings", intro + fig + tbl
                   + _intensity_table(d))


def _intensity_table(d: ParticipantData) -> str:
    idx = category_index(INTENSITY, d.intensity_met(), 2)
    rows = []
    for k, cat in enumerate(INTENSITY, start=1):
        ci = "reference" if k == 1 else f"{cat.ci_low:.2f}\u2013{cat.ci_high:.2f}"
        mark = "\u2190 your average" if idx == k - 1 else ""
        rows.append([cat.label, f"{cat.rr:.2f}", ci, mark])
    return table(["Walking intensity (study group)", "Risk ratio", "95% CI", ""], rows,
                 caption=f"Risk by walking intensity ({PACE_MET_TEXT} MET)")


def pace_section(d: ParticipantData) -> str:
    title = "Minutes of slow, moderate and brisk walking per day"
    cols = {p: f"walk_{p}_s" for p in palette.PACE_COLOURS}
    parts = []
    if not len(d.daily) or any(c not in d.daily.columns for c in cols.values()) or not (
            d.daily[list(cols.values())].fillna(0).to_numpy().sum() > 0):
        parts.append(missing_figure("pace", title, "No walking pace was recorded (no walking, "
                                    "or daily.csv lacks the walk_slow/moderate/brisk columns)."))
    else:
        series = [(p.capitalize(), palette.PACE_COLOURS[p], list(d.daily[c].fillna(0) / 60))
                  for p, c in cols.items()]
        totals = {p: d.daily[c].fillna(0).sum() for p, c in cols.items()}
        whole = sum(totals.values())
        share = ", ".join(f"{p} {100 * v / whole:.0f}%" for p, v in totals.items())
        desc = f"Stacked bars of walking minutes by pace for each day. Overall: {share}."
        svg = _charts.stacked_hbars("pace", [day_label(x) for x in d.daily["date"]], series,
                                    "Minutes", title, desc)
        parts.append(figure("pace", svg, f"{title}. Share of all walking: {share}."))
        parts.append("<p>Share of walking that was brisk: "
                     f"{keyed('brisk-share-pct', fmt_num(100 * totals['brisk'] / whole, 0))}%.</p>")
    parts.append(_cadence_figure(d))
    return section("pace", "Walking pace and cadence", "".join(parts))


def _cadence_figure(d: ParticipantData) -> str:
    title = "Cadence while walking (steps per minute)"
    ep = d.epochs
    if ep is None or "cadence_spm" not in ep.columns:
        return missing_figure("cadence", title, "epochs.parquet with a cadence_spm column is "
                              "not available.")
    cad = pd.to_numeric(ep.loc[ep["study_class"].astype(str) == "walking", "cadence_spm"],
                        errors="coerce").to_numpy(float)
    cad = cad[np.isfinite(cad) & (cad > 0)]
    if not len(cad):
        return missing_figure("cadence", title, "No walking windows with a cadence were found.")
    edges = np.arange(40, 175, 5.0)
    counts, _ = np.histogram(np.clip(cad, 40, 169.9), edges)
    minutes = counts * d.epoch_s / 60
    med = float(np.median(cad))
    desc = (f"Histogram of minutes of walking by cadence in 5 steps/min bins from 40 to 170; "
            f"median {med:.0f} steps per minute.")
    svg = _charts.histogram("cadence", list(edges), list(minutes),
                            palette.ACTIVITY_COLOURS["walking"], "Cadence (steps per minute)",
                            "Minutes", title, desc)
    return (figure("cadence", svg, f"{title}. Values outside 40\u2013170 are counted in the end "
                   "bins.") + f"<p>Median walking cadence: {keyed('cadence-median', f'{med:.0f}')}"
            " steps per minute (about 100 steps per minute is a moderate pace for adults).</p>")


def steps_section(d: ParticipantData) -> str:
    title = "Steps per day"
    if "steps" not in d.daily.columns or not len(d.daily):
        return section("steps", "Steps", missing_figure("steps", title, "daily.csv has no "
                                                          "steps column or no days."))
    steps = list(d.daily["steps"].fillna(0))
    desc = f"Bars of steps on each of {len(steps)} days; the most was {max(steps):,.0f}."
    svg = _charts.vbars("steps", [day_label(x) for x in d.daily["date"]], steps,
                        palette.OKABE_ITO["blue"], "Steps", title, desc)
    rows = [[esc(day_label(dt)), keyed(f"steps-day-{dt}", fmt_num(s, 0))]
            for dt, s in zip(d.daily["date"], steps, strict=True)]
    return section("steps", "Steps", figure("steps", svg, title + " (walking and running).")
                   + table(["Day", "Steps"], rows, raw=True, cls="days"))


def _trunk_missing(d: ParticipantData) -> str | None:
    """Why the report has no trunk posture (None when it has)."""
    col = "trunk_fwd_ge30_s"
    if col in d.daily.columns and d.daily[col].notna().any():
        return None
    qc = d.qc or {}
    if qc.get("mode") == "thigh-only" or (qc.get("trunk") or {}).get("reason") == "no back sensor":
        return "This recording had no back sensor, so trunk posture could not be measured."
    reason = ((qc.get("trunk") or {}).get("reference") or {}).get("reason") or \
        (qc.get("trunk") or {}).get("reason")
    if reason:
        return ("Trunk posture is not reported: the back sensor's upright posture could not be "
                f"worked out from this recording ({reason}).")
    return "daily.csv holds no trunk posture columns (no back sensor, or an older walkback)."


def trunk_section(d: ParticipantData) -> str:
    """Time bent forward per day (lower-back sensor), in plain language."""
    title = "Minutes per day standing or walking bent forward 30 degrees or more"
    why = _trunk_missing(d)
    if why is not None:
        return section("trunk", "Bending forward", note(why))
    days = d.daily[d.daily["trunk_fwd_ge30_s"].notna()]
    m30 = days["trunk_fwd_ge30_s"] / 60
    m60 = days["trunk_fwd_ge60_s"] / 60 if "trunk_fwd_ge60_s" in days else m30 * np.nan
    longest = days.get("trunk_fwd_ge60_longest_s", m30 * np.nan)
    text = (f"On the {len(days)} day{'s' if len(days) != 1 else ''} with the back sensor worn "
            f"you spent on average {keyed('trunk-fwd30-min-mean', fmt_num(m30.mean(), 0))} "
            "minutes a day standing or walking with your trunk bent forward by 30 degrees "
            f"or more, and {keyed('trunk-fwd60-min-mean', fmt_num(m60.mean(), 1))} minutes "
            "bent 60 degrees or more (about half-way to horizontal). The longest unbroken time "
            f"bent 60 degrees or more was {fmt_num(np.nanmax(longest) if len(longest) else np.nan, 0)}"
            " seconds.")
    context = ("Bending forward often or for long is a studied work-related strain on the lower "
               "back. These numbers describe posture; the HUNT walking study did not relate them "
               "to back pain, so they carry no risk estimate here.")
    desc = (f"Bars of minutes bent forward 30 degrees or more while standing or walking on "
            f"{len(days)} days; average {m30.mean():.0f} minutes per day.")
    svg = _charts.vbars("trunk", [day_label(x) for x in days["date"]], list(m30),
                        palette.OKABE_ITO["vermillion"], "Minutes", title, desc)
    rows = []
    for _, r in days.iterrows():
        dt = r["date"]
        rows.append([esc(day_label(dt)), esc(fmt_num(r.get("trunk_upright_s", np.nan) / 3600, 1)),
                     *(esc(fmt_num(r.get(f"trunk_fwd_ge{t}_s", np.nan) / 60, 1))
                       for t in (20, 30, 60, 90)),
                     esc(fmt_num(r.get("trunk_fwd_ge60_longest_s", np.nan), 0)),
                     esc(fmt_num(r.get("trunk_fwd_ge30_sitting_s", np.nan) / 60, 1))])
    tbl = table(["Day", "Upright (h)", "\u226520\u00b0 (min)", "\u226530\u00b0 (min)",
                 "\u226560\u00b0 (min)", "\u226590\u00b0 (min)", "Longest \u226560\u00b0 (s)",
                 "Sitting \u226530\u00b0 (min)"], rows, raw=True, cls="days",
                caption="Time bent forward, by angle, while standing or walking (and while sitting)")
    return section("trunk", "Bending forward", f"<p>{text}</p><p>{esc(context)}</p>"
                   + figure("trunk", svg, title + ".") + tbl)


def wear_section(d: ParticipantData) -> str:
    title = "Hours worn, not worn and not recorded per day"
    if not len(d.daily):
        return section("wear", "Wear time", missing_figure("wear", title, "daily.csv holds no "
                                                             "days."))
    wear = d.daily["wear_s"].fillna(0) / 3600
    non = d.daily["non_wear_s"].fillna(0) / 3600 if "non_wear_s" in d.daily else wear * 0
    length = d.daily["day_length_s"].fillna(86400) / 3600 if "day_length_s" in d.daily else 24.0
    rest = (length - wear - non).clip(lower=0)
    series = [("Worn", palette.OKABE_ITO["bluish_green"], list(wear)),
              ("Not worn", palette.ACTIVITY_COLOURS["non_wear"], list(non)),
              ("Not recorded", palette.UNRECORDED, list(rest))]
    desc = (f"Stacked bars for {len(wear)} days of hours worn, not worn and not recorded; "
            f"average {wear.mean():.1f} hours worn per day.")
    svg = _charts.stacked_hbars("wear", [day_label(x) for x in d.daily["date"]], series, "Hours",
                                title, desc, xmax=25)
    sensor = _sensor_wear(d)
    rows = []
    for i, r in d.daily.iterrows():
        dt = r["date"]
        flags = [("valid (study)", r.get("valid_study")), ("\u226520 h worn", r.get("valid_wear20h")),
                 ("partial day", r.get("partial_day"))]
        text = ", ".join(lab for lab, v in flags if v is True or v is np.True_) or "\u2014"
        rows.append([esc(day_label(dt)), keyed(f"wear-h-day-{dt}", fmt_num(wear.iloc[i], 1)),
                     keyed(f"walking-min-day-{dt}", fmt_num(r["walking_s"] / 60, 0)),
                     esc(sensor.get(dt, ("\u2014", "\u2014"))[0]),
                     esc(sensor.get(dt, ("\u2014", "\u2014"))[1]), esc(text)])
    tbl = table(["Day", "Worn (h)", "Walking (min)", "Thigh worn", "Back worn", "Flags"], rows,
                raw=True, cls="days")
    return section("wear", "Wear time", figure("wear", svg, title) + tbl)


def _sensor_wear(d: ParticipantData) -> dict[str, tuple[str, str]]:
    """Per local date: share of windows each sensor was worn, from the epochs."""
    ep = d.epochs
    if ep is None or not len(ep):
        return {}
    out = {}
    for date, g in ep.groupby("date"):
        vals = []
        for col in ("thigh_wear", "back_wear"):
            vals.append(f"{100 * g[col].astype(bool).mean():.0f}%" if col in g else "\u2014")
        out[str(date)] = (vals[0], vals[1])
    return out


def build_page(d: ParticipantData) -> str:
    """Assemble the participant report."""
    from walkback.report._participant_qc import appendix_section, qc_section

    toc = [("summary", "Summary"), ("timeline", "Your days at a glance"),
           ("activity", "Time in each activity"), ("walking", "Walking and the study"),
           ("pace", "Pace and cadence"), ("steps", "Steps"), ("trunk", "Bending forward"),
           ("wear", "Wear time"),
           ("qc", "Quality checks"), ("appendix", "Technical appendix")]
    body = "".join([summary_section(d), timeline_section(d), activity_section(d),
                    walking_section(d), pace_section(d), steps_section(d), trunk_section(d),
                    wear_section(d),
                    qc_section(d), appendix_section(d)])
    dates = list(d.daily["date"])
    span = f"{dates[0]} to {dates[-1]}" if dates else "no days recorded"
    subtitle = f"Participant {d.participant_id} \u00b7 {span} \u00b7 times in {d.timezone}"
    return page(f"Walking report \u2014 participant {d.participant_id}", subtitle, toc, body)
