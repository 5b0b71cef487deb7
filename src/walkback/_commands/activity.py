"""``walkback train`` and ``walkback evaluate``: the activity classifier's recipe and its scores."""

from __future__ import annotations

import argparse
import json
import logging

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``train`` and ``evaluate`` subcommands."""
    t = sub.add_parser("train", help="train an activity model on labelled data (deterministic)")
    _data_args(t)
    t.add_argument("--out", required=True, help="model file to write (+ <out>.meta.json sidecar)")
    t.add_argument("--sensors", default="auto", choices=("auto", "thigh", "thigh+back"),
                   help="auto: thigh+back when every dataset has a back sensor")
    t.set_defaults(func=_train)
    e = sub.add_parser("evaluate", help="score a model, or the training recipe by "
                       "leave-one-subject-out, on labelled data")
    _data_args(e)
    e.add_argument("--model", help="model file to score (default: leave-one-subject-out of the "
                   "training recipe on --data)")
    e.add_argument("--sensors", default="auto", choices=("auto", "thigh", "thigh+back"))
    e.add_argument("--smooth", type=int, default=None,
                   help="probability smoothing width in windows (odd; default: the setting's)")
    e.add_argument("--out", required=True, help="metrics.json to write")
    e.set_defaults(func=_evaluate)


def _data_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", action="append", required=True,
                   help="labelled data folder (repeat for several; pair with --format)")
    p.add_argument("--format", action="append", required=True, choices=("selfback", "harth"),
                   help="format of each --data folder, in the same order")
    p.add_argument("--subjects", help="comma-separated subject ids to use (default: all)")


def _load(args):
    from walkback.activity import datasets
    from walkback.errors import SettingsError

    if len(args.data) != len(args.format):
        raise SettingsError(f"{len(args.data)} --data folders but {len(args.format)} --format "
                            "values; give one --format per --data")
    subjects = args.subjects.split(",") if args.subjects else None
    segs, desc = [], []
    for root, fmt in zip(args.data, args.format, strict=True):
        s = datasets.load(root, fmt, subjects=subjects)
        segs += s
        desc.append({"format": fmt, "folder": root.rstrip("/").split("/")[-1],
                     "segments": len(s), "subjects": len({x.subject for x in s})})
    return segs, desc


def _train(args: argparse.Namespace) -> int:
    from walkback.activity.settings import TrainSettings
    from walkback.activity.train import fit

    segs, desc = _load(args)
    model = fit(segs, TrainSettings(sensors=args.sensors), description={"datasets": desc})
    path = model.save(args.out)
    print(f"wrote {path} ({'+'.join(model.sensors)}; classes {', '.join(model.classes)}; "
          f"sha256 {model.sha256})")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    import numpy as np

    from walkback._atomic import write_text_atomic
    from walkback.activity import datasets
    from walkback.activity.evaluate import evaluate_model, loso
    from walkback.activity.model import load_model
    from walkback.activity.settings import ActivitySettings, TrainSettings
    from walkback.activity.train import resolve_sensors

    segs, desc = _load(args)
    default = ActivitySettings()
    smooth = args.smooth if args.smooth is not None else default.smooth_windows
    if args.model:
        model = load_model(args.model)
        ws = datasets.windows_from_segments(segs, model.sensors, model.window_s, model.window_s)
        out = evaluate_model(model, ws, ActivitySettings(smooth_windows=smooth))
    else:
        tr = TrainSettings(sensors=args.sensors)
        sensors = resolve_sensors(segs, tr.sensors)
        ws = datasets.windows_from_segments(segs, sensors, tr.window_s, tr.train_step_s)
        win = int(round(tr.window_s * tr.fs_hz))
        widths = tuple(sorted({1, 3, 5, smooth}))
        res = loso(ws, ws.start % win == 0, sensors, tr, smooth=widths)
        out = dict(res[f"smooth_{smooth}"])
        out["evaluation"] = "leave-one-subject-out (training recipe)"
        out["subjects"] = res["subjects"]
        out["sensors"] = list(sensors)
        out["smoothing_comparison"] = {
            f"smooth_{k}": {m: res[f"smooth_{k}"][m] for m in
                            ("macro_f1", "merged_macro_f1", "walking_f1", "pace_accuracy",
                             "macro_f1_with_pace")} for k in widths}
    out["smooth_windows"] = smooth
    out["datasets"] = desc
    from walkback import __version__

    out["walkback_version"] = __version__
    write_text_atomic(args.out, json.dumps(out, indent=1, default=_np_default) + "\n")
    print(f"wrote {args.out}: macro_f1 {out['macro_f1']}, merged_macro_f1 "
          f"{out['merged_macro_f1']}, walking_f1 {out['walking_f1']}, pace_accuracy "
          f"{out['pace_accuracy']} ({np.int64(out['n_windows'])} windows)")
    return 0


def _np_default(o):
    import numpy as np

    if isinstance(o, np.generic):
        return o.item()
    raise TypeError(f"not JSON-serialisable: {type(o)}")
