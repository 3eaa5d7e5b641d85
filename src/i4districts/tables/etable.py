"""``etable``: one regression table from any mix of panel and shift-share results.

Built on the renderers of :mod:`i4districts.tables.regression` (one column per
model, estimate with stars and standard error below, then model statistics).
A result is anything with the results protocol (:class:`i4districts.results.ResultProtocol`)
or its ``to_dict()`` record (for example a JSON written by ``i4d estimate panel``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from .regression import COEFFICIENT_COLUMNS, RENDERERS, ModelColumn, _grid, to_csv

__all__ = ["etable", "inference_note", "model_column", "TYPES"]

TYPES = ("tex", "md", "html", "csv", "df")


def _record(result: Any) -> dict[str, Any]:
    if isinstance(result, Mapping):
        return dict(result)
    if hasattr(result, "to_dict"):
        return result.to_dict()
    raise TypeError(f"etable: expected an estimation or shift-share result (or its to_dict()), "
                    f"got {type(result).__name__}")


def _inference_text(inf: Mapping[str, Any], kind: str) -> str:
    if kind == "shiftshare":
        return str(inf.get("label") or inf.get("method") or "")
    kind_label = {"homoskedastic": "IID", "robust": "Heteroskedasticity-robust", "clustered": "Clustered",
                  "driscoll_kraay": "Driscoll-Kraay"}.get(inf.get("type", ""), str(inf.get("type", "")))
    clusters = inf.get("clusters") or []
    by = f" by {' and '.join(clusters)}" if clusters else ""
    return f"{kind_label}{by} ({inf.get('correction')})"


def inference_note(results: Sequence[Any]) -> str:
    """One note naming the inference of every column, e.g. ``(1) RI (permuted shifts): ...; (2) Clustered ...``."""
    parts = []
    for i, result in enumerate(results, start=1):
        rec = _record(result)
        kind = rec.get("kind") or ("shiftshare" if "methods" in rec else "panel")
        inf = rec.get("inference") or {}
        text = _inference_text(inf, kind)
        if kind == "shiftshare" and inf.get("correction_label"):
            text += f": {inf['correction_label']}"
        parts.append(f"({i}) {text}")
    return "Inference by column: " + "; ".join(parts)


def model_column(result: Any, *, label: str | None = None, labels: Mapping[str, str] | None = None) -> ModelColumn:
    """A table column from a result (either kind) or its ``to_dict()`` record."""
    rec = _record(result)
    labels = labels or {}
    kind = rec.get("kind") or ("shiftshare" if "methods" in rec else "panel")
    coefs = pd.DataFrame(rec["coefficients"])
    for c in COEFFICIENT_COLUMNS:
        if c not in coefs.columns:
            coefs[c] = float("nan")
    coefs = coefs[COEFFICIENT_COLUMNS].astype({c: float for c in COEFFICIENT_COLUMNS[1:]})
    inf = rec.get("inference") or {}
    stats: dict[str, str] = {"Observations": f"{int(rec['nobs']):,}"}
    stats["Estimator"] = f"{'shift-share ' if kind == 'shiftshare' else ''}{rec.get('estimator', '')}"
    for eff in rec.get("fixed_effects") or []:
        stats[f"{labels.get(eff, eff)} FE"] = "Yes"
    stats["Std. errors"] = _inference_text(inf, kind)
    ncl = inf.get("n_clusters")
    if ncl:
        stats["Clusters"] = ", ".join(f"{int(n):,}" for n in (ncl if isinstance(ncl, (list, tuple)) else [ncl]))
    if rec.get("r2_within") is not None:
        stats["Within R²"] = f"{float(rec['r2_within']):.3f}"
    elif rec.get("r2") is not None:
        stats["R²"] = f"{float(rec['r2']):.3f}"
    if kind == "shiftshare" and rec.get("n_sectors") is not None:
        stats["Sectors"] = f"{int(rec['n_sectors']):,}"
    summary = (rec.get("extra") or {}).get("diagnostics_summary") or {}
    if summary.get("effective_shocks") is not None:
        stats["Effective shocks"] = f"{float(summary['effective_shocks']):.1f}"
    if summary.get("top_sector") is not None and summary.get("top_sector_share") is not None:
        stats["Top sector (share of estimate)"] = f"{summary['top_sector']} ({100 * float(summary['top_sector_share']):.0f}%)"
    if summary.get("placebo_rejection") is not None:
        stats["Placebo rejection at 5%"] = (f"{100 * float(summary['placebo_rejection']):.1f}% "
                                            f"of {int(summary.get('placebo_draws') or 0)}")
    outcome = rec.get("outcome") or rec.get("model_id") or "model"
    return ModelColumn(model_id=str(rec.get("model_id") or outcome), label=label or labels.get(outcome, outcome),
                       coefficients=coefs, statistics=stats)


def etable(results: Any, type: str = "md", *, labels: Mapping[str, str] | None = None,
           model_labels: Sequence[str] | None = None, title: str = "Estimation results", notes: Sequence[str] = (),
           digits: int = 4, fe_rows: bool = True, stars: bool = True) -> str | pd.DataFrame:
    """One table of ``results`` (a result or a list of panel and/or shift-share results).

    ``type``: ``"tex"`` (booktabs), ``"md"``, ``"html"``, ``"csv"`` (full precision) or ``"df"``
    (a DataFrame: one row per estimate, standard error and statistic, one column per model).
    ``labels`` renames terms, outcomes and fixed effects; ``model_labels`` sets the column
    headers (default: the outcomes). ``stars=False`` prints no significance stars (for tables
    resting on synthetic data, where the inference has no meaning) and says so in the notes.
    """
    if type not in TYPES:
        raise ValueError(f"etable: type must be one of {list(TYPES)}, got {type!r}")
    if not isinstance(results, (list, tuple)):
        results = [results]
    if not results:
        raise ValueError("etable: no results given")
    if model_labels is not None and len(model_labels) != len(results):
        raise ValueError(f"etable: {len(model_labels)} model_labels for {len(results)} results")
    labels = dict(labels or {})
    cols = [model_column(r, label=None if model_labels is None else model_labels[i], labels=labels)
            for i, r in enumerate(results)]
    if not fe_rows:
        cols = [ModelColumn(c.model_id, c.label, c.coefficients,
                            {k: v for k, v in c.statistics.items() if not k.endswith(" FE")}) for c in cols]
    if type == "df":
        body, stats = _grid(cols, labels, digits, stars)
        rows = [*body, *stats]
        header = [f"({i + 1}) {c.label}" for i, c in enumerate(cols)]
        return pd.DataFrame([r[1:] for r in rows], index=pd.Index([r[0] for r in rows], name=""), columns=header)
    if type == "csv":
        return to_csv(cols, title=title, notes=notes)
    return RENDERERS[type](cols, title=title, notes=notes, labels=labels, digits=digits, show_stars=stars)
