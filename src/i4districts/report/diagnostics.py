"""Design diagnostics of estimation records (``models/<model>.json``) as report tables.

One comparison table (a column per model: observations, clusters, inference, the main coefficient
with its standard error and p-value, effective number of shocks, the sector carrying the estimate,
placebo rejection), then per model its coefficients, Rotemberg weights (Goldsmith-Pinkham, Sorkin
and Swift 2020) and placebo rejection rates by inference method. Numbers only, never significance
stars. Keys follow :meth:`i4districts.results.ResultProtocol.to_dict` and the shift-share extras.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from i4districts.report.fragment import table_from_rows

__all__ = ["fmt", "load_record", "model_tables", "summary_rows", "summary_table"]

DASH = "—"


def fmt(x: Any, digits: int = 4) -> str:
    """A number for display: integers with thousands separators, floats with ``digits`` decimals
    (general format when very small or large); missing as a dash."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return DASH
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, int):
        return f"{x:,}"
    if isinstance(x, float):
        a = abs(x)
        return f"{x:.{digits}g}" if a and (a >= 1e6 or a < 10 ** -digits) else f"{x:.{digits}f}"
    return str(x)


def _pct(x: Any) -> str:
    return DASH if x is None else f"{100 * float(x):.1f}%"


def load_record(path: str | Path) -> dict[str, Any]:
    """An estimation record (:func:`i4districts.results.read_record`)."""
    from i4districts.results import read_record

    return read_record(path)


def _main_coefficient(rec: Mapping[str, Any]) -> Mapping[str, Any]:
    coefs = rec.get("coefficients") or []
    regressor = rec.get("regressor")
    for c in coefs:
        if c.get("term") == regressor:
            return c
    return coefs[0] if coefs else {}


def _inference(rec: Mapping[str, Any]) -> str:
    inf = rec.get("inference") or {}
    label = inf.get("label") or inf.get("type") or inf.get("method") or ""
    clusters = inf.get("clusters") or []
    if clusters and rec.get("kind") != "shiftshare":
        label = f"{label} by {' and '.join(map(str, clusters))}"
    return str(label) or DASH


def summary_rows(rec: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, value) pairs of one record, in display order; absent diagnostics are left out."""
    extra = rec.get("extra") or {}
    summary = extra.get("diagnostics_summary") or {}
    shock = (extra.get("diagnostics") or {}).get("shock_level") or {}
    main = _main_coefficient(rec)
    inf = rec.get("inference") or {}
    rows = [
        ("Kind", f"{rec.get('kind', DASH)} ({rec.get('estimator', DASH)})"),
        ("Outcome", str(rec.get("outcome") or DASH)),
        ("Term", str(main.get("term") or DASH)),
        ("Estimate", fmt(main.get("estimate"))),
        ("Std. error", fmt(main.get("std_error"))),
        ("p-value", fmt(main.get("p"))),
        ("Inference", _inference(rec)),
        ("Observations", fmt(rec.get("nobs"))),
    ]
    ncl = inf.get("n_clusters") if inf.get("n_clusters") is not None else rec.get("n_region_clusters")
    if ncl is not None:
        rows.append(("Clusters", ", ".join(fmt(n) for n in (ncl if isinstance(ncl, list) else [ncl]))))
    for label, key in (("Sectors (shocks)", "n_sectors"), ("R²", "r2"), ("Within R²", "r2_within")):
        if rec.get(key) is not None:
            rows.append((label, fmt(rec[key])))
    if summary.get("effective_shocks") is not None:
        rows.append(("Effective number of shocks", fmt(summary["effective_shocks"], 2)))
    if shock.get("hhi") is not None:
        rows.append(("Shock-weight HHI", fmt(shock["hhi"])))
    if summary.get("top_sector") is not None:
        rows.append(("Top Rotemberg sector (share of estimate)",
                     f"{summary['top_sector']} ({_pct(summary.get('top_sector_share'))})"))
    first_stage = summary.get("first_stage_f")
    if first_stage is None and isinstance(rec.get("first_stage"), Mapping):
        first_stage = rec["first_stage"].get("f") or rec["first_stage"].get("kp_f")
    if first_stage is not None:
        rows.append(("First-stage F", fmt(first_stage, 2)))
    if summary.get("placebo_rejection") is not None:
        alpha = (extra.get("placebo") or {}).get("alpha", rec.get("alpha", 0.05))
        rows.append((f"Placebo rejection at {fmt(100 * float(alpha), 0)}%",
                     f"{_pct(summary['placebo_rejection'])} of {fmt(summary.get('placebo_draws'))} draws "
                     f"(MC s.e. {_pct(summary.get('placebo_mc_se'))})"))
    return rows


def summary_table(records: Sequence[Mapping[str, Any]], *, caption: str = "") -> str:
    """A comparison table, one column per model, rows from :func:`summary_rows`."""
    per_model = [dict(summary_rows(r)) for r in records]
    labels = list(dict.fromkeys(label for rows in (summary_rows(r) for r in records) for label, _ in rows))
    header = ["", *[str(r.get("model_id") or f"({i + 1})") for i, r in enumerate(records)]]
    body = [[label, *[m.get(label, DASH) for m in per_model]] for label in labels]
    return table_from_rows(header, body, caption=caption)


def model_tables(rec: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(heading, table) for one model: coefficients, Rotemberg weights, placebo rejection by method."""
    out = []
    coef_rows = [[str(c.get("term")), fmt(c.get("estimate")), fmt(c.get("std_error")), fmt(c.get("t")),
                  fmt(c.get("p")), fmt(c.get("ci_low")), fmt(c.get("ci_high"))] for c in rec.get("coefficients") or []]
    out.append(("Coefficients", table_from_rows(["term", "estimate", "std. error", "t", "p", "CI low", "CI high"],
                                                coef_rows)))
    extra = rec.get("extra") or {}
    rotemberg = (extra.get("diagnostics") or {}).get("rotemberg") or {}
    top = rotemberg.get("top") or []
    if top:
        rows = [[str(t.get("sector")), fmt(t.get("alpha")), fmt(t.get("beta")), fmt(t.get("contribution")),
                 _pct(t.get("share_of_estimate"))] for t in top]
        out.append(("Rotemberg weights (Goldsmith-Pinkham, Sorkin and Swift 2020)",
                    table_from_rows(["sector", "alpha", "beta", "alpha × beta", "share of estimate"], rows,
                                    notes=[f"sum of alpha {fmt(rotemberg.get('sum_alpha'))}; negative weights "
                                           f"{fmt(rotemberg.get('sum_negative_alpha'))}"])))
    placebo = extra.get("placebo") or {}
    rejection = placebo.get("rejection") or {}
    if rejection:
        mc = placebo.get("mc_se") or {}
        rows = [[m, _pct(rejection[m]), _pct(mc.get(m))] for m in sorted(rejection)]
        out.append((f"Placebo rejection at {fmt(100 * float(placebo.get('alpha', 0.05)), 0)}% by inference method",
                    table_from_rows(["method", "rejection rate", "MC s.e."], rows,
                                    notes=[f"{fmt(placebo.get('draws'))} draws; shifts: {placebo.get('shifts', DASH)}; "
                                           f"seed {placebo.get('seed', DASH)}"])))
    return out
