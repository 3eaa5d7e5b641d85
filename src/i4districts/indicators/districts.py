"""Industrial-district identification on local labour systems (ISTAT / Sforzi method, 2011 edition).

ISTAT identified the Italian industrial districts of 1991, 2001 and 2011 by
applying four steps to every local labour system (SLL) with census counts of
local units and persons employed by activity and size class (Sforzi 1990,
"The quantitative importance of Marshallian industrial districts in the Italian
economy"; ISTAT 2006, *Distretti industriali e sistemi locali del lavoro 2001*;
ISTAT 2015, *I distretti industriali 2011*, 9° Censimento dell'industria e dei
servizi, Parte seconda / nota metodologica, and the Statistiche Report "I distretti
industriali. Anno 2011", 24 February 2015). Implemented here, per system × year,
with every threshold a parameter (defaults: ISTAT 2011):

1. **Prevalently manufacturing system.** ``LQ_manufacturing > manufacturing_lq_min``
   (1) and manufacturing *prevails* over business services and over consumer
   services by ISTAT's **prevalence (excess-employment) index**. For a
   macro-sector ``m`` of system ``r``::

       X_rm = E_rm - E_r * E_m / E          (excess employment, persons)
       P_rm = X_rm / E_r = E_rm/E_r - E_m/E (prevalence index, share points)

   i.e. the system's employment in ``m`` above what the national share of ``m``
   would give it. Manufacturing prevails when ``P_r,manuf > P_r,business`` and
   ``P_r,manuf > P_r,consumer`` (equivalently ``X`` comparisons, same ``E_r``).
   Unlike a comparison of LQs, the index weighs each sector by its national
   size (``X_rm = E_r * (E_m/E) * (LQ_rm - 1)``), so a small over-represented
   service sector does not beat a large over-represented manufacturing sector
   and vice versa (``prevalence="excess"``, default). The previous LQ comparison
   (``"lq"``) and an employment-level comparison (``"employment"``) remain as
   sensitivity options.
2. **SME system.** ISTAT 2011 size classes of local units by persons employed
   (ISTAT 2015; EU Recommendation 2003/361/EC, the Report: "micro, piccola e
   media impresa ... unità produttive con meno di 250 addetti"): **micro 1-9,
   small 10-49, medium 50-249, large 250+**; SME = micro + small + medium.
   Input size labels are mapped to these classes by ``size_groups`` (default
   :data:`ISTAT_SIZE_GROUPS`, Eurostat labels ``W0_9/W10_49/W50_249/W_GE250``
   and the ISTAT names themselves). On manufacturing employment, the ISTAT class
   with the highest LQ must be an SME class:
   ``max_{c in SME} LQ_c > max_{c not in SME} LQ_c``.
3. **Main industry.** The ISTAT manufacturing group with the highest LQ
   (``LQ_ri = (E_ri / E_r) / (E_i / E)``), **never the catch-all group**
   (``catch_all``, default ``"OTH"`` = "other manufacturing", which is not one
   of ISTAT's ten district specialisations); the step passes if that LQ exceeds
   ``main_industry_lq_min`` (1). A system whose only over-represented group is
   the catch-all fails step 3.
4. **SMEs in the main industry.** The share of the main industry's employment
   in SME units exceeds ``sme_share_min`` (0.5). ISTAT's exception: when the
   main industry has exactly one medium-sized unit (50–249), the share of the
   micro + small units (1–49) must exceed ``sme_share_min`` instead, so that a
   single medium firm cannot carry the system. The exception needs the number
   of local units: with a ``units`` column ``medium_unit_rule`` is ``"applied"``;
   without one (``n_units=None``) it is ``"not_applicable_no_units"`` and the
   ordinary SME-share rule decides — never skipped silently.

A system passing all four steps is an industrial district. A system passing
steps 1, 3 and 4 but failing step 2 because large units (250+) have the
highest size-class LQ is flagged ``large_firm_led`` ("sistema locale
manifatturiero di grande impresa con caratteristiche distrettuali", ISTAT 2015 §2.2).

**Multiple specialisations** (ISTAT 2015, ch. 4 "La multi-specializzazione
distrettuale": some 2011 districts are listed with more than one industry).
Rule implemented: for a district, every ISTAT group other than the catch-all
with ``LQ > secondary_lq_min`` (1) whose own employment passes the step-4 SME
test (same share threshold and, with unit counts, the same single-medium-unit
exception) is a specialisation. ``specialisations`` lists them ";"-joined, main
industry first, then by decreasing LQ; ``n_specialisations`` counts them. This
is our operational reading of the chapter (the same two criteria ISTAT uses for
the main industry, applied to the other groups); it is a parameter, not a
quotation.

**Group mapping at the finest level the data allow.** ISTAT assigns ATECO
classes to its groups; :func:`istat_district_group` uses
``harmonize/data/istat_district_groups.csv`` by longest prefix, so class- or
group-level codes get the refinements: 23.31/23.32 (ceramic tiles, bricks —
Sassuolo) → household goods (HOU); 27.5 domestic appliances → HOU; 32.50
medical/dental instruments and eyewear → machinery (MAC, the lineage of ISTAT's
2001 "meccanica", which held ATECO 2002 33 medical/optical instruments).
Bare division codes of divisions split between groups (23, 27, 32) can only
take the division default (23 → OTH, 27 → MAC, 32 → JEW): their employment is
reported per system in ``division_fallback_employment`` and ``group_mapping``
is ``"division_fallback"`` (else ``"fine"``), so approximate classifications
are visible.

Open choices where the published description is silent, and what we chose:

* **Macro-sectors** — which activities are business vs consumer services:
  ``macro`` mapping, default :data:`MACRO_ATECO2007` (divisions and sections;
  wholesale 46 business, retail 45/47 consumer; section G as a whole consumer;
  real estate 68 consumer). ISTAT works at finer levels.
* **Size-class LQs in step 2** — computed on manufacturing employment only
  (reference: national manufacturing by class); ties between an SME class
  and the large class fail the step (strict inequality).
* **Micro 1-9 vs 0-9** — units with 0 persons employed carry no employment, so
  for every employment measure the census/Eurostat class 0-9 equals ISTAT's
  micro 1-9; unit counts are used only for the medium class (step 4).
* **Ties in step 3** go to the first group in label order.
* **Thresholds** — all comparisons are strict ("superiore"), so a system
  exactly at a threshold fails that step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Literal

import numpy as np
import pandas as pd

from i4districts.harmonize import HarmonizeError
from i4districts.harmonize.sectors import district_group, district_groups

from ._core import IndicatorInputError, check_unique, codes, counts, require_columns, safe_divide

MANUFACTURING, BUSINESS, CONSUMER = "manufacturing", "business_services", "consumer_services"

#: ISTAT 2011 size classes of local units by persons employed: micro 1-9, small 10-49,
#: medium 50-249, large 250+ (SME = under 250, EU Recommendation 2003/361/EC).
ISTAT_CLASSES: tuple[str, ...] = ("micro", "small", "medium", "large")

#: Input size-class label -> ISTAT class (Eurostat/census labels and the ISTAT names).
ISTAT_SIZE_GROUPS: dict[str, str] = {
    "W0_9": "micro",
    "W1_9": "micro",
    "W10_49": "small",
    "W50_249": "medium",
    "W_GE250": "large",
    **{c: c for c in ISTAT_CLASSES},
}

#: The catch-all group of the default mapping ("other manufacturing"), never a main industry.
CATCH_ALL = "OTH"


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
    """ISTAT district manufacturing group of an ATECO 2007 code (e.g. "13" -> "TEX"), None if not manufacturing.

    Longest prefix wins, so "23.31" -> "HOU" (ceramic tiles) while a bare "23" -> "OTH"
    (see :func:`is_division_fallback`).
    """
    try:
        return district_group(str(code))
    except HarmonizeError:
        return None


@lru_cache(maxsize=1)
def split_divisions() -> frozenset[str]:
    """Divisions whose classes the ISTAT group table splits between groups (e.g. 23, 27, 32)."""
    t = district_groups()
    return frozenset(p.split(".")[0] for p in t["ateco_prefix"] if "." in p)


def is_division_fallback(code: object) -> bool:
    """True if ``code`` is a bare division code of a split division (its group is only the division default)."""
    s = str(code).strip()
    if s.endswith(".0") or s.endswith(".00"):
        s = s.split(".")[0]
    return len(s) == 2 and s.isdigit() and s in split_divisions()


Prevalence = Literal["excess", "lq", "employment"]


def _lookup(labels: pd.Index, mapping: Mapping[str, str] | Callable[[object], object | None]) -> np.ndarray:
    if callable(mapping) and not isinstance(mapping, Mapping):
        vals = [mapping(x) for x in labels]
    else:
        vals = []
        for x in labels:
            hit = mapping.get(x, mapping.get(str(x)))
            if hit is None:  # class/group-level code ("23.31", "23.3") -> its division ("23")
                div = str(x).strip().split(".")[0]
                hit = mapping.get(div) if len(div) == 2 and div.isdigit() else None
            vals.append(hit)
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
    catch_all: str | None = CATCH_ALL,
    size_groups: Mapping[str, str] = ISTAT_SIZE_GROUPS,
    sme_classes: Sequence[str] = ("micro", "small", "medium"),
    small_classes: Sequence[str] = ("micro", "small"),
    medium_class: str = "medium",
    manufacturing_lq_min: float = 1.0,
    prevalence: Prevalence = "excess",
    main_industry_lq_min: float = 1.0,
    sme_share_min: float = 0.5,
    secondary_lq_min: float = 1.0,
) -> pd.DataFrame:
    """ISTAT/Sforzi industrial-district identification, step by step (see module docstring).

    ``units`` is a long table: one row per system × activity × size class
    (× year), with persons employed (``value``) and, optionally, the number of
    local units (``n_units``; pass ``None`` if absent: the single-medium-unit
    rule is then flagged ``not_applicable_no_units``). Activities must not
    overlap. The reference economy is the sum over all systems in the table
    per year (so pass every system of the country). Size labels are mapped to
    ISTAT's classes by ``size_groups``; ``sme_classes``, ``small_classes`` and
    ``medium_class`` name ISTAT classes.

    Returns one row per system (× year) with the numbers behind each step and
    its decision: ``employment, manufacturing_employment, lq_manufacturing,
    lq_business_services, lq_consumer_services, prevalence_manufacturing,
    prevalence_business_services, prevalence_consumer_services,
    step1_manufacturing, size_lq_micro, size_lq_small, size_lq_medium,
    size_lq_large, top_size_class, step2_sme, main_industry, main_industry_lq,
    main_industry_employment, step3_main_industry, main_sme_share,
    main_small_share, main_medium_units, medium_unit_rule, step4_sme_main,
    district, large_firm_led, specialisations, n_specialisations,
    division_fallback_employment, group_mapping``.
    """
    table = "units"
    if prevalence not in ("excess", "lq", "employment"):
        raise IndicatorInputError(f"prevalence={prevalence!r}: choose 'excess', 'lq' or 'employment'")
    cols = [system, sector, size_class, value] + ([n_units] if n_units else []) + ([time] if time else [])
    require_columns(units, cols, table)
    classes = list(ISTAT_CLASSES)
    bad_targets = sorted({str(t) for t in size_groups.values()} - set(classes))
    if bad_targets:
        raise IndicatorInputError(f"size_groups maps to {bad_targets}: ISTAT classes are {classes}")
    for name, sub in (("sme_classes", sme_classes), ("small_classes", small_classes), ("medium_class", [medium_class])):
        extra = [c for c in sub if c not in classes]
        if extra:
            raise IndicatorInputError(f"{name} {extra} not among ISTAT classes {classes}")
    df = units
    tcol = time
    if time is None:
        tcol = "__time__"
        df = df.assign(**{tcol: 0})
    labels = df[size_class].astype(str)
    bad = ~labels.isin(list(size_groups))
    if bad.any():
        raise IndicatorInputError(
            f"{table}: column {size_class!r} has codes outside {list(size_groups)}: "
            f"{df.loc[bad, size_class].drop_duplicates().head(5).tolist()} (drop TOTAL rows first)"
        )
    v = counts(df, value, table, "raise")
    u = counts(df, n_units, table, "raise") if n_units else None
    rc, systems = codes(df[system], table)
    sc, sectors = codes(df[sector], table)
    lc, _ = codes(labels, table)
    kc = pd.Categorical(labels.map(dict(size_groups)), categories=classes).codes.astype(np.intp)
    tc, times = codes(df[tcol], table)
    check_unique(
        [rc, sc, lc, tc],
        [len(systems), len(sectors), int(lc.max()) + 1 if lc.size else 0, len(times)],
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

    # ---- step 1: macro-sector LQs and prevalence (excess-employment) indices
    macro_lab = _lookup(sectors, macro)[sc]
    lq_macro: dict[str, np.ndarray] = {}
    prev_macro: dict[str, np.ndarray] = {}
    emp_macro: dict[str, np.ndarray] = {}
    for name in (MANUFACTURING, BUSINESS, CONSUMER):
        w = np.where(macro_lab == name, v, 0.0)
        e_r = np.bincount(cell, weights=w, minlength=ncell)
        e_t = np.bincount(tc, weights=w, minlength=nt)
        emp_macro[name] = e_r
        nat_share = safe_divide(e_t, Et)[cell_t]
        lq_macro[name] = safe_divide(safe_divide(e_r, E), nat_share)
        prev_macro[name] = safe_divide(e_r, E) - nat_share
    if not (macro_lab == MANUFACTURING).any():
        raise IndicatorInputError(f"{table}: no manufacturing activity in column {sector!r} per the macro mapping")
    lqm = lq_macro[MANUFACTURING]
    if prevalence == "excess":
        pm = prev_macro[MANUFACTURING]
        prevails = (pm > prev_macro[BUSINESS]) & (pm > prev_macro[CONSUMER])
    elif prevalence == "lq":
        prevails = (lqm > lq_macro[BUSINESS]) & (lqm > lq_macro[CONSUMER])
    else:
        M = emp_macro[MANUFACTURING]
        prevails = (M > emp_macro[BUSINESS]) & (M > emp_macro[CONSUMER])
    step1 = (lqm > manufacturing_lq_min) & prevails

    # ---- step 2: LQs of manufacturing employment by ISTAT size class
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

    # ---- step 3: main industry = non-catch-all ISTAT group with the highest LQ
    ind_lab = _lookup(sectors, industries)[sc]
    in_ind = is_m & (ind_lab != "")
    unmapped = is_m & (ind_lab == "")
    if unmapped.any():
        raise IndicatorInputError(
            f"{table}: manufacturing codes in column {sector!r} without a main-industry group: "
            f"{pd.unique(df.loc[unmapped, sector]).tolist()[:5]}"
        )
    fallback_row = is_m & np.array([is_division_fallback(x) for x in sectors], dtype=bool)[sc]
    fallback_emp = np.bincount(cell, weights=np.where(fallback_row, v, 0.0), minlength=ncell)
    ic, industries_idx = pd.factorize(pd.Series(ind_lab[in_ind]), sort=True)
    ni = len(industries_idx)
    ind_code = np.full(v.size, -1, dtype=np.intp)
    ind_code[in_ind] = ic
    keep = ind_code >= 0
    E_ri = np.bincount(cell[keep] * ni + ind_code[keep], weights=v[keep], minlength=ncell * ni).reshape(ncell, ni)
    E_ti = np.bincount(tc[keep] * ni + ind_code[keep], weights=v[keep], minlength=nt * ni).reshape(nt, ni)
    lq_ri = safe_divide(safe_divide(E_ri, E[:, None]), safe_divide(E_ti, Et[:, None])[cell_t])
    eligible = np.asarray([str(g) != catch_all for g in industries_idx], dtype=bool)
    lq_ri_f = np.where(np.isnan(lq_ri) | ~eligible[None, :] | (E_ri <= 0), -np.inf, lq_ri)
    main = np.argmax(lq_ri_f, axis=1) if ni else np.zeros(ncell, dtype=np.intp)
    has_main = np.isfinite(lq_ri_f).any(axis=1) if ni else np.zeros(ncell, dtype=bool)
    rows = np.arange(ncell)
    main_lq = np.where(has_main, lq_ri[rows, main], np.nan) if ni else np.full(ncell, np.nan)
    main_emp = np.where(has_main, E_ri[rows, main], 0.0) if ni else np.zeros(ncell)
    step3 = has_main & (main_lq > main_industry_lq_min)

    # ---- step 4: SME share of employment, per group (main industry and specialisations)
    idx3 = (cell[keep] * ni + ind_code[keep]) * ncl + kc[keep]
    E_ric = np.bincount(idx3, weights=v[keep], minlength=ncell * ni * ncl).reshape(ncell, ni, ncl)
    small_mask = np.isin(classes, list(small_classes))
    tot_ri = E_ric.sum(axis=2)
    sme_ri = safe_divide(E_ric[:, :, sme_mask].sum(axis=2), tot_ri)
    small_ri = safe_divide(E_ric[:, :, small_mask].sum(axis=2), tot_ri)
    medium_idx = classes.index(medium_class)
    if u is not None:
        U_ric = np.bincount(idx3, weights=u[keep], minlength=ncell * ni * ncl).reshape(ncell, ni, ncl)
        medium_ri = U_ric[:, :, medium_idx]
        single_ri = medium_ri == 1
        rule = "applied"
    else:
        medium_ri = np.full((ncell, ni), np.nan)
        single_ri = np.zeros((ncell, ni), dtype=bool)
        rule = "not_applicable_no_units"
    pass4_ri = np.where(single_ri, small_ri > sme_share_min, sme_ri > sme_share_min)
    if ni:
        sme_share = np.where(has_main, sme_ri[rows, main], np.nan)
        small_share = np.where(has_main, small_ri[rows, main], np.nan)
        medium_units = np.where(has_main, medium_ri[rows, main], np.nan)
        step4 = has_main & pass4_ri[rows, main]
    else:
        sme_share = small_share = medium_units = np.full(ncell, np.nan)
        step4 = np.zeros(ncell, dtype=bool)

    district = step1 & step2 & step3 & step4
    large_led = step1 & has_size & ~step2 & ~sme_mask[top] & step3 & step4

    # ---- multiple specialisations (districts only): main first, then other groups by LQ
    spec_ok = (lq_ri_f > secondary_lq_min) & pass4_ri
    specs: list[str | None] = []
    for r in range(ncell):
        if not district[r]:
            specs.append(None)
            continue
        others = [j for j in np.argsort(-lq_ri_f[r], kind="stable") if spec_ok[r, j] and j != main[r]]
        specs.append(";".join(str(industries_idx[j]) for j in [main[r], *others]))

    present = np.flatnonzero(np.bincount(cell, minlength=ncell) > 0)
    out = pd.DataFrame({system: systems.take(present // nt)})
    if time is not None:
        out[time] = times.take(present % nt)
    out["employment"] = E[present]
    out["manufacturing_employment"] = emp_macro[MANUFACTURING][present]
    out["lq_manufacturing"] = lqm[present]
    out["lq_business_services"] = lq_macro[BUSINESS][present]
    out["lq_consumer_services"] = lq_macro[CONSUMER][present]
    out["prevalence_manufacturing"] = prev_macro[MANUFACTURING][present]
    out["prevalence_business_services"] = prev_macro[BUSINESS][present]
    out["prevalence_consumer_services"] = prev_macro[CONSUMER][present]
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
    out["medium_unit_rule"] = rule
    out["step4_sme_main"] = step4[present]
    out["district"] = district[present]
    out["large_firm_led"] = large_led[present]
    out["specialisations"] = [specs[r] for r in present]
    out["n_specialisations"] = [0 if specs[r] is None else len(specs[r].split(";")) for r in present]
    out["division_fallback_employment"] = fallback_emp[present]
    out["group_mapping"] = np.where(fallback_emp[present] > 0, "division_fallback", "fine")
    return out
