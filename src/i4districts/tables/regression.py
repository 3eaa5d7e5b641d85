"""Regression tables: one column per model (panel and/or shift-share results), as one tidy :class:`Table`.

:func:`regression_table` reads result records (``to_dict()`` of either result kind, or the JSON
written by ``i4d estimate``) and builds the long cells of :mod:`i4districts.tables.render`:

* ``depvar``: the dependent variable with its label and unit;
* ``coef``: each term's estimate (with significance stars only where the column's inference is
  valid) and, below it, the standard error ``(se)``, the t statistic ``[t]`` or the confidence
  interval ``[lo, hi]`` (``statistic``);
* ``fe``: absorbed fixed effects and categorical controls (``Yes``/``No``), other controls;
* ``stats``: observations, groups, clusters, sectors, mean of the dependent variable, R² (overall),
  within R² (only where effects are absorbed), first-stage F (IV);
* ``inference``: estimator, covariance / inference method, named small-sample correction;
* ``design``: shift-share design diagnostics (effective number of shocks, largest Rotemberg
  weight, placebo rejection rate).

Notes: data source and vintage, sample, estimator, inference by column (full correction
formulas and references), the statistic shown, the star convention (or why there are none).

Significance stars: ``* p<0.10, ** p<0.05, *** p<0.01`` by default (:class:`StarConvention`),
two-sided p-values of each column's own inference (randomization, AKM, cluster-robust ...).
A column gets no stars when the table rests on synthetic or illustrative data, or when its record
flags the inference invalid (``inference.valid = false`` with ``inference.invalid_reason``, or
``synthetic = true``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .labels import INTERCEPTS, term_labels
from .notes import column_span, data_note, sample_text, split_provenance
from .render import Cells, Column, Table, fmt_int, fmt_num

__all__ = [
    "COEFFICIENT_COLUMNS",
    "STATISTICS",
    "StarConvention",
    "DEFAULT_STARS",
    "ColumnFacts",
    "column_facts",
    "match_frames",
    "read_coefficients",
    "record_of",
    "regression_table",
    "stars",
]

COEFFICIENT_COLUMNS = ["term", "estimate", "std_error", "t", "p", "ci_low", "ci_high"]
STATISTICS: tuple[str, ...] = ("se", "t", "ci")
"""What is shown below each estimate: standard error, t statistic or confidence interval."""


# ----------------------------------------------------------------------------- stars
@dataclass(frozen=True)
class StarConvention:
    """Significance marks by p-value: ``p < level`` gets the mark (the smallest level that holds)."""

    levels: tuple[tuple[float, str], ...] = ((0.01, "***"), (0.05, "**"), (0.10, "*"))

    @classmethod
    def from_thresholds(cls, thresholds: Sequence[float]) -> "StarConvention":
        """``[0.10, 0.05, 0.01]`` → ``*`` p<0.10, ``**`` p<0.05, ``***`` p<0.01 (any order)."""
        lv = sorted({float(t) for t in thresholds}, reverse=True)
        if any(not 0 < t < 1 for t in lv):
            raise ValueError(f"star thresholds must lie in (0, 1), got {list(thresholds)}")
        return cls(tuple((t, "*" * (i + 1)) for i, t in enumerate(lv))[::-1])

    def mark(self, p: float | None) -> str:
        if p is None or (isinstance(p, float) and math.isnan(p)):
            return ""
        for level, mark in sorted(self.levels):
            if p < level:
                return mark
        return ""

    def legend(self) -> str:
        parts = [f"{mark} p<{_level(level)}" for level, mark in sorted(self.levels, reverse=True)]
        return ", ".join(parts) + " (two-sided p-values of each column's inference)"


def _level(level: float) -> str:
    """``0.1`` → ``0.10``, ``0.001`` → ``0.001`` (at least two decimals)."""
    text = f"{level:.10f}".rstrip("0")
    return text + "0" * max(0, 2 - len(text.split(".")[1]))


DEFAULT_STARS = StarConvention()


def stars(p: float | None) -> str:
    """Significance stars for a p-value under the default convention: *** < 0.01, ** < 0.05, * < 0.10."""
    return DEFAULT_STARS.mark(p)


# ----------------------------------------------------------------------------- records
def record_of(result: Any) -> dict[str, Any]:
    """The JSON record of a result (either kind), or a copy of a record given as a mapping."""
    if isinstance(result, Mapping):
        return dict(result)
    if hasattr(result, "to_dict"):
        return result.to_dict()
    raise TypeError(f"expected an estimation or shift-share result (or its to_dict()), got {type(result).__name__}")


def _kind(rec: Mapping[str, Any]) -> str:
    return str(rec.get("kind") or ("shiftshare" if "methods" in rec else "panel"))


def _num(x: Any) -> float | None:
    if x is None:
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


_PANEL_CORRECTIONS = {
    "none": "none",
    "dof": "N/(N−K)",
    "linearmodels": "N/(N−K), linearmodels",
    "cr1": "G/(G−1)·(N−1)/(N−K)",
    "cr1_nested": "G/(G−1)·(N−1)/(N−K), nested FE not counted",
    "cluster_only": "G/(G−1)",
}
_SS_CORRECTIONS = {
    "homoskedastic": "e′e/(N−p)",
    "ehw": "N/(N−p)",
    "cluster": "G/(G−1)·(N−1)/(N−p)",
    "akm": "none",
    "akm0": "none",
    "ri": "none (exact p-value)",
}
_SS_METHODS = {
    "homoskedastic": "IID",
    "ehw": "EHW (HC1)",
    "cluster": "CRV1 by region",
    "akm": "AKM (sector clusters)",
    "akm0": "AKM0 (null imposed)",
}
_REFERENCES = {
    "akm": "Adão, Kolesár and Morales (2019)",
    "akm0": "Adão, Kolesár and Morales (2019)",
    "ri": "Borusyak and Hull (2023)",
}
_ESTIMATORS = {
    "within": "OLS, within",
    "pooled": "pooled OLS",
    "ols": "OLS",
    "first_difference": "OLS, first differences",
    "long_difference": "OLS, long difference",
    "between": "between",
    "random_effects": "random effects",
}


def _clusters(inf: Mapping[str, Any]) -> list[tuple[str, int | None]]:
    dims = list(inf.get("clusters") or [])
    ncl = inf.get("n_clusters")
    counts = list(ncl) if isinstance(ncl, (list, tuple)) else [ncl] * max(len(dims), 1 if ncl else 0)
    if not dims and counts and counts[0] is not None:
        dims = ["cluster"]
    return [(d, None if n is None else int(n)) for d, n in zip(dims, counts)]


def _inference(rec: Mapping[str, Any], kind: str, labels: Mapping[str, str]) -> tuple[str, str, str]:
    """``(method, correction, long text)`` naming the column's inference."""
    inf = rec.get("inference") or {}
    boot = (rec.get("extra") or {}).get("wild_bootstrap") or (inf if inf.get("type") == "wild_bootstrap" else None)
    if boot:
        weights = str(boot.get("weights_type") or boot.get("weights") or "").capitalize()
        b = boot.get("B") or boot.get("draws")
        by = boot.get("cluster") or ", ".join(inf.get("clusters") or [])
        method = f"wild cluster bootstrap ({weights}{', ' if weights and b else ''}{f'B = {b}' if b else ''})"
        corr = str(boot.get("bootstrap") or "WCR (null imposed)")
        return method, corr, f"{method} by {labels.get(by, by)}, {corr}" if by else f"{method}, {corr}"
    typ = str(inf.get("type") or "")
    by = " and ".join(labels.get(c, c) for c in (inf.get("clusters") or []))
    if kind == "shiftshare":
        method_name = str(inf.get("method") or typ)
        if method_name == "ri":
            perms = inf.get("permutations")
            stud = inf.get("studentization")
            method = "RI (permuted shifts)" + (f", {perms} permutations" if perms else "")
            if stud == "cluster" and by:
                long = f"{method}, t studentised with CR1 standard errors clustered by {by}"
            else:
                long = method + (", t studentised with EHW (HC1) standard errors" if stud else "")
        else:
            method = _SS_METHODS.get(method_name, str(inf.get("label") or method_name))
            if method_name == "cluster" and by:
                method = f"CRV1 by {by}"
            long = method
        corr = _SS_CORRECTIONS.get(method_name, str(inf.get("correction") or ""))
        ref = _REFERENCES.get(method_name)
        label = str(inf.get("correction_label") or "")
        long += f"; small-sample correction: {label}" if label else ""
        if ref and ref.split(" (")[0] not in long:
            long += f"; {ref}"
        return method, corr, long
    corr_code = str(inf.get("correction") or "")
    corr = _PANEL_CORRECTIONS.get(corr_code, corr_code)
    if typ == "clustered":
        method = f"{'CRV0' if corr_code == 'none' else 'CRV1'} by {by}" if by else "cluster-robust"
    elif typ == "robust":
        method = "HC0" if corr_code == "none" else "HC1"
    elif typ == "homoskedastic":
        method = "IID"
    elif typ == "driscoll_kraay":
        bw = inf.get("bandwidth")
        method = "Driscoll–Kraay" + (f" (bandwidth {bw:g})" if isinstance(bw, (int, float)) else "")
    else:
        method = str(inf.get("label") or typ)
    dist = inf.get("distribution")
    df = inf.get("df")
    long = f"{method}; small-sample correction {corr_code}: {inf.get('correction_label') or corr}"
    if dist == "t" and df is not None:
        long += f"; t({df}) distribution"
    return method, corr, long


def _stars_valid(rec: Mapping[str, Any]) -> tuple[bool, str]:
    inf = rec.get("inference") or {}
    extra = rec.get("extra") or {}
    if rec.get("synthetic") or extra.get("synthetic"):
        return False, "synthetic data"
    if inf.get("valid") is False or extra.get("inference_valid") is False:
        return False, str(inf.get("invalid_reason") or extra.get("invalid_reason") or "inference flagged invalid")
    return True, ""


_CATEGORICAL = re.compile(r"^(?:C\()?(?P<name>[^\[\]()]+)\)?\[(?:T\.)?.*\]$")


def _split_controls(controls: Sequence[str]) -> tuple[list[str], list[str]]:
    """``(categorical, other)`` control names: ``macro_area[ITF]`` → ``macro_area``; intercepts dropped."""
    cats: list[str] = []
    other: list[str] = []
    for c in controls:
        c = str(c)
        if c in INTERCEPTS:
            continue
        m = _CATEGORICAL.match(c)
        if m:
            if m["name"] not in cats:
                cats.append(m["name"])
        elif c not in other:
            other.append(c)
    return cats, other


@dataclass(frozen=True)
class ColumnFacts:
    """What the table shows about one result, read from its record."""

    model_id: str
    kind: str
    outcome: str
    coefficients: pd.DataFrame
    nobs: int
    estimator: str
    inference: str
    correction: str
    inference_long: str
    ci_type: str = "interval"
    alpha: float = 0.05
    absorbed: tuple[str, ...] = ()
    other_controls: tuple[str, ...] = ()
    groups: tuple[str, int] | None = None
    clusters: tuple[tuple[str, int | None], ...] = ()
    n_sectors: int | None = None
    r2: float | None = None
    r2_within: float | None = None
    first_stage_f: float | None = None
    first_stage_name: str = ""
    outcome_mean: float | None = None
    sample: str = ""
    stars_valid: bool = True
    stars_reason: str = ""
    design: Mapping[str, Any] = field(default_factory=dict)


def column_facts(result: Any, *, labels: Mapping[str, str] | None = None,
                 frame: pd.DataFrame | None = None) -> ColumnFacts:
    """The facts of one column from a result or its record; ``frame`` (the model frame) gives the mean
    of the dependent variable and the sample text when the record does not hold them."""
    rec = record_of(result)
    labels = labels or {}
    kind = _kind(rec)
    coefs = pd.DataFrame(rec.get("coefficients") or [])
    for c in COEFFICIENT_COLUMNS:
        if c not in coefs.columns:
            coefs[c] = float("nan") if c != "term" else ""
    coefs = coefs[COEFFICIENT_COLUMNS].copy()
    for c in COEFFICIENT_COLUMNS[1:]:
        coefs[c] = pd.to_numeric(coefs[c], errors="coerce").astype(float)
    inf = rec.get("inference") or {}
    extra = rec.get("extra") or {}
    outcome = str(rec.get("outcome") or rec.get("model_id") or "")
    method, corr, long = _inference(rec, kind, labels)
    valid, reason = _stars_valid(rec)
    estimator = str(rec.get("estimator") or "")
    fs_f, fs_name = None, ""
    if kind == "panel":
        spec = rec.get("spec") or {}
        est = _ESTIMATORS.get(estimator) or _ESTIMATORS.get(str(spec.get("estimator"))) or estimator
        if rec.get("first_stage"):
            est = "2SLS" + (f", {est.split(', ', 1)[1]}" if ", " in est else "")
            fs_f, fs_name = _num(rec.get("first_stage_f")), "Kleibergen–Paap rk Wald F"
        absorbed = tuple(" × ".join(str(e).split("^")) if "^" in str(e) else str(e)
                         for e in rec.get("fixed_effects") or [])
        other: tuple[str, ...] = ()
        entity, n_ent = spec.get("entity"), rec.get("n_entities")
        groups = (str(entity), int(n_ent)) if entity and n_ent else None
        r2, r2w = _num(rec.get("r2")), _num(rec.get("r2_within")) if absorbed else None
        n_sectors = None
    else:
        est = "shift-share " + ("IV" if estimator == "iv" else "OLS" if estimator == "ols" else estimator)
        if estimator == "iv":
            fs_f = _num((extra.get("diagnostics_summary") or {}).get("first_stage_f"))
            fs_name = "shift-share first stage, t² under the column's inference"
        cats, others = _split_controls(rec.get("controls") or [])
        absorbed, other = tuple(cats), tuple(others)
        n_reg = rec.get("n_region_clusters")
        groups = ("region", int(n_reg)) if n_reg else None
        r2, r2w = _num(rec.get("r2")), None
        n_sectors = None if rec.get("n_sectors") is None else int(rec["n_sectors"])
    mean = _num(rec.get("outcome_mean") if rec.get("outcome_mean") is not None else extra.get("outcome_mean"))
    sample = ""
    if frame is not None and outcome in frame.columns:
        used = frame[frame[outcome].notna()]
        if mean is None:
            mean = float(used[outcome].mean())
        sample = sample_text(used)
    design = {}
    if kind == "shiftshare":
        design = dict(extra.get("diagnostics_summary") or {})
        design["alpha"] = (extra.get("placebo") or {}).get("alpha", rec.get("alpha", 0.05))
    return ColumnFacts(
        model_id=str(rec.get("model_id") or outcome), kind=kind, outcome=outcome, coefficients=coefs,
        nobs=int(rec.get("nobs") or rec.get("n") or 0), estimator=est, inference=method, correction=corr,
        inference_long=long, ci_type=str(inf.get("ci_type") or "interval"),
        alpha=float(inf.get("alpha", rec.get("alpha", 0.05)) or 0.05), absorbed=absorbed, other_controls=other,
        groups=groups, clusters=tuple(_clusters(inf)), n_sectors=n_sectors, r2=r2, r2_within=r2w,
        first_stage_f=fs_f, first_stage_name=fs_name, outcome_mean=mean, sample=sample, stars_valid=valid,
        stars_reason=reason, design=design,
    )


def match_frames(records: Sequence[Mapping[str, Any]], frames: Sequence[pd.DataFrame]) -> list[pd.DataFrame | None]:
    """The model frame of each record: ``frames[i]`` when there is one frame per record, else the one
    frame holding the record's outcome with exactly ``nobs`` non-missing values (None when no frame or
    several frames qualify, so that no mean is shown for a sample that cannot be told)."""
    if len(frames) == len(records):
        return list(frames)
    out: list[pd.DataFrame | None] = []
    for rec in records:
        outcome, nobs = rec.get("outcome"), rec.get("nobs")
        hits = [f for f in frames if outcome in f.columns and int(f[outcome].notna().sum()) == nobs]
        out.append(hits[0] if len(hits) == 1 else None)
    return out


# ----------------------------------------------------------------------------- the table
def _ci_text(lo: float, hi: float, ci_type: str, digits: int) -> str:
    if ci_type == "real_line":
        return "(−∞, ∞)"
    if ci_type == "none" or (math.isnan(lo) and math.isnan(hi)):
        return "n/a"
    if ci_type == "complement":
        return f"(−∞, {fmt_num(hi, digits)}] ∪ [{fmt_num(lo, digits)}, ∞)"
    return f"[{fmt_num(lo, digits)}, {fmt_num(hi, digits)}]"


def _ordered_terms(facts: Sequence[ColumnFacts]) -> list[str]:
    terms: list[str] = []
    for f in facts:
        for t in f.coefficients["term"]:
            if t not in terms:
                terms.append(str(t))
    return sorted(terms, key=lambda t: t in INTERCEPTS)  # stable: first-seen order, intercepts last


def _label_with_unit(name: str, labels: Mapping[str, str], units: Mapping[str, str]) -> str:
    label = labels.get(name, name)
    unit = units.get(name)
    return f"{label} ({unit})" if unit else label


def regression_table(
    results: Sequence[Any],
    *,
    name: str = "regression",
    title: str = "Estimation results",
    labels: Mapping[str, str] | None = None,
    units: Mapping[str, str] | None = None,
    column_labels: Sequence[str] | Mapping[str, str] | None = None,
    column_groups: Mapping[str, Sequence[str]] | Sequence[Mapping[str, Any]] | None = None,
    statistic: str = "se",
    digits: int = 4,
    stars: StarConvention | bool = True,
    illustrative: bool = False,
    fe_rows: bool = True,
    design_rows: bool = True,
    frames: Sequence[pd.DataFrame | None] | None = None,
    provenance: Sequence[str] = (),
    notes: Sequence[str] = (),
) -> Table:
    """One regression table, one column per result (panel and shift-share results may be mixed).

    ``labels`` (config ``tables.labels``) name terms, outcomes, fixed effects and controls; terms
    without a label get one derived from the model spec (:mod:`i4districts.tables.labels`).
    ``units`` (``tables.units``) give the unit of a variable, shown with the dependent variable.
    ``column_labels``: headers in column order, or by model id (``tables.columns``); default: the
    spec description, else the outcome label. ``column_groups`` (``tables.column_groups``):
    ``{group label: [model ids]}`` or ``[{"label": ..., "models": [...]}]``, contiguous.
    ``statistic``: ``se`` | ``t`` | ``ci`` below each estimate. ``stars``: a
    :class:`StarConvention`, True (default convention) or False (none). ``illustrative``: the data
    are synthetic/illustrative (no stars, said in the notes). ``frames``: the model frame of each
    column (or None), for the mean of the dependent variable and the sample. ``provenance``: the
    frames' provenance notes (data source and vintage first, caveats after). ``notes``: appended.
    """
    if statistic not in STATISTICS:
        raise ValueError(f"statistic must be one of {list(STATISTICS)}, got {statistic!r}")
    records = [record_of(r) for r in results]
    if not records:
        raise ValueError("regression table: no results given")
    frames = list(frames) if frames is not None else [None] * len(records)
    if len(frames) != len(records):
        raise ValueError(f"regression table: {len(frames)} frames for {len(records)} results")
    labels = term_labels(records, labels)
    units = dict(units or {})
    convention = DEFAULT_STARS if stars is True else (stars or None)
    facts = [column_facts(r, labels=labels, frame=f) for r, f in zip(records, frames)]
    columns = _columns(records, facts, labels, column_labels, column_groups)
    keys = [c.key for c in columns]
    cells = Cells()

    for key, f in zip(keys, facts):
        cells.add("depvar", "depvar", key, _label_with_unit(f.outcome, labels, units), label="Dependent variable")

    show_stars = [convention is not None and not illustrative and f.stars_valid for f in facts]
    for term in _ordered_terms(facts):
        for key, f, ok in zip(keys, facts, show_stars):
            hit = f.coefficients[f.coefficients["term"] == term]
            if hit.empty:
                continue
            r = hit.iloc[0]
            mark = convention.mark(r["p"]) if ok and convention is not None else ""
            cells.add("coef", term, key, fmt_num(r["estimate"], digits) + mark, label=labels.get(term, term),
                      statistic="estimate", value=r["estimate"], p=r["p"], stars=mark)
            if statistic == "se":
                text = f"({fmt_num(r['std_error'], digits)})" if not math.isnan(r["std_error"]) else ""
                cells.add("coef", term, key, text, statistic="std_error", value=r["std_error"])
            elif statistic == "t":
                text = f"[{fmt_num(r['t'], 2)}]" if not math.isnan(r["t"]) else ""
                cells.add("coef", term, key, text, statistic="t", value=r["t"])
            else:
                cells.add("coef", term, key, _ci_text(r["ci_low"], r["ci_high"], f.ci_type, digits),
                          statistic="ci", value=r["ci_low"], value_hi=r["ci_high"])

    if fe_rows:
        effects: list[str] = []
        for f in facts:
            effects += [e for e in f.absorbed if e not in effects]
        for e in effects:
            for key, f in zip(keys, facts):
                cells.add("fe", f"fe:{e}", key, "Yes" if e in f.absorbed else "No",
                          label=f"{labels.get(e, e)} FE")
        if any(f.other_controls for f in facts):
            for key, f in zip(keys, facts):
                cells.add("fe", "other_controls", key, "Yes" if f.other_controls else "No", label="Other controls")

    _stat_rows(cells, keys, facts, labels, units, digits)
    for key, f in zip(keys, facts):
        cells.add("inference", "estimator", key, f.estimator, label="Estimator")
    for key, f in zip(keys, facts):
        cells.add("inference", "inference", key, f.inference, label="Inference")
    for key, f in zip(keys, facts):
        cells.add("inference", "correction", key, f.correction, label="Small-sample correction")
    if design_rows:
        _design_rows(cells, keys, facts)

    table_notes = _notes(facts, labels, statistic, convention, show_stars, illustrative, provenance)
    return Table(name=name, title=title + (" (illustrative data)" if illustrative else ""), columns=tuple(columns),
                 cells=cells.frame(), notes=(*table_notes, *notes), numbered=True,
                 blocks={"depvar": "", "coef": "", "fe": "Fixed effects and controls", "stats": "Statistics",
                         "inference": "Inference", "design": "Shift-share design"})


def _columns(records, facts, labels, column_labels, column_groups) -> list[Column]:
    keys: list[str] = []
    for f in facts:
        key, i = f.model_id, 2
        while key in keys:
            key, i = f"{f.model_id} [{i}]", i + 1
        keys.append(key)
    if column_labels is None:
        heads = [str((r.get("spec") or {}).get("description") or labels.get(f.outcome, f.outcome))
                 for r, f in zip(records, facts)]
    elif isinstance(column_labels, Mapping):
        heads = [str(column_labels.get(f.model_id) or (r.get("spec") or {}).get("description")
                     or labels.get(f.outcome, f.outcome)) for r, f in zip(records, facts)]
    else:
        if len(column_labels) != len(records):
            raise ValueError(f"{len(column_labels)} column labels for {len(records)} results")
        heads = [str(x) for x in column_labels]
    group_of: dict[str, str] = {}
    if column_groups:
        items = (list(column_groups.items()) if isinstance(column_groups, Mapping)
                 else [(g["label"], g["models"]) for g in column_groups])
        for label, models in items:
            for m in models:
                if m not in keys:
                    raise ValueError(f"column group {label!r}: model {m!r} is not a column; columns are {keys}")
                group_of[m] = str(label)
    return [Column(k, h, group_of.get(k), "right") for k, h in zip(keys, heads)]


def _stat_rows(cells: Cells, keys, facts: Sequence[ColumnFacts], labels, units, digits: int) -> None:
    for key, f in zip(keys, facts):
        cells.add("stats", "nobs", key, fmt_int(f.nobs), label="Observations", value=f.nobs)
    if any(f.groups for f in facts):
        dims = {f.groups[0] for f in facts if f.groups}
        label = f"Groups ({labels.get(next(iter(dims)), next(iter(dims)))})" if len(dims) == 1 else "Groups"
        for key, f in zip(keys, facts):
            if f.groups:
                cells.add("stats", "groups", key, fmt_int(f.groups[1]), label=label, value=f.groups[1])
    if any(f.clusters for f in facts):
        for key, f in zip(keys, facts):
            counts = [n for _, n in f.clusters if n is not None]
            if counts:
                cells.add("stats", "clusters", key, " × ".join(fmt_int(n) for n in counts), label="Clusters",
                          value=counts[0])
    if any(f.n_sectors is not None for f in facts):
        for key, f in zip(keys, facts):
            if f.n_sectors is not None:
                cells.add("stats", "sectors", key, fmt_int(f.n_sectors), label="Sectors (shocks)", value=f.n_sectors)
    if any(f.outcome_mean is not None for f in facts):
        for key, f in zip(keys, facts):
            if f.outcome_mean is not None:
                cells.add("stats", "depvar_mean", key, fmt_num(f.outcome_mean, digits),
                          label="Mean of dependent variable", value=f.outcome_mean)
    if any(f.r2 is not None for f in facts):
        for key, f in zip(keys, facts):
            if f.r2 is not None:
                cells.add("stats", "r2", key, fmt_num(f.r2, 3), label="R²", value=f.r2)
    if any(f.r2_within is not None for f in facts):
        for key, f in zip(keys, facts):
            if f.r2_within is not None:
                cells.add("stats", "r2_within", key, fmt_num(f.r2_within, 3), label="Within R²", value=f.r2_within)
    if any(f.first_stage_f is not None for f in facts):
        for key, f in zip(keys, facts):
            if f.first_stage_f is not None:
                cells.add("stats", "first_stage_f", key, fmt_num(f.first_stage_f, 2), label="First-stage F",
                          value=f.first_stage_f)


def _design_rows(cells: Cells, keys, facts: Sequence[ColumnFacts]) -> None:
    d = [f.design for f in facts]
    if any(x.get("effective_shocks") is not None for x in d):
        for key, x in zip(keys, d):
            v = _num(x.get("effective_shocks"))
            if v is not None:
                cells.add("design", "effective_shocks", key, fmt_num(v, 1), label="Effective number of shocks",
                          value=v)
    if any(x.get("top_sector") is not None for x in d):
        for key, x in zip(keys, d):
            share = _num(x.get("top_sector_share"))
            if x.get("top_sector") is not None and share is not None:
                cells.add("design", "top_sector", key, f"{x['top_sector']} ({100 * share:.0f}%)",
                          label="Largest Rotemberg weight: sector (share of estimate)", value=share)
    if any(x.get("placebo_rejection") is not None for x in d):
        alphas = {float(x.get("alpha") or 0.05) for x in d if x.get("placebo_rejection") is not None}
        nominal = f"{100 * alphas.pop():g}%" if len(alphas) == 1 else "the column's α"
        for key, x in zip(keys, d):
            v = _num(x.get("placebo_rejection"))
            if v is not None:
                draws = x.get("placebo_draws")
                cells.add("design", "placebo_rejection", key,
                          f"{100 * v:.1f}%" + (f" of {int(draws)}" if draws else ""),
                          label=f"Placebo rejection rate (nominal {nominal})", value=v)


def _notes(facts: Sequence[ColumnFacts], labels, statistic: str, convention: StarConvention | None,
           show_stars: Sequence[bool], illustrative: bool, provenance: Sequence[str]) -> list[str]:
    out: list[str] = []
    data = data_note(provenance)
    if data:
        out.append(data)
    samples = [(i, f"{f.nobs:,} observations" + (f", {f.sample}" if f.sample else "")) for i, f in
               enumerate(facts, start=1)]
    out.append("Sample: " + _by_column(samples) + ".")
    out.append("Estimator: " + _by_column([(i, f.estimator) for i, f in enumerate(facts, start=1)]) + ".")
    inf_parts = []
    first_of: dict[str, int] = {}
    for i, f in enumerate(facts, start=1):
        if f.inference_long in first_of:
            inf_parts.append(f"({i}) as ({first_of[f.inference_long]})")
        else:
            first_of[f.inference_long] = i
            inf_parts.append(f"({i}) {f.inference_long}")
    out.append("Inference by column: " + "; ".join(inf_parts) + ".")
    fs = [(i, f.first_stage_name) for i, f in enumerate(facts, start=1) if f.first_stage_f is not None]
    if fs:
        out.append("First-stage F: " + _by_column(fs) + ".")
    others = [(i, ", ".join(labels.get(c, c) for c in f.other_controls)) for i, f in enumerate(facts, start=1)
              if f.other_controls]
    if others:
        out.append("Other controls: " + _by_column(others) + ".")
    out.append({"se": "Standard errors in parentheses.", "t": "t statistics in brackets.",
                "ci": "Confidence intervals in brackets (level 1−α of each column's inference; n/a: no "
                      "confidence set, e.g. a randomization p-value only)."}[statistic])
    if convention is None:
        out.append("No significance stars.")
    elif illustrative:
        out.append("No significance stars: the table rests on illustrative (synthetic) data, where the "
                   "inference has no meaning.")
    else:
        out.append("Significance: " + convention.legend() + ".")
        off = [(i, f.stars_reason) for i, (f, ok) in enumerate(zip(facts, show_stars), start=1) if not ok]
        if off:
            out.append("No stars in " + _by_column(off) + ".")
    _, _, caveats = split_provenance(provenance)
    out += caveats
    return out


def _by_column(items: Sequence[tuple[int, str]]) -> str:
    """``"(1)–(3) text"`` for equal texts, ``"(1) a; (2) b"`` otherwise (first-seen order)."""
    groups: dict[str, list[int]] = {}
    for i, text in items:
        groups.setdefault(text, []).append(i)
    if len(groups) == 1 and len(items) > 1:
        text, idx = next(iter(groups.items()))
        return f"{column_span(idx)} {text}" if text else column_span(idx)
    return "; ".join(f"{column_span(idx)} {text}".rstrip() for text, idx in groups.items())


def read_coefficients(csv: str | Any) -> pd.DataFrame:
    """The coefficients of a regression-table CSV (path or text) back as one row per (model, term):
    ``model, term, label, estimate, std_error, t, ci_low, ci_high, p, stars`` at full precision
    (the statistic the table did not show is NaN)."""
    import io as _io
    from pathlib import Path

    text = Path(csv).read_text("utf-8") if not (isinstance(csv, str) and "\n" in csv) else csv
    df = pd.read_csv(_io.StringIO(text), keep_default_na=False, na_values=[""],
                     dtype={"row": str, "column": str, "statistic": str, "label": str, "stars": str})
    coef = df[df["block"] == "coef"]
    est = coef[coef["statistic"] == "estimate"].rename(columns={"column": "model", "row": "term", "value": "estimate"})
    out = est[["model", "term", "label", "estimate", "p", "stars"]].reset_index(drop=True)
    out["stars"] = out["stars"].fillna("")
    for stat, col in (("std_error", "std_error"), ("t", "t")):
        vals = coef[coef["statistic"] == stat].set_index(["column", "row"])["value"]
        out[col] = [vals.get((m, t), float("nan")) for m, t in zip(out["model"], out["term"])]
    ci = coef[coef["statistic"] == "ci"].set_index(["column", "row"])
    out["ci_low"] = [ci["value"].get((m, t), float("nan")) for m, t in zip(out["model"], out["term"])]
    out["ci_high"] = [ci["value_hi"].get((m, t), float("nan")) for m, t in zip(out["model"], out["term"])]
    return out[["model", "term", "label", "estimate", "std_error", "t", "ci_low", "ci_high", "p", "stars"]]
