"""Industrial-district identification on local labour systems (ISTAT / Sforzi method).

ISTAT identified the Italian industrial districts of 1991, 2001 and 2011 by
applying four steps to every local labour system (SLL) with census counts of
local units and persons employed by activity and size class (Sforzi 1990,
"The quantitative importance of Marshallian industrial districts in the Italian
economy"; ISTAT 2006, *Distretti industriali e sistemi locali del lavoro 2001*;
ISTAT 2015, *I distretti industriali 2011*). Implemented here, per system ×
year, with every threshold a parameter (defaults: ISTAT 2011):

1. **Manufacturing system.** ``LQ_manufacturing > manufacturing_lq_min`` (1) and
   manufacturing prevails over business services and over consumer services.
2. **SME system.** On manufacturing employment by size class, the class with
   the highest LQ is an SME class (local units under 250 persons employed):
   ``max_{c in SME} LQ_c > max_{c not in SME} LQ_c``.
3. **Main industry.** The manufacturing industry with the highest LQ
   (``LQ_ri = (E_ri / E_r) / (E_i / E)``); step passes if that LQ exceeds
   ``main_industry_lq_min`` (1; always true after step 1, kept for transparency).
4. **SMEs in the main industry.** The share of the main industry's employment
   in SME units exceeds ``sme_share_min`` (0.5). ISTAT's exception: when the
   main industry has exactly one medium-sized unit (50–249), the share of the
   *small* units (under 50) must exceed ``sme_share_min`` instead, so that a
   single medium firm cannot carry the system.

A system passing all four steps is an industrial district. A system passing
steps 1, 3 and 4 but failing step 2 because large units (250+) have the
highest size-class LQ is flagged ``large_firm_led`` ("manufacturing system
with district features led by large firms").

Open choices in ISTAT's published description, and what we chose:

* **Prevalence in step 1** — "prevailing over services" is measured by
  comparing LQs (``prevalence="lq"``, default) or employment levels
  (``prevalence="employment"``).
* **Macro-sectors** — which activities are business vs consumer services:
  ``macro`` mapping, default :data:`MACRO_ATECO2007` (divisions and sections;
  wholesale 46 business, retail 45/47 consumer; section G as a whole consumer;
  real estate 68 consumer). ISTAT works at finer levels.
* **Size-class LQs in step 2** — computed on manufacturing employment only
  (reference: national manufacturing by class); ties between an SME class
  and a large class fail the step (strict inequality).
* **Micro units** — the 0–9 class counts as SME (ISTAT 2011: "micro, small
  and medium", EU Recommendation 2003/361/EC); set ``sme_classes`` to exclude it.
* **Main industries** — ISTAT's groups are defined on ATECO groups/classes;
  the default :func:`istat_district_group` uses the project's mapping in
  ``harmonize/data/istat_district_groups.csv`` (divisions, refined at group
  level where a division is shared; see :func:`i4districts.harmonize.sectors.district_group`).
  Ties in step 3 go to the first industry in label order.
* **Thresholds** — all comparisons are strict ("superiore"), so a system
  exactly at a threshold fails that step.
* **Units** — the step-4 exception needs the number of local units by size
  class; without a ``units`` column it is not applied (``main_medium_units`` NaN).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from i4districts.harmonize import HarmonizeError
from i4districts.harmonize.sectors import district_group

from ._core import IndicatorInputError, check_unique, codes, counts, require_columns, safe_divide
from .size_structure import SIZE_CLASSES

MANUFACTURING, BUSINESS, CONSUMER = "manufacturing", "business_services", "consumer_services"


def _macro_default() -> dict[str, str]:
    m: dict[str, str] = {f"{d:02d}": MANUFACTURING for d in range(10, 34)}
    m["C"] = MANUFACTURING
    for d in [46, *range(49, 54), *range(58, 67), *range(69, 76), *range(77, 83)]:
        m[f"{d:02d}"] = BUSINESS
    for d in [45, 47, 55, 56, 68, *range(85, 89), *range(90, 97)]:
        m[f"{d:02d}"] = CONSUMER
    for s in "HJKMN":
        m[s] = BUSINESS
    for s in "GILPQRS":
        m[s] = CONSUMER
    return m


#: ATECO 2007 / NACE Rev. 2 division (or section) -> macro-sector; unlisted codes are "other".
MACRO_ATECO2007: dict[str, str] = _macro_default()


def istat_district_group(code: object) -> str | None:
    """ISTAT district manufacturing group of an ATECO 2007 code (e.g. "13" -> "TEX"), None if not manufacturing."""
    try:
        return district_group(str(code))
    except HarmonizeError:
        return None

Prevalence = Literal["lq", "employment"]


def _lookup(labels: pd.Index, mapping: Mapping[str, str] | Callable[[object], object | None]) -> np.ndarray:
    if callable(mapping) and not isinstance(mapping, Mapping):
        vals = [mapping(x) for x in labels]
    else:
        vals = [mapping.get(x, mapping.get(str(x))) for x in labels]
    return np.array([v if v is not None else "" for v in vals], dtype=object)


def identify_districts(
    units: pd.DataFrame,
    *,
    system: str = "region",
    sector: str = "sector",
    size_class: str = "size_class",
    value: str = "value",
    n_units: str | None = "units",
    time: str | None = "year",
    macro: Mapping[str, str] | Callable[[object], object | None] = MACRO_ATECO2007,
    industries: Mapping[str, str] | Callable[[object], object | None] = istat_district_group,
    classes: Sequence[str] = SIZE_CLASSES,
    sme_classes: Sequence[str] = ("W0_9", "W10_49", "W50_249"),
    small_classes: Sequence[str] = ("W0_9", "W10_49"),
    medium_class: str = "W50_249",
    manufacturing_lq_min: float = 1.0,
    prevalence: Prevalence = "lq",
    main_industry_lq_min: float = 1.0,
    sme_share_min: float = 0.5,
) -> pd.DataFrame:
    """ISTAT/Sforzi industrial-district identification, step by step (see module docstring).

    ``units`` is a long table: one row per system × activity × size class
    (× year), with persons employed (``value``) and, optionally, the number of
    local units (``n_units``; pass ``None`` if absent). Activities must not
    overlap. The reference economy is the sum over all systems in the table
    per year (so pass every system of the country).

    Returns one row per system (× year) with the numbers behind each step and
    its decision: ``employment, manufacturing_employment, lq_manufacturing,
    lq_business_services, lq_consumer_services, step1_manufacturing,
    size_lq_<class>..., top_size_class, step2_sme, main_industry,
    main_industry_lq, main_industry_employment, step3_main_industry,
    main_sme_share, main_small_share, main_medium_units, step4_sme_main,
    district, large_firm_led``.
    """
    table = "units"
    if prevalence not in ("lq", "employment"):
        raise IndicatorInputError(f"prevalence={prevalence!r}: choose 'lq' or 'employment'")
    cols = [system, sector, size_class, value] + ([n_units] if n_units else []) + ([time] if time else [])
    require_columns(units, cols, table)
    classes = list(classes)
    for name, sub in (("sme_classes", sme_classes), ("small_classes", small_classes), ("medium_class", [medium_class])):
        extra = [c for c in sub if c not in classes]
        if extra:
            raise IndicatorInputError(f"{name} {extra} not among classes {classes}")
    df = units
    tcol = time
    if time is None:
        tcol = "__time__"
        df = df.assign(**{tcol: 0})
    bad = ~df[size_class].astype(str).isin(classes)
    if bad.any():
        raise IndicatorInputError(
            f"{table}: column {size_class!r} has codes outside {classes}: "
            f"{df.loc[bad, size_class].drop_duplicates().head(5).tolist()} (drop TOTAL rows first)"
        )
    v = counts(df, value, table, "raise")
    u = counts(df, n_units, table, "raise") if n_units else None
    rc, systems = codes(df[system], table)
    sc, sectors = codes(df[sector], table)
    kc, _ = codes(df[size_class].astype(str).astype(pd.CategoricalDtype(classes)), table)
    tc, times = codes(df[tcol], table)
    check_unique(
        [rc, sc, kc, tc],
        [len(systems), len(sectors), len(classes), len(times)],
        df,
        [system, sector, size_class, tcol],
        table,
    )

    nt, ncl = len(times), len(classes)
    ncell = len(systems) * nt
    cell = rc * nt + tc
    cell_t = np.arange(ncell) % nt
    E = np.bincount(cell, weights=v, minlength=ncell)
    Et = np.bincount(tc, weights=v, minlength=nt)

    # ---- step 1: macro-sector LQs
    macro_lab = _lookup(sectors, macro)[sc]
    lq_macro: dict[str, np.ndarray] = {}
    emp_macro: dict[str, np.ndarray] = {}
    for name in (MANUFACTURING, BUSINESS, CONSUMER):
        w = np.where(macro_lab == name, v, 0.0)
        e_r = np.bincount(cell, weights=w, minlength=ncell)
        e_t = np.bincount(tc, weights=w, minlength=nt)
        emp_macro[name] = e_r
        lq_macro[name] = safe_divide(safe_divide(e_r, E), safe_divide(e_t, Et)[cell_t])
    if not (macro_lab == MANUFACTURING).any():
        raise IndicatorInputError(f"{table}: no manufacturing activity in column {sector!r} per the macro mapping")
    lqm = lq_macro[MANUFACTURING]
    if prevalence == "lq":
        prevails = (lqm > lq_macro[BUSINESS]) & (lqm > lq_macro[CONSUMER])
    else:
        M = emp_macro[MANUFACTURING]
        prevails = (M > emp_macro[BUSINESS]) & (M > emp_macro[CONSUMER])
    step1 = (lqm > manufacturing_lq_min) & prevails

    # ---- step 2: size-class LQs of manufacturing employment
    is_m = macro_lab == MANUFACTURING
    wm = np.where(is_m, v, 0.0)
    M_rc = np.bincount(cell * ncl + kc, weights=wm, minlength=ncell * ncl).reshape(ncell, ncl)
    M_tc = np.bincount(tc * ncl + kc, weights=wm, minlength=nt * ncl).reshape(nt, ncl)
    share_rc = safe_divide(M_rc, M_rc.sum(axis=1, keepdims=True))
    share_tc = safe_divide(M_tc, M_tc.sum(axis=1, keepdims=True))
    size_lq = safe_divide(share_rc, share_tc[cell_t])
    sme_mask = np.isin(classes, list(sme_classes))
    lq_filled = np.where(np.isnan(size_lq), -np.inf, size_lq)
    best_sme = lq_filled[:, sme_mask].max(axis=1) if sme_mask.any() else np.full(ncell, -np.inf)
    best_large = lq_filled[:, ~sme_mask].max(axis=1) if (~sme_mask).any() else np.full(ncell, -np.inf)
    has_size = ~np.isnan(size_lq).all(axis=1)
    top = np.argmax(lq_filled, axis=1)
    step2 = has_size & (best_sme > best_large)

    # ---- step 3: main industry = manufacturing industry with the highest LQ
    ind_lab = _lookup(sectors, industries)[sc]
    in_ind = is_m & (ind_lab != "")
    unmapped = is_m & (ind_lab == "")
    if unmapped.any():
        raise IndicatorInputError(
            f"{table}: manufacturing codes in column {sector!r} without a main-industry group: "
            f"{pd.unique(df.loc[unmapped, sector]).tolist()[:5]}"
        )
    ic, industries_idx = pd.factorize(pd.Series(ind_lab[in_ind]), sort=True)
    ni = len(industries_idx)
    ind_code = np.full(v.size, -1, dtype=np.intp)
    ind_code[in_ind] = ic
    keep = ind_code >= 0
    E_ri = np.bincount(cell[keep] * ni + ind_code[keep], weights=v[keep], minlength=ncell * ni).reshape(ncell, ni)
    E_ti = np.bincount(tc[keep] * ni + ind_code[keep], weights=v[keep], minlength=nt * ni).reshape(nt, ni)
    lq_ri = safe_divide(safe_divide(E_ri, E[:, None]), safe_divide(E_ti, Et[:, None])[cell_t])
    lq_ri_f = np.where(np.isnan(lq_ri), -np.inf, lq_ri)
    main = np.argmax(lq_ri_f, axis=1)
    main_lq = lq_ri[np.arange(ncell), main]
    has_main = np.isfinite(lq_ri_f).any(axis=1) & (E_ri.sum(axis=1) > 0)
    main_lq = np.where(has_main, main_lq, np.nan)
    main_emp = np.where(has_main, E_ri[np.arange(ncell), main], 0.0)
    step3 = has_main & (main_lq > main_industry_lq_min)

    # ---- step 4: SME share of employment in the main industry
    row_main = keep & (ind_code == main[cell])
    E_rmc = np.bincount(cell[row_main] * ncl + kc[row_main], weights=v[row_main], minlength=ncell * ncl).reshape(
        ncell, ncl
    )
    small_mask = np.isin(classes, list(small_classes))
    sme_share = safe_divide(E_rmc[:, sme_mask].sum(axis=1), E_rmc.sum(axis=1))
    small_share = safe_divide(E_rmc[:, small_mask].sum(axis=1), E_rmc.sum(axis=1))
    medium_idx = classes.index(medium_class)
    if u is not None:
        U_rmc = np.bincount(cell[row_main] * ncl + kc[row_main], weights=u[row_main], minlength=ncell * ncl).reshape(
            ncell, ncl
        )
        medium_units = np.where(has_main, U_rmc[:, medium_idx], np.nan)
        single_medium = medium_units == 1
    else:
        medium_units = np.full(ncell, np.nan)
        single_medium = np.zeros(ncell, dtype=bool)
    step4 = has_main & np.where(single_medium, small_share > sme_share_min, sme_share > sme_share_min)

    district = step1 & step2 & step3 & step4
    large_led = step1 & has_size & ~step2 & ~sme_mask[top] & step3 & step4

    present = np.flatnonzero(np.bincount(cell, minlength=ncell) > 0)
    out = pd.DataFrame({system: systems.take(present // nt)})
    if time is not None:
        out[time] = times.take(present % nt)
    out["employment"] = E[present]
    out["manufacturing_employment"] = emp_macro[MANUFACTURING][present]
    out["lq_manufacturing"] = lqm[present]
    out["lq_business_services"] = lq_macro[BUSINESS][present]
    out["lq_consumer_services"] = lq_macro[CONSUMER][present]
    out["step1_manufacturing"] = step1[present]
    for j, c in enumerate(classes):
        out[f"size_lq_{c}"] = size_lq[present, j]
    out["top_size_class"] = np.where(has_size[present], np.asarray(classes, dtype=object)[top[present]], None)
    out["step2_sme"] = step2[present]
    out["main_industry"] = np.where(
        has_main[present], np.asarray(industries_idx, dtype=object)[main[present]] if ni else None, None
    )
    out["main_industry_lq"] = main_lq[present]
    out["main_industry_employment"] = main_emp[present]
    out["step3_main_industry"] = step3[present]
    out["main_sme_share"] = sme_share[present]
    out["main_small_share"] = small_share[present]
    out["main_medium_units"] = medium_units[present]
    out["step4_sme_main"] = step4[present]
    out["district"] = district[present]
    out["large_firm_led"] = large_led[present]
    return out
