"""Shift-share design diagnostics by model: Rotemberg weights, effective number of shocks, placebo test.

One column per model (as the regression table), read from the records' ``extra.diagnostics`` and
``extra.placebo`` (:mod:`i4districts.shiftshare.diagnostics`, :mod:`i4districts.shiftshare.placebo`):

* Rotemberg weights (Goldsmith-Pinkham, Sorkin and Swift 2020): for the top ``k`` sectors by
  ``|α_k|``, the sector, its weight ``α_k`` (Σ α_k = 1), the just-identified estimate ``β_k`` and the
  share of the estimate ``α_k β_k / β``; the sum of negative weights;
* shocks (Borusyak, Hull and Jaravel 2022): the effective number of shocks ``1 / Σ_k s_k²`` (inverse
  Herfindahl of the shock-level weights), the number of shocks and the largest weight;
* placebo (Adão, Kolesár and Morales 2019, section V): the share of draws of random shifts rejecting
  ``β = 0`` at the nominal level under each inference method, the column's method first, with its
  Monte Carlo standard error;
* inference: the column's method.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from i4districts.errors import InputError

from .notes import data_note, split_provenance
from .regression import column_facts, record_of
from .render import Cells, Column, Table, fmt_int, fmt_num

__all__ = ["METHOD_LABELS", "diagnostics_table"]

METHOD_LABELS: dict[str, str] = {"ri": "RI (permuted shifts)", "akm": "AKM", "akm0": "AKM0",
                                 "cluster": "CRV1 by region", "ehw": "EHW (HC1)", "homoskedastic": "IID"}


def _pct(x: Any, decimals: int = 1) -> str:
    return "" if x is None else f"{100 * float(x):.{decimals}f}%"


def diagnostics_table(
    results: Sequence[Any],
    *,
    top: int = 5,
    labels: Mapping[str, str] | None = None,
    column_labels: Mapping[str, str] | Sequence[str] | None = None,
    digits: int = 3,
    name: str = "diagnostics",
    title: str = "Shift-share design diagnostics",
    provenance: Sequence[str] = (),
    notes: Sequence[str] = (),
) -> Table:
    """Design diagnostics of shift-share results (records or result objects), one column each;
    ``provenance``: the model frames' provenance notes (data source and vintage lead the notes)."""
    records = [record_of(r) for r in results]
    if not records:
        raise InputError("diagnostics table: no results given")
    labels = dict(labels or {})
    have = [r for r in records if ((r.get("extra") or {}).get("diagnostics"))]
    if not have:
        raise InputError("diagnostics table: no record holds extra.diagnostics (shift-share design diagnostics); "
                         f"models: {[r.get('model_id') for r in records]}")
    keys, heads = [], []
    for i, rec in enumerate(records):
        mid = str(rec.get("model_id") or f"model{i + 1}")
        keys.append(mid if mid not in keys else f"{mid} [{i + 1}]")
        if isinstance(column_labels, Mapping):
            heads.append(str(column_labels.get(mid) or mid))
        elif column_labels is not None:
            heads.append(str(list(column_labels)[i]))
        else:
            heads.append(str((rec.get("spec") or {}).get("description") or mid))
    cells = Cells()
    for key, rec in zip(keys, records):
        diag = (rec.get("extra") or {}).get("diagnostics") or {}
        rot = diag.get("rotemberg") or {}
        for k, row in enumerate((rot.get("top") or [])[:top], start=1):
            sector = str(row.get("sector", ""))
            cells.add("rotemberg", f"rank{k}", key, labels.get(sector, sector), label=f"{k}. Sector",
                      statistic="sector")
            cells.add("rotemberg", f"rank{k}", key, fmt_num(row.get("alpha"), digits), label="α (weight)",
                      statistic="alpha", value=row.get("alpha"))
            cells.add("rotemberg", f"rank{k}", key, fmt_num(row.get("beta"), digits), label="β (just-identified)",
                      statistic="beta", value=row.get("beta"))
            cells.add("rotemberg", f"rank{k}", key, _pct(row.get("share_of_estimate")), label="Share of estimate",
                      statistic="share", value=row.get("share_of_estimate"))
        if rot.get("sum_negative_alpha") is not None:
            cells.add("rotemberg", "sum_negative", key, fmt_num(rot["sum_negative_alpha"], digits),
                      label="Sum of negative weights", value=rot["sum_negative_alpha"])
        shock = diag.get("shock_level") or {}
        if shock.get("effective_n_shocks") is not None:
            cells.add("shocks", "effective", key, fmt_num(shock["effective_n_shocks"], 1),
                      label="Effective number of shocks (1/HHI)", value=shock["effective_n_shocks"])
        if shock.get("n_shocks") is not None:
            cells.add("shocks", "n_shocks", key, fmt_int(shock["n_shocks"]), label="Shocks", value=shock["n_shocks"])
        if shock.get("max_shock_weight") is not None:
            cells.add("shocks", "max_weight", key, fmt_num(shock["max_shock_weight"], digits),
                      label="Largest shock weight", value=shock["max_shock_weight"])
    # placebo rows: the column's own method first, then every other method any record has
    methods: list[str] = []
    for rec in records:
        prim = str((rec.get("inference") or {}).get("method") or rec.get("primary_method") or "")
        rej = ((rec.get("extra") or {}).get("placebo") or {}).get("rejection") or {}
        methods += [m for m in rej if m not in methods and m != prim]
    for key, rec in zip(keys, records):
        plac = (rec.get("extra") or {}).get("placebo") or {}
        if not plac:
            continue
        prim = str((rec.get("inference") or {}).get("method") or rec.get("primary_method") or "")
        rej, mc = plac.get("rejection") or {}, plac.get("mc_se") or {}
        if prim in rej:
            cells.add("placebo", "primary", key, _pct(rej[prim]), label="Rejection rate, column's inference",
                      value=rej[prim])
            if mc.get(prim) is not None:
                cells.add("placebo", "primary_mc_se", key, _pct(mc[prim]), label="Monte Carlo s.e.", value=mc[prim])
        cells.add("placebo", "nominal", key, _pct(plac.get("alpha", 0.05), 0), label="Nominal level",
                  value=plac.get("alpha", 0.05))
        draws = plac.get("draws") or plac.get("n_draws")
        if draws:
            cells.add("placebo", "draws", key, fmt_int(draws), label="Draws", value=draws)
    for m in methods:
        for key, rec in zip(keys, records):
            rej = ((rec.get("extra") or {}).get("placebo") or {}).get("rejection") or {}
            prim = str((rec.get("inference") or {}).get("method") or "")
            if m in rej and m != prim:
                cells.add("placebo", f"method:{m}", key, _pct(rej[m]),
                          label=f"Rejection rate, {METHOD_LABELS.get(m, m)}", value=rej[m])
    for key, rec in zip(keys, records):
        facts = column_facts(rec, labels=labels)
        cells.add("inference", "inference", key, facts.inference, label="Inference")
        coef = facts.coefficients
        if len(coef):
            cells.add("inference", "estimate", key, fmt_num(coef["estimate"].iloc[0], 4),
                      label=f"Estimate ({labels.get(str(coef['term'].iloc[0]), str(coef['term'].iloc[0]))})",
                      value=coef["estimate"].iloc[0])
    out_notes = []
    data = data_note(provenance)
    if data:
        out_notes.append(data)
    facts = [column_facts(r, labels=labels) for r in records]
    out_notes.append("Sample: " + "; ".join(
        f"({i}) {f.nobs:,} observations" + (f", {f.n_sectors} sectors" if f.n_sectors else "")
        for i, f in enumerate(facts, start=1)) + ".")
    out_notes.append("Estimator and inference: " + "; ".join(
        f"({i}) {f.estimator}, {f.inference}" for i, f in enumerate(facts, start=1)) + ".")
    out_notes += [
        f"Rotemberg weights (Goldsmith-Pinkham, Sorkin and Swift 2020): the {top} sectors with the largest |α|; "
        "α sums to one over sectors, β is the sector's just-identified estimate, share of estimate = α·β / (the "
        "column's estimate).",
        "Effective number of shocks: 1 / Σ s_k², the inverse Herfindahl index of the shock-level weights "
        "(Borusyak, Hull and Jaravel 2022).",
    ]
    plac_desc = {str((r.get("extra") or {}).get("placebo", {}).get("shifts") or "") for r in records} - {""}
    rules = {str((r.get("extra") or {}).get("placebo", {}).get("rule") or "") for r in records} - {""}
    out_notes.append("Placebo (Adão, Kolesár and Morales 2019): share of draws of random shifts"
                     + (f" ({'; '.join(sorted(plac_desc))})" if plac_desc else "")
                     + " whose coefficient is significant at the nominal level"
                     + (f" ({'; '.join(sorted(rules))})" if rules else "") + "; a valid test rejects at about "
                     "the nominal rate.")
    out_notes += split_provenance(provenance)[2]
    return Table(name=name, title=title, columns=tuple(Column(k, h) for k, h in zip(keys, heads)),
                 cells=cells.frame(), notes=(*out_notes, *notes), numbered=True, show_blocks=True,
                 blocks={"rotemberg": f"Rotemberg weights (top {top})", "shocks": "Shocks",
                         "placebo": "Placebo test", "inference": "Inference"})
