"""Coefficient plots across specifications, and period (event-study) plots.

Input: estimation records as written by ``i4d estimate`` (the JSON layout of
:class:`i4districts.results.ResultProtocol`, panel and shift-share kinds).
:func:`coefficient_rows` extracts one row per model × term with the interval
drawn and *how* it was obtained:

* the record's own confidence set (``ci_low``/``ci_high``; for shift-share
  AKM0 also the unbounded sets ``complement`` and ``real_line``, drawn as rays);
* otherwise, when the record has a standard error but no set (randomization
  inference gives a p-value only), ``estimate ± q·SE`` with ``q`` the
  ``1 − α/2`` quantile of the normal (or of ``t(df)`` when the record's
  inference uses ``t``); the caption then names the standard error used;
* for shift-share records ``method`` picks another of the record's methods
  (``homoskedastic``, ``ehw``, ``cluster``, ``akm``, ``akm0``, ``ri``).

The caption of the figure states, for every model, its inference and the
interval drawn. :func:`period_rows`/:func:`period_plot` find period-specific
terms by name, ``<base>[<level>]`` (``event[k]`` of an event study,
``exposure:period[2000-2007]`` of an interaction with a categorical period),
and plot them against the level; the omitted reference period of an event
study is drawn as a hollow point at zero.
"""

from __future__ import annotations

import math
import os
import re
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from i4districts.errors import InputError, first_few
from i4districts.figures.style import figure_style

__all__ = [
    "INTERCEPTS",
    "coefficient_rows",
    "coefplot",
    "inference_text",
    "load_records",
    "period_plot",
    "period_rows",
]

INTERCEPTS = ("const", "Intercept", "(intercept)", "_cons")
_PERIOD_RE = re.compile(r"^(?P<base>.+)\[(?P<level>[^\[\]]+)\]$")
_MARKERS = ("o", "s", "D", "^", "v", "P", "X", "<", ">")
_COLORS = ("#1f4e79", "#c0504d", "#4f8a3c", "#8064a2", "#d08b1a", "#2c9faf", "#7f7f7f", "#b8578f")
ROW_COLUMNS = ["model_id", "model_label", "kind", "outcome", "nobs", "term", "term_label", "estimate", "std_error", "p",
               "ci_low", "ci_high", "ci_type", "interval", "inference"]


def _title_and_caption(fig, title_lines: Sequence[str], caption: str, *, top: float, caption_y: float) -> None:
    """The figure's title block (top left) and its caption, wrapped at 120 characters, below the panels."""
    if title_lines:
        fig.text(0.02, top, "\n".join(title_lines), ha="left", va="top", fontsize=11, fontweight="bold", gid="title")
    txt = "\n".join(line for x in caption.split("\n") for line in textwrap.wrap(x, 120))
    fig.text(0.02, caption_y, txt, ha="left", va="top", fontsize=6.8, color="#333333", gid="caption")


def load_records(paths: Sequence[str | os.PathLike[str]]) -> list[dict[str, Any]]:
    """Read estimation records (:func:`i4districts.results.read_record`: ``model_id``, ``kind``,
    ``coefficients`` required; a bad file raises naming it)."""
    from i4districts.results import read_record

    return [read_record(p) for p in paths]


def _f(x: Any) -> float:
    return float("nan") if x is None else float(x)


def inference_text(record: Mapping[str, Any], method: str | None = None) -> str:
    """The inference of a record (or of one of its shift-share methods) in a few words."""
    inf = record.get("inference") or {}
    if method is not None:
        from i4districts.shiftshare.results import R_LABELS

        return R_LABELS.get(method, method)
    label = str(inf.get("label") or inf.get("type") or "unknown inference")
    clusters = inf.get("clusters") or []
    ncl = inf.get("n_clusters")
    counts = ncl if isinstance(ncl, list) else [ncl] * len(clusters)
    by = ", ".join(f"{c} ({n} clusters)" if n is not None else str(c) for c, n in zip(clusters, counts))
    if inf.get("type") == "ri":
        perms = inf.get("permutations")
        label += f", {'exact' if inf.get('exact') else 'simulated'} p over {perms} permutations" if perms else ""
        if inf.get("studentization"):
            label += f", t studentised with {inf['studentization']} SE" + (f" by {by}" if by else "")
        return label
    if by:
        label += f" by {by}"
    if inf.get("distribution") == "t" and inf.get("df") is not None:
        label += f", t({inf['df']})"
    return label


def _quantile(record: Mapping[str, Any], alpha: float) -> tuple[float, str]:
    inf = record.get("inference") or {}
    if inf.get("distribution") == "t" and inf.get("df"):
        return float(stats.t.ppf(1 - alpha / 2, inf["df"])), f"t({inf['df']})"
    return float(stats.norm.ppf(1 - alpha / 2)), "normal"


def _se_name(record: Mapping[str, Any], method: str | None) -> str:
    """Which standard error a record's ``std_error`` is (for the caption)."""
    inf = record.get("inference") or {}
    if method is None and inf.get("type") == "ri":
        stud = inf.get("studentization")
        names = {"cluster": "region-cluster", "ehw": "EHW", "homoskedastic": "homoskedastic"}
        return names.get(stud, str(stud)) + " SE"
    return "SE"


def coefficient_rows(records: Sequence[Mapping[str, Any]], *, method: str | None = None,
                     labels: Mapping[str, str] | None = None, model_labels: Mapping[str, str] | None = None,
                     terms: Sequence[str] | None = None, drop_intercept: bool = True) -> pd.DataFrame:
    """One row per model × term: estimate, interval (:data:`ROW_COLUMNS`), and how the interval was built.

    ``labels`` (term -> label) override the labels derived from the records
    (:func:`i4districts.tables.labels.term_labels`); ``model_labels`` map model
    ids to labels (default: the id). ``method`` selects a shift-share method
    (panel records, which carry one inference, ignore it).
    """
    from i4districts.tables.labels import term_labels

    tl = term_labels(records, labels)
    rows: list[dict[str, Any]] = []
    for rec in records:
        mid = str(rec.get("model_id"))
        kind = str(rec.get("kind"))
        inf = rec.get("inference") or {}
        alpha = float(inf.get("alpha", rec.get("alpha", 0.05)) or 0.05)
        use_method = method if (method is not None and kind == "shiftshare") else None
        if use_method is not None:
            methods = rec.get("methods") or {}
            if use_method not in methods:
                raise InputError(f"{rec.get('_path', mid)}: method {use_method!r} not in the record; it has "
                                 f"{sorted(methods)}")
            m = methods[use_method]
            coefs = [{"term": (rec.get("coefficients") or [{}])[0].get("term", rec.get("regressor")), **m}]
        else:
            coefs = list(rec.get("coefficients") or [])
        text = inference_text(rec, use_method)
        for c in coefs:
            term = str(c.get("term"))
            if drop_intercept and term in INTERCEPTS:
                continue
            if terms is not None and term not in terms:
                continue
            est, se = _f(c.get("estimate")), _f(c.get("std_error"))
            lo, hi = _f(c.get("ci_low")), _f(c.get("ci_high"))
            ci_type = c.get("ci_type") or (inf.get("ci_type") if use_method is None and kind == "shiftshare" else None)
            if ci_type == "real_line":
                lo, hi, how = -math.inf, math.inf, f"{1 - alpha:.0%} set: the whole real line"
            elif ci_type == "complement" and math.isfinite(lo) and math.isfinite(hi):
                how = f"{1 - alpha:.0%} set: two rays (\u2212\u221e, {hi:.3g}] \u222a [{lo:.3g}, \u221e)"
            elif math.isfinite(lo) and math.isfinite(hi):
                ci_type, how = "interval", f"{1 - alpha:.0%} CI of the record"
            elif math.isfinite(se) and math.isfinite(est):
                if use_method is None:
                    q, dist = _quantile(rec, alpha)
                else:  # shift-share methods: normal
                    q, dist = float(stats.norm.ppf(1 - alpha / 2)), "normal"
                lo, hi = est - q * se, est + q * se
                ci_type = "interval"
                how = (f"\u00b1{q:.2f} \u00d7 {_se_name(rec, use_method)} "
                       f"({dist} approximation; the record has no interval)")
            else:
                lo = hi = float("nan")
                ci_type, how = "none", "no interval (no standard error)"
            rows.append({
                "model_id": mid, "model_label": (model_labels or {}).get(mid, mid), "kind": kind,
                "outcome": rec.get("outcome"), "nobs": rec.get("nobs"), "term": term, "term_label": tl.get(term, term),
                "estimate": est, "std_error": se, "p": _f(c.get("p")), "ci_low": lo, "ci_high": hi,
                "ci_type": ci_type, "interval": how, "inference": text,
            })
    if not rows:
        ids = [str(r.get("model_id")) for r in records]
        raise InputError(f"coefplot: no coefficient to plot in models {first_few(ids)}"
                         + (f" for terms {list(terms)}" if terms is not None else ""))
    return pd.DataFrame(rows, columns=ROW_COLUMNS)


def _limits(rows: pd.DataFrame) -> tuple[float, float]:
    finite = pd.concat([rows["estimate"], rows["ci_low"], rows["ci_high"]])
    finite = finite[np.isfinite(finite.to_numpy(dtype=float))]
    lo, hi = (float(finite.min()), float(finite.max())) if len(finite) else (-1.0, 1.0)
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    pad = 0.08 * (hi - lo if hi > lo else 1.0)
    return lo - pad, hi + pad


def _draw_interval(ax, y: float, lo: float, hi: float, ci_type: str, color, xlim, *, horizontal: bool = True):
    """One interval (or ray/rays) at ``y``; unbounded ends get an arrow head at the axis limit."""
    xmin, xmax = xlim
    segs = []
    if ci_type == "complement":
        segs = [(-math.inf, hi), (lo, math.inf)]
    elif ci_type in ("interval", "real_line") and not (math.isnan(lo) or math.isnan(hi)):
        segs = [(lo, hi)]
    for a, b in segs:
        a2, b2 = max(a, xmin), min(b, xmax)
        if horizontal:
            ax.plot([a2, b2], [y, y], color=color, linewidth=1.6, solid_capstyle="butt", gid="ci")
        else:
            ax.plot([y, y], [a2, b2], color=color, linewidth=1.6, solid_capstyle="butt", gid="ci")
        for end, bound, mark in ((a2, a, "<" if horizontal else "v"), (b2, b, ">" if horizontal else "^")):
            if math.isinf(bound):
                pt = (end, y) if horizontal else (y, end)
                ax.plot(*pt, marker=mark, color=color, markersize=5, gid="ci-unbounded", clip_on=False)


def _caption(rows: pd.DataFrame, level_text: str = "") -> str:
    lines = []
    for (mid, mlabel), g in rows.groupby(["model_id", "model_label"], sort=False):
        hows = list(dict.fromkeys(g["interval"]))
        name = f"{mlabel}" + (f" [{mid}]" if mlabel != mid else "")
        what = ", ".join(x for x in (f"outcome {g['outcome'].iloc[0]}" if g["outcome"].iloc[0] else "",
                                     f"N = {int(g['nobs'].iloc[0]):,}" if pd.notna(g["nobs"].iloc[0]) else "") if x)
        ps = [f"{lab if len(g) > 1 else ''}{' ' if len(g) > 1 else ''}p = {p:.3f}".strip()
              for lab, p in zip(g["term_label"], g["p"]) if pd.notna(p)]
        lines.append(f"{name}" + (f" ({what})" if what else "") + f": {g['inference'].iloc[0]}"
                     + (f"; {'; '.join(ps)}" if ps and len(ps) <= 3 else "") + f"; bars: {'; '.join(hows)}.")
    return "\n".join(lines)


def coefplot(records: Sequence[Mapping[str, Any]] | pd.DataFrame, *, title: str = "", method: str | None = None,
             labels: Mapping[str, str] | None = None, model_labels: Mapping[str, str] | None = None,
             terms: Sequence[str] | None = None, xlabel: str = "Coefficient estimate", width: float = 7.2,
             illustrative: str | None = None):
    """Point estimates with intervals, one row per model × term, one panel per term (own x scale).

    Period-specific terms ``<base>[<level>]`` share one panel per ``base`` (rows ``model · level``).

    ``records``: estimation records (or rows of :func:`coefficient_rows`).
    The caption states each model's inference and how its bar was obtained.
    ``illustrative`` (e.g. "illustrative adoption data", for results on synthetic inputs) is added to
    the title in parentheses.
    """
    from matplotlib.figure import Figure

    rows = records if isinstance(records, pd.DataFrame) else coefficient_rows(
        records, method=method, labels=labels, model_labels=model_labels, terms=terms)
    parts = rows["term"].astype(str).str.extract(_PERIOD_RE)
    rows = rows.assign(
        panel=parts["base"].fillna(rows["term"]),
        row_label=[f"{m} \u00b7 {lv}" if isinstance(lv, str) else str(m)
                   for m, lv in zip(rows["model_label"], parts["level"])],
        panel_label=[(labels or {}).get(b, " \u00d7 ".join(str(b).split(":"))) if isinstance(b, str) else tl
                     for b, tl in zip(parts["base"], rows["term_label"])],
    )
    term_order = list(dict.fromkeys(rows["panel"]))
    model_order = list(dict.fromkeys(rows["model_id"]))
    style = {m: (_COLORS[i % len(_COLORS)], _MARKERS[i % len(_MARKERS)]) for i, m in enumerate(model_order)}
    caption = _caption(rows)
    cap_lines = sum(len(textwrap.wrap(x, 120)) for x in caption.split("\n"))
    if illustrative:
        title = (title + " " if title else "") + f"({illustrative})"
    title_lines = textwrap.wrap(title, 80) if title else []
    n_rows = [int((rows["panel"] == t).sum()) for t in term_order]
    panel_h = [0.45 + 0.36 * n for n in n_rows]
    top = 0.2 + 0.22 * len(title_lines)
    bottom = 0.55 + 0.13 * cap_lines
    height = top + sum(panel_h) + 0.35 * (len(term_order) - 1) + bottom
    with figure_style():
        fig = Figure(figsize=(width, height), dpi=100)
        y_top = 1 - top / height
        label_w = 0.34
        for t, ph in zip(term_order, panel_h):
            g = rows[rows["panel"] == t].reset_index(drop=True)
            ax = fig.add_axes((label_w, y_top - ph / height, 0.95 - label_w, (ph - 0.3) / height))
            ax.set_gid(f"coef-{t}")
            xlim = _limits(g)
            ys = np.arange(len(g))[::-1].astype(float)
            ax.axvline(0.0, color="#888888", linewidth=0.8, linestyle="--", zorder=0)
            for y, (_, r) in zip(ys, g.iterrows()):
                color, marker = style[r["model_id"]]
                _draw_interval(ax, y, r["ci_low"], r["ci_high"], r["ci_type"], color, xlim)
                ax.plot(r["estimate"], y, marker=marker, color=color, markersize=6, linestyle="none",
                        gid="estimate", zorder=3)
            ax.set_xlim(*xlim)
            ax.set_ylim(-0.6, len(g) - 0.4)
            ax.set_yticks(ys)
            ax.set_yticklabels(["\n".join(textwrap.wrap(str(x), 34)) for x in g["row_label"]])
            ax.tick_params(axis="y", length=0, pad=8)
            ax.spines["left"].set_visible(False)
            ax.grid(axis="x", color="#eeeeee", linewidth=0.6)
            ax.set_axisbelow(True)
            ax.set_title("\n".join(textwrap.wrap(str(g["panel_label"].iloc[0]), 80)), loc="left", fontsize=9.5,
                         fontweight="bold", x=-label_w / (0.95 - label_w) + 0.02 / (0.95 - label_w))
            y_top -= (ph + 0.35) / height
        ax.set_xlabel(xlabel)
        _title_and_caption(fig, title_lines, caption, top=1 - 0.1 / height, caption_y=(bottom - 0.5) / height)
    fig.i4d_rows = rows  # type: ignore[attr-defined]
    return fig


def _level_order(levels: Sequence[str]) -> list[str]:
    def key(x: str):
        m = re.match(r"^\s*(-?\d+(?:\.\d+)?)", x)
        return float(m.group(1)) if m else None

    keys = [key(x) for x in levels]
    if all(k is not None for k in keys):
        return [x for _, x in sorted(zip(keys, levels), key=lambda kv: kv[0])]
    return list(levels)


def period_rows(record: Mapping[str, Any], **kw: Any) -> pd.DataFrame:
    """Period-specific terms ``<base>[<level>]`` of one record (rows of :func:`coefficient_rows` plus
    ``group``, ``level``, ``position``, ``reference``); empty when the record has fewer than two per group.

    For an event study (terms ``event[k]``) the omitted reference period
    (``spec.event_study.reference``, default −1) is added as a row with
    estimate 0 and ``reference = True``.
    """
    rows = coefficient_rows([record], **kw)
    parts = rows["term"].str.extract(_PERIOD_RE)
    rows = rows.assign(group=parts["base"], level=parts["level"])
    rows = rows[rows["group"].notna()]
    counts = rows.groupby("group")["level"].nunique()
    rows = rows[rows["group"].isin(counts[counts >= 2].index)].copy()
    if rows.empty:
        return rows.assign(position=pd.Series(dtype=float), reference=pd.Series(dtype=bool))
    rows["reference"] = False
    es = ((record.get("spec") or {}).get("event_study") or {})
    if "event" in set(rows["group"]) and es:
        ref = int(es.get("reference", -1))
        base = rows[rows["group"] == "event"].iloc[0].to_dict()
        base.update(term=f"event[{ref}]", term_label=f"event[{ref}] (reference)", estimate=0.0, std_error=float("nan"),
                    p=float("nan"), ci_low=float("nan"), ci_high=float("nan"), ci_type="none",
                    interval="reference period (normalised to 0)", level=str(ref), reference=True)
        rows = pd.concat([rows, pd.DataFrame([base])], ignore_index=True)
    out = []
    for grp, g in rows.groupby("group", sort=False):
        order = _level_order(list(dict.fromkeys(g["level"])))
        pos = {lv: i for i, lv in enumerate(order)}
        numeric = all(re.fullmatch(r"-?\d+", lv) for lv in order)
        g = g.assign(position=[float(lv) if numeric else float(pos[lv]) for lv in g["level"]])
        out.append(g.sort_values("position"))
    return pd.concat(out, ignore_index=True)


def period_plot(records: Sequence[Mapping[str, Any]], *, title: str = "", labels: Mapping[str, str] | None = None,
                model_labels: Mapping[str, str] | None = None, method: str | None = None, width: float = 7.2):
    """Estimates by period for every record with period-specific terms; ``None`` when no record has any."""
    from matplotlib.figure import Figure

    panels = []
    for rec in records:
        pr = period_rows(rec, labels=labels, model_labels=model_labels, method=method, drop_intercept=True)
        for grp, g in pr.groupby("group", sort=False):
            panels.append((rec, grp, g))
    if not panels:
        return None
    n = len(panels)
    caption = _caption(pd.concat([g[~g["reference"]] for _, _, g in panels], ignore_index=True))
    cap_lines = sum(len(textwrap.wrap(x, 120)) for x in caption.split("\n"))
    title_lines = textwrap.wrap(title, 70) if title else []
    ph = 2.6
    top = 0.25 + 0.22 * len(title_lines)
    bottom = 0.4 + 0.13 * cap_lines
    height = top + n * ph + bottom
    with figure_style():
        fig = Figure(figsize=(width, height), dpi=100)
        for i, (rec, grp, g) in enumerate(panels):
            y0 = 1 - (top + (i + 1) * ph) / height
            ax = fig.add_axes((0.1, y0 + 0.55 / height, 0.86, (ph - 0.95) / height))
            ax.set_gid(f"period-{rec.get('model_id')}-{grp}")
            color = _COLORS[i % len(_COLORS)]
            ax.axhline(0.0, color="#888888", linewidth=0.8, linestyle="--", zorder=0)
            finite = pd.concat([g["estimate"], g["ci_low"], g["ci_high"]])
            finite = finite[np.isfinite(finite.to_numpy(dtype=float))]
            ylim = (min(float(finite.min()), 0.0), max(float(finite.max()), 0.0))
            pad = 0.08 * (ylim[1] - ylim[0] or 1.0)
            ylim = (ylim[0] - pad, ylim[1] + pad)
            for _, r in g.iterrows():
                if r["reference"]:
                    ax.plot(r["position"], 0.0, marker="o", markerfacecolor="white", color=color, markersize=6,
                            gid="reference", zorder=3)
                    continue
                _draw_interval(ax, r["position"], r["ci_low"], r["ci_high"], r["ci_type"], color, ylim,
                               horizontal=False)
                ax.plot(r["position"], r["estimate"], marker="o", color=color, markersize=6, gid="estimate", zorder=3)
            est = g.sort_values("position")
            ax.plot(est["position"], est["estimate"], color=color, linewidth=0.8, alpha=0.6, zorder=2)
            ax.set_ylim(*ylim)
            ax.set_xticks(est["position"].to_numpy(dtype=float))
            ax.set_xticklabels(est["level"].astype(str))
            if grp == "event":
                ax.axvline(-0.5, color="#bbbbbb", linewidth=0.8, zorder=0)
                ax.set_xlabel("Periods relative to the event")
            else:
                ax.set_xlabel("Period")
            ax.set_ylabel("Estimate")
            mlabel = (model_labels or {}).get(str(rec.get("model_id")), str(rec.get("model_id")))
            ax.set_title(f"{mlabel}: {grp}", loc="left", fontsize=9.5)
            ax.grid(axis="y", color="#eeeeee", linewidth=0.6)
            ax.set_axisbelow(True)
        _title_and_caption(fig, title_lines, caption, top=1 - 0.1 / height, caption_y=(bottom - 0.15) / height)
    fig.i4d_rows = pd.concat([g for _, _, g in panels], ignore_index=True)  # type: ignore[attr-defined]
    return fig
