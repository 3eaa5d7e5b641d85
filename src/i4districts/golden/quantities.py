"""The quantities of an estimation record that golden results pin.

:func:`record_quantities` reads one model record (the JSON written by ``i4d
estimate``, layout of :meth:`i4districts.results.ResultProtocol.to_dict`) and
returns ``{term: {quantity: value}}``:

* one entry per coefficient term: ``estimate``, ``std_error``, ``t``, ``p``,
  ``ci_low``, ``ci_high`` (the primary inference), and for a shift-share
  record every alternative inference method of its regressor as
  ``std_error[akm]``, ``p[akm]``, ``ci_low[akm]`` ...;
* :data:`MODEL_TERM` -- sample and inference: ``nobs``, ``rank``,
  ``n_clusters`` (``n_clusters[<dim>]`` for several dimensions),
  ``n_region_clusters``, ``n_sector_clusters``, ``n_sectors``, ``estimator``,
  ``inference``, ``correction`` and, for panel records, ``n_entities``,
  ``n_periods``, ``df_resid``, ``r2``, ``r2_within``, ``first_stage_f``;
* :data:`DESIGN_TERM` -- shift-share design diagnostics: shock-level
  ``effective_n_shocks`` (1/HHI of the shock weights, Borusyak, Hull and
  Jaravel 2022, REStud), ``hhi``, ``max_shock_weight``, ``n_shocks``,
  ``shock_std_error``; Rotemberg weights (Goldsmith-Pinkham, Sorkin and Swift
  2020, AER) ``rotemberg_alpha[<sector>]``, ``rotemberg_beta[<sector>]``,
  ``rotemberg_share[<sector>]`` of the top sectors, ``rotemberg_top_sector``,
  ``rotemberg_sum_negative_alpha``; the placebo exercise's rejection rates
  ``placebo_rejection[<method>]``, ``placebo_draws``, ``placebo_seed``; the
  randomization inference's ``ri_permutations`` and ``ri_exact``.

Values that a record leaves undefined (``null``) are left out, so a quantity
that appears or disappears is reported by the comparison. The *family* of a
quantity is its name before ``[`` (``std_error[akm]`` -> ``std_error``):
tolerances are declared per family or per full name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["MODEL_TERM", "DESIGN_TERM", "COEFFICIENT_FIELDS", "record_quantities", "family", "Value"]

Value = float | int | str | bool

MODEL_TERM = "(model)"
DESIGN_TERM = "(design)"
COEFFICIENT_FIELDS = ("estimate", "std_error", "t", "p", "ci_low", "ci_high")
_METHOD_FIELDS = ("std_error", "p", "ci_low", "ci_high")
_MODEL_NUMBERS = ("nobs", "rank", "n_region_clusters", "n_sector_clusters", "n_sectors", "n_entities",
                  "n_periods", "df_resid", "r2", "r2_within", "first_stage_f")
_SHOCK_LEVEL = {"effective_n_shocks": "effective_n_shocks", "hhi": "hhi", "max_shock_weight": "max_shock_weight",
                "n_shocks": "n_shocks", "std_error": "shock_std_error"}


def family(quantity: str) -> str:
    """The quantity's name before any ``[qualifier]``."""
    return quantity.split("[", 1)[0]


def _put(out: dict[str, Value], name: str, value: Any) -> None:
    if value is None or isinstance(value, (dict, list)):
        return
    out[name] = value


def _get(record: Mapping[str, Any], *path: str) -> Any:
    node: Any = record
    for key in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


def _coefficients(record: Mapping[str, Any]) -> dict[str, dict[str, Value]]:
    terms: dict[str, dict[str, Value]] = {}
    for row in record.get("coefficients") or []:
        q: dict[str, Value] = {}
        for f in COEFFICIENT_FIELDS:
            _put(q, f, row.get(f))
        terms[str(row["term"])] = q
    regressor = record.get("regressor")
    methods = record.get("methods")
    if isinstance(methods, Mapping) and regressor in terms:
        for method, fields in sorted(methods.items()):
            for f in _METHOD_FIELDS:
                _put(terms[regressor], f"{f}[{method}]", (fields or {}).get(f))
    return terms


def _model(record: Mapping[str, Any]) -> dict[str, Value]:
    q: dict[str, Value] = {}
    for f in _MODEL_NUMBERS:
        _put(q, f, record.get(f))
    inference = record.get("inference") or {}
    ncl = inference.get("n_clusters")
    dims = inference.get("clusters") or []
    if isinstance(ncl, list):
        for i, n in enumerate(ncl):
            _put(q, f"n_clusters[{dims[i] if i < len(dims) else i}]", n)
    else:
        _put(q, "n_clusters", ncl)
    _put(q, "estimator", record.get("estimator"))
    _put(q, "inference", inference.get("method") or inference.get("type"))
    _put(q, "correction", inference.get("correction"))
    return q


def _design(record: Mapping[str, Any]) -> dict[str, Value]:
    q: dict[str, Value] = {}
    diag = _get(record, "extra", "diagnostics") or {}
    shock = diag.get("shock_level") or {}
    for src, name in _SHOCK_LEVEL.items():
        _put(q, name, shock.get(src))
    rot = diag.get("rotemberg") or {}
    top = rot.get("top") or []
    for row in top:
        sector = row.get("sector")
        _put(q, f"rotemberg_alpha[{sector}]", row.get("alpha"))
        _put(q, f"rotemberg_beta[{sector}]", row.get("beta"))
        _put(q, f"rotemberg_share[{sector}]", row.get("share_of_estimate"))
    if top:
        _put(q, "rotemberg_top_sector", top[0].get("sector"))
    _put(q, "rotemberg_sum_negative_alpha", rot.get("sum_negative_alpha"))
    placebo = _get(record, "extra", "placebo") or {}
    for method, rate in sorted((placebo.get("rejection") or {}).items()):
        _put(q, f"placebo_rejection[{method}]", rate)
    _put(q, "placebo_draws", placebo.get("n_draws", placebo.get("draws")))
    _put(q, "placebo_seed", placebo.get("seed"))
    ri = _get(record, "extra", "ri") or {}
    if ri.get("computed", True) and ri:
        _put(q, "ri_permutations", ri.get("permutations"))
        _put(q, "ri_exact", ri.get("exact"))
    _put(q, "first_stage_f", _get(record, "extra", "diagnostics_summary", "first_stage_f"))
    return q


def record_quantities(record: Mapping[str, Any]) -> dict[str, dict[str, Value]]:
    """``{term: {quantity: value}}`` of one estimation record (see the module docstring)."""
    terms = _coefficients(record)
    for term, values in ((MODEL_TERM, _model(record)), (DESIGN_TERM, _design(record))):
        if values:
            terms[term] = values
    return {t: dict(sorted(q.items())) for t, q in terms.items()}
