"""Compiled prediction of LightGBM multiclass boosters from their model text.

LightGBM's ``Booster.predict`` costs about 10 us per row on this project's activity booster
(60 rounds x 6 classes, trees of up to 15 leaves): a week of 5-s windows took ~1.3 s. Almost all
of it is branch misprediction while walking each tree, row after row. Here every tree is laid out
as a complete binary tree of its own depth (a real leaf above the bottom fills its whole padded
subtree, so the direction taken below it does not matter), and a block of rows descends each tree
together, one level at a time, with no data-dependent branch: the CPU overlaps the independent
rows. A window needs every tree, a loop NumPy cannot vectorise, hence numba.

Exactness: the trees are read from the same model text LightGBM reads; a float32 feature goes
right when, as float64, it is greater than the stored float64 threshold (LightGBM: left when
``<=``); missing values follow ``decision_type`` (NaN: default direction, or NaN taken as 0; zero
as missing: default direction); leaf values are summed per class in tree order and turned into
probabilities with a max-shifted softmax, like LightGBM. Tests compare both on real windows. Only
numerical splits of ordinary trees are laid out; :func:`parse` returns ``None`` for anything else
(categorical splits, linear trees, other objectives, trees deeper than 16) and the caller uses
LightGBM.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_MAX_DEPTH = 16
_BLOCK = 64  # rows descending the trees together


@dataclass(frozen=True)
class Forest:
    """Every tree of a booster as a padded complete binary tree (arrays concatenated).

    Tree ``t`` has depth ``depth[t]``; its ``2**depth - 1`` split nodes start at ``node_off[t]``
    (children of ``k`` are ``2k+1`` left and ``2k+2`` right) and its ``2**depth`` leaves at
    ``leaf_off[t]``.
    """

    num_class: int
    depth: np.ndarray  # (trees,) int64
    node_off: np.ndarray  # (trees,) int64
    leaf_off: np.ndarray  # (trees,) int64
    feature: np.ndarray  # (nodes,) int32
    threshold: np.ndarray  # (nodes,) float32, rounded down: right when value > it
    nan_right: np.ndarray  # (nodes,) bool: direction of NaN
    zero_missing: np.ndarray  # (nodes,) bool: |value| <= 1e-35 takes the default direction
    default_right: np.ndarray  # (nodes,) bool
    leaf_value: np.ndarray  # (leaves,) float64


def _field(block: dict[str, str], key: str, dtype) -> np.ndarray:
    return np.array(block[key].split(), dtype=dtype) if block.get(key) else np.zeros(0, dtype)


def _trees(text: str) -> tuple[dict[str, str], list[dict[str, str]]]:
    head, _, rest = text.partition("\nTree=")
    header = dict(line.split("=", 1) for line in head.splitlines() if "=" in line)
    blocks = rest.split("end of trees", 1)[0].split("\nTree=") if rest else []
    trees = [dict(line.split("=", 1) for line in b.strip().splitlines()[1:] if "=" in line)
             for b in blocks]
    return header, trees


def _depth(left: np.ndarray, right: np.ndarray) -> int:
    if not len(left):
        return 0
    depth, stack = 0, [(0, 1)]
    while stack:
        n, d = stack.pop()
        depth = max(depth, d)
        stack += [(c, d + 1) for c in (left[n], right[n]) if c >= 0]
    return depth


def _layout(t: dict[str, str]) -> tuple[int, tuple[np.ndarray, ...]] | None:
    """One tree as padded arrays (feature, threshold, nan_right, zero_missing, default_right,
    leaves), or None if it uses what this evaluator does not implement."""
    if int(t.get("num_cat", "0")) or t.get("is_linear", "0") != "0":
        return None
    dec = _field(t, "decision_type", np.int64)
    if (dec & 1).any():
        return None
    left, right = _field(t, "left_child", np.int64), _field(t, "right_child", np.int64)
    leaves = _field(t, "leaf_value", np.float64)
    d = _depth(left, right)
    if d > _MAX_DEPTH:
        return None
    nn = 2**d - 1
    feat = np.zeros(nn, np.int32)
    thr = np.full(nn, np.inf)
    nan_r, zero_m, def_r = (np.zeros(nn, bool) for _ in range(3))
    out = np.zeros(2**d)
    split_f, split_t = _field(t, "split_feature", np.int32), _field(t, "threshold", np.float64)
    stack = [(0, 0, 0)]  # (original child code, padded index, level)
    while stack:
        code, k, lev = stack.pop()
        if code < 0 or not len(dec):  # a leaf: fill its padded subtree's leaves
            span = 2 ** (d - lev)
            first = (k - nn) if lev == d else (k * span + span - 1) - nn
            out[first : first + span] = leaves[~code if len(dec) else 0]
            continue
        mt, dl = (dec[code] >> 2) & 3, bool(dec[code] & 2)
        feat[k], thr[k] = split_f[code], split_t[code]
        def_r[k] = not dl
        zero_m[k] = mt == 1
        nan_r[k] = (thr[k] < 0.0) if mt == 0 else (not dl)  # none: NaN is 0, right if 0 > thr
        stack += [(left[code], 2 * k + 1, lev + 1), (right[code], 2 * k + 2, lev + 1)]
    return d, (feat, thr, nan_r, zero_m, def_r, out)


def _floor32(thr: np.ndarray) -> np.ndarray:
    """The largest float32 <= each float64 threshold: for any float32 value ``v``,
    ``v > thr`` exactly when ``v > floor32(thr)``, so the comparison can stay in float32."""
    t32 = thr.astype(np.float32)
    over = t32.astype(np.float64) > thr
    t32[over] = np.nextafter(t32[over], np.float32(-np.inf))
    return t32


def parse(text: str) -> Forest | None:
    """The trees of LightGBM model ``text`` (``Booster.model_to_string``) laid out for
    :func:`predict_proba`, or ``None`` when the model uses something not implemented here."""
    header, trees = _trees(text)
    if not header.get("objective", "").startswith("multiclass ") or not trees:
        return None
    parts, depths = [], []
    for t in trees:
        lay = _layout(t)
        if lay is None:
            return None
        depths.append(lay[0])
        parts.append(lay[1])
    nodes = np.array([len(p[0]) for p in parts])
    leaves = np.array([len(p[5]) for p in parts])
    cat = np.concatenate
    thr = cat([p[1] for p in parts])
    return Forest(
        num_class=int(header["num_tree_per_iteration"]), depth=np.array(depths, np.int64),
        node_off=np.concatenate([[0], np.cumsum(nodes)[:-1]]).astype(np.int64),
        leaf_off=np.concatenate([[0], np.cumsum(leaves)[:-1]]).astype(np.int64),
        feature=cat([p[0] for p in parts]), threshold=_floor32(thr),
        nan_right=cat([p[2] for p in parts]), zero_missing=cat([p[3] for p in parts]),
        default_right=cat([p[4] for p in parts]), leaf_value=cat([p[5] for p in parts]))


def _kernel():
    from numba import njit

    @njit(cache=True, nogil=True)
    def raw_scores(X, careful, depth, node_off, leaf_off, feature, threshold, nan_right,
                   zero_missing, default_right, leaf_value, num_class, block
                   ):  # pragma: no cover - compiled
        n, nf = X.shape
        out = np.zeros((n, num_class))
        idx = np.zeros(block, np.int32)
        flat = X.ravel()
        for b in range(len(careful)):
            i0 = b * block
            nb = min(block, n - i0)
            for t in range(len(depth)):
                base = node_off[t]
                idx[:] = 0
                for _ in range(depth[t]):
                    if careful[b]:  # a NaN, or a zero some split treats as missing
                        for r in range(nb):
                            j = base + idx[r]
                            v = flat[(i0 + r) * nf + feature[j]]
                            right = v > threshold[j]
                            if v != v:
                                right = nan_right[j]
                            elif zero_missing[j] and abs(v) <= 1e-35:
                                right = default_right[j]
                            idx[r] = 2 * idx[r] + 1 + np.int32(right)
                    else:  # no data-dependent branch: the rows' descents overlap
                        for r in range(nb):
                            j = base + idx[r]
                            v = flat[(i0 + r) * nf + feature[j]]
                            idx[r] = 2 * idx[r] + 1 + np.int32(v > threshold[j])
                first = leaf_off[t] - (2 ** depth[t] - 1)
                c = t % num_class
                for r in range(nb):
                    out[i0 + r, c] += leaf_value[first + idx[r]]
        return out

    return raw_scores


_KERNEL: list = []


def predict_proba(forest: Forest, X: np.ndarray) -> np.ndarray:
    """Softmax class probabilities (m, num_class) float64 of float32 feature rows ``X`` (m, f)."""
    if not _KERNEL:
        _KERNEL.append(_kernel())
    f = forest
    X = np.ascontiguousarray(X, dtype=np.float32)
    nblock = -(-len(X) // _BLOCK)
    odd = np.isnan(X)
    if f.zero_missing.any():
        odd |= np.abs(X) <= 1e-35
    careful = np.zeros(nblock * _BLOCK, bool)
    careful[: len(X)] = odd.any(axis=1)
    raw = _KERNEL[0](X, careful.reshape(nblock, _BLOCK).any(axis=1), f.depth, f.node_off,
                     f.leaf_off, f.feature, f.threshold, f.nan_right, f.zero_missing,
                     f.default_right, f.leaf_value, f.num_class, _BLOCK)
    raw -= raw.max(axis=1, keepdims=True)
    np.exp(raw, out=raw)
    raw /= raw.sum(axis=1, keepdims=True)
    return raw
