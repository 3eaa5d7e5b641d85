"""Which estimates moved between two runs of the workflow (model records in, one tidy table out).

A run's estimation records are the JSON files of ``<run>/models/*.json``
(:meth:`i4districts.results.ResultProtocol.to_dict`). Each record gives
numeric *quantities* keyed by ``(model, term, quantity)``:

* every coefficient: ``estimate, std_error, t, p, ci_low, ci_high`` (term = the coefficient's term);
* shift-share records: each inference method's ``estimate, std_error, p, ci_low, ci_high`` as
  quantity ``<method>.<field>`` (term = the record's ``regressor``);
* model-level numbers (term ``(model)``): ``nobs``, ``r2``, ``r2_within``, ``first_stage_f`` and the
  numeric entries of ``extra.diagnostics_summary`` (e.g. ``effective_shocks``, ``placebo_rejection``).

A quantity *moved* when ``|new - old| > atol + rtol * |old|`` (numpy's
``isclose`` rule, reversed), or when it exists or is numeric in only one run
(``status``: ``moved``, ``new``, ``gone``, ``became_missing``,
``became_available``). ``rel_change = (new - old) / |old|`` (missing when
``old`` is 0).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from i4districts.errors import InputError

__all__ = ["MODEL_TERM", "MOVED_COLUMNS", "compare_runs", "model_quantities", "moved_estimates", "read_run"]

MODEL_TERM = "(model)"
COEFFICIENT_FIELDS = ("estimate", "std_error", "t", "p", "ci_low", "ci_high")
METHOD_FIELDS = ("estimate", "std_error", "p", "ci_low", "ci_high")
MODEL_FIELDS = ("nobs", "r2", "r2_within", "first_stage_f")
MOVED_COLUMNS = ["model", "term", "quantity", "old", "new", "abs_change", "rel_change", "status"]
QUANTITY_COLUMNS = ["model", "term", "quantity", "value"]


def _number(x: Any) -> float:
    """A JSON number as float; None, NaN, booleans and anything else as NaN."""
    if isinstance(x, bool) or not isinstance(x, int | float):
        return math.nan
    return float(x)


def model_quantities(record: dict[str, Any], *, source: str = "record") -> pd.DataFrame:
    """The numeric quantities of one estimation record (columns ``model, term, quantity, value``)."""
    if not isinstance(record, dict) or "coefficients" not in record:
        raise InputError(f"{source}: not an estimation record (no 'coefficients' key)")
    model = str(record.get("model_id") or Path(source).stem)
    rows: list[tuple[str, str, str, float]] = []
    coefs = record.get("coefficients") or []
    if not isinstance(coefs, list):
        raise InputError(f"{source}: 'coefficients' is not a list")
    for c in coefs:
        if not isinstance(c, dict) or "term" not in c:
            raise InputError(f"{source}: a coefficient without 'term': {str(c)[:80]}")
        rows += [(model, str(c["term"]), f, _number(c.get(f))) for f in COEFFICIENT_FIELDS]
    methods = record.get("methods")
    if isinstance(methods, dict):
        term = str(record.get("regressor") or MODEL_TERM)
        for m, vals in sorted(methods.items()):
            if isinstance(vals, dict):
                rows += [(model, term, f"{m}.{f}", _number(vals.get(f))) for f in METHOD_FIELDS]
    rows += [(model, MODEL_TERM, f, _number(record[f])) for f in MODEL_FIELDS if f in record]
    diag = (record.get("extra") or {}).get("diagnostics_summary") if isinstance(record.get("extra"), dict) else None
    if isinstance(diag, dict):
        rows += [(model, MODEL_TERM, f"diagnostics.{k}", _number(v)) for k, v in sorted(diag.items())
                 if isinstance(v, int | float) and not isinstance(v, bool)]
    out = pd.DataFrame(rows, columns=QUANTITY_COLUMNS)
    dup = out.duplicated(["model", "term", "quantity"])
    if dup.any():
        raise InputError(f"{source}: duplicate coefficient terms {sorted(set(out.loc[dup, 'term']))}")
    return out


def read_run(run: str | Path) -> pd.DataFrame:
    """Quantities of every record of a run: ``<run>/models/*.json``, or ``<run>/*.json`` when given the models dir."""
    root = Path(run)
    models = root / "models" if (root / "models").is_dir() else root
    if not models.is_dir():
        raise InputError(f"{root}: run directory not found")
    files = sorted(models.glob("*.json"))
    if not files:
        raise InputError(f"{models}: no model records (*.json) in this run")
    frames = []
    for f in files:
        try:
            record = json.loads(f.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"{f}: not a JSON estimation record ({exc})") from None
        frames.append(model_quantities(record, source=str(f)))
    out = pd.concat(frames, ignore_index=True)
    dup = out.duplicated(["model", "term", "quantity"])
    if dup.any():
        raise InputError(f"{models}: two records share model id(s) {sorted(set(out.loc[dup, 'model']))}")
    return out


def moved_estimates(old: pd.DataFrame, new: pd.DataFrame, *, rtol: float = 1e-9, atol: float = 0.0) -> pd.DataFrame:
    """Quantities that moved between two runs' quantity tables (see the module docstring)."""
    if rtol < 0 or atol < 0 or not (np.isfinite(rtol) and np.isfinite(atol)):
        raise InputError(f"tolerances must be finite and >= 0 (rtol={rtol!r}, atol={atol!r})")
    keys = ["model", "term", "quantity"]
    m = old.merge(new, on=keys, how="outer", suffixes=("_old", "_new"), indicator=True, sort=True)
    a, b = m["value_old"].to_numpy(float), m["value_new"].to_numpy(float)
    diff = b - a
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(a != 0, diff / np.abs(a), np.nan)
    both = (m["_merge"] == "both").to_numpy()
    fin_a, fin_b = np.isfinite(a), np.isfinite(b)
    status = np.select(
        [m["_merge"].eq("right_only").to_numpy(), m["_merge"].eq("left_only").to_numpy(),
         both & fin_a & ~fin_b, both & ~fin_a & fin_b,
         both & fin_a & fin_b & (np.abs(diff) > atol + rtol * np.abs(a))],
        ["new", "gone", "became_missing", "became_available", "moved"], default="")
    out = pd.DataFrame({"model": m["model"], "term": m["term"], "quantity": m["quantity"], "old": a, "new": b,
                        "abs_change": diff, "rel_change": rel, "status": status})
    return out[out["status"] != ""].reset_index(drop=True)[MOVED_COLUMNS]


def compare_runs(old_run: str | Path, new_run: str | Path, *, rtol: float = 1e-9, atol: float = 0.0) -> pd.DataFrame:
    """:func:`moved_estimates` of two run directories (:func:`read_run`)."""
    return moved_estimates(read_run(old_run), read_run(new_run), rtol=rtol, atol=atol)
