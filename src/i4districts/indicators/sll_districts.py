"""Local labour systems (SLL) with their district decisions, and each NUTS-3 region's share in them.

Two outputs of the district step (issue #12, item 5):

* :func:`sll_table` — one row per SLL: code, name, the region and NUTS-3 of its
  main municipality, ISTAT's 2021 prevailing specialisation (class and group),
  population 2021, local units and persons employed (ISTAT Frame-SBS 2023,
  Tav.42) and, when a decision table is given (the full ISTAT/Sforzi method of
  :func:`i4districts.indicators.districts.identify_districts`, or the
  section-level screen of :mod:`i4districts.indicators.district_screen`), the
  decision at each step. Column ``basis`` says which of these the ``district``
  column rests on.

* :func:`nuts3_sll_shares` — per NUTS-3 region and flag (``made_in_italy``:
  ISTAT 2021 class A; ``manufacturing_specialised``: classes A + B; ``district``
  or ``screen``: SLLs passing the method or the screen), the share of the
  region's employment and of its population living or working in flagged SLLs::

      employment_share_{p,f} = Σ_{m ∈ p, sll(m) flagged f} E_m / Σ_{m ∈ p} E_m

  with municipal persons employed ``E_m`` (exact: municipalities nest in
  provinces). Population is published per SLL, not per municipality, in the
  shared ISTAT files; an SLL's population ``N_s`` is then allocated to
  provinces in proportion to where its persons employed work,
  ``N_{s,p} = N_s · E_{s,p} / E_s`` (``population_basis`` =
  ``sll_by_employment``; an SLL spanning two provinces — Milano's includes
  Monza — would otherwise give a province no population at all). With
  municipal population (synthetic worlds, census inputs) the share is exact
  (``municipality``).

References: ISTAT (2015) *I distretti industriali 2011*; ISTAT (2022) *La
specializzazione produttiva prevalente dei sistemi locali del lavoro*.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ._core import IndicatorInputError, require_columns

__all__ = ["FLAG_CLASSES", "nuts3_sll_shares", "sll_flags", "sll_table"]

#: Flags defined on ISTAT's 2021 prevailing specialisation classes.
FLAG_CLASSES: dict[str, tuple[str, ...]] = {
    "made_in_italy": ("A",),
    "manufacturing_specialised": ("A", "B"),
}

#: Decision columns carried from identify_districts / the screen into the SLL table (when present).
DECISION_COLUMNS: tuple[str, ...] = (
    "employment", "lq_manufacturing", "prevalence_manufacturing", "step1_manufacturing", "top_size_class",
    "step2_sme", "main_industry", "main_industry_lq", "step3_main_industry", "main_sme_share",
    "medium_unit_rule", "step4_sme_main", "district", "large_firm_led", "specialisations", "n_specialisations",
    "group_mapping", "sme_share_manufacturing", "screen_pass", "screen",
)


def sll_table(
    crosswalk: pd.DataFrame,
    specialisation: pd.DataFrame | None = None,
    totals: pd.DataFrame | None = None,
    decisions: pd.DataFrame | None = None,
    *,
    province_nuts3: Mapping[str, str] | None = None,
    basis: str | None = None,
) -> pd.DataFrame:
    """One row per SLL (module docstring).

    ``crosswalk``: municipality → SLL (``sll, sll_name, municipality, is_main,
    region`` and optionally ``province``); ``specialisation``: ISTAT's 2021
    classes (``sll, class, group, population``); ``totals``: Frame-SBS Tav.42
    (``sll, local_units, persons_employed``); ``decisions``: one row per SLL
    with ``region`` = SLL code and the step columns; ``province_nuts3`` maps
    the 3-digit province prefix of the main municipality to a NUTS-3 code.
    ``basis`` names what the decisions are (default: ``section_screen`` when
    they come from the screen, ``istat_sforzi`` for the full method, ``none``
    without decisions).
    """
    require_columns(crosswalk, ["sll", "sll_name", "municipality", "is_main", "region"], "SLL crosswalk")
    main = crosswalk[crosswalk["is_main"].astype(bool)]
    dup = main["sll"][main["sll"].duplicated()]
    if len(dup):
        raise IndicatorInputError(f"SLL crosswalk: SLL(s) with more than one main municipality {dup.tolist()[:8]}")
    out = (main[["sll", "sll_name", "municipality", "region"]]
           .rename(columns={"municipality": "main_municipality", "region": "istat_region"})
           .sort_values("sll").reset_index(drop=True))
    missing_main = sorted(set(crosswalk["sll"]) - set(out["sll"]))
    if missing_main:
        raise IndicatorInputError(f"SLL crosswalk: SLL(s) without a main municipality {missing_main[:8]}")
    out["n_municipalities"] = out["sll"].map(crosswalk.groupby("sll").size()).astype("int64")
    if province_nuts3 is not None:
        out["nuts3"] = out["main_municipality"].str[:3].map(dict(province_nuts3))
    if specialisation is not None:
        spec = specialisation.set_index("sll")
        _same_systems(out["sll"], spec.index, "ISTAT 2021 specialisation")
        for col in ("class", "group", "population"):
            if col in spec:
                out[f"istat_{col}" if col != "population" else "population"] = out["sll"].map(spec[col])
    if totals is not None:
        tot = totals[totals["macro_sector"] == "total"] if "macro_sector" in totals else totals
        tot = tot.set_index("sll")
        _same_systems(out["sll"], tot.index, "Frame-SBS SLL totals (Tav.42)")
        for col in ("region_name", "local_units", "persons_employed"):
            if col in tot:
                out[col] = out["sll"].map(tot[col])
    if decisions is not None:
        require_columns(decisions, ["region"], "district decisions")
        dec = decisions
        if "year" in dec and dec["year"].nunique() > 1:
            dec = dec[dec["year"] == dec["year"].max()]
        dec = dec.set_index(dec["region"].astype(str))
        if dec.index.duplicated().any():
            raise IndicatorInputError("district decisions: more than one row per SLL")
        unknown = sorted(set(dec.index) - set(out["sll"]))
        if unknown:
            raise IndicatorInputError(f"district decisions: SLL code(s) not in the crosswalk {unknown[:8]}")
        for col in DECISION_COLUMNS:
            if col in dec:
                name = "method_employment" if col == "employment" else col
                out[name] = out["sll"].map(dec[col])
        if basis is None:
            basis = "section_screen" if "screen" in dec else "istat_sforzi"
    out["basis"] = basis or "none"
    for flag, classes in FLAG_CLASSES.items():
        if "istat_class" in out:
            out[flag] = out["istat_class"].isin(classes)
    return out


def _same_systems(ours: pd.Series, theirs: pd.Index, what: str) -> None:
    a, b = set(ours), set(theirs.astype(str))
    if a != b:
        raise IndicatorInputError(f"{what}: SLL sets differ from the crosswalk: only in the crosswalk "
                                  f"{sorted(a - b)[:8]}, only in {what} {sorted(b - a)[:8]}")


def sll_flags(table: pd.DataFrame, flags: Sequence[str] | None = None) -> pd.DataFrame:
    """Long table ``sll, flag, flagged`` of the boolean flag columns of :func:`sll_table`.

    Default flags: the ISTAT-class flags present, plus ``district`` (method)
    or ``screen_pass`` (screen, renamed ``screen``) when decided.
    """
    if flags is None:
        flags = [f for f in FLAG_CLASSES if f in table]
        if "district" in table and table["district"].notna().any():
            flags.append("district")
        if "screen_pass" in table and table["screen_pass"].notna().any():
            flags.append("screen_pass")
    frames = []
    for f in flags:
        if f not in table:
            raise IndicatorInputError(f"SLL table has no flag column {f!r}")
        frames.append(pd.DataFrame({"sll": table["sll"], "flag": "screen" if f == "screen_pass" else f,
                                    "flagged": table[f].fillna(False).astype(bool)}))
    return pd.concat(frames, ignore_index=True)


def nuts3_sll_shares(
    municipalities: pd.DataFrame,
    flags: pd.DataFrame,
    *,
    sll_population: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Share of each NUTS-3 region's employment and population in flagged SLLs (module docstring).

    ``municipalities``: ``municipality, sll, nuts3, weight`` (persons
    employed; suppressed cells already filled, see
    :func:`i4districts.indicators.district_shares.impute_suppressed`) and
    optionally ``population``, ``flag`` (data flags to carry); ``flags``: long
    ``sll, flag, flagged`` (:func:`sll_flags`). Without municipal population,
    ``sll_population`` (``sll, population``) is allocated by employment.

    Returns ``region, flag, employment_share, employment, region_employment,
    population_share, population, region_population, population_basis,
    data_flag``.
    """
    require_columns(municipalities, ["municipality", "sll", "nuts3", "weight"], "municipal employment")
    require_columns(flags, ["sll", "flag", "flagged"], "SLL flags")
    unknown = sorted(set(municipalities["sll"]) - set(flags["sll"]))
    if unknown:
        raise IndicatorInputError(f"municipal employment: SLL(s) without flags {unknown[:8]}")
    w = municipalities["weight"]
    if w.isna().any() or (w < 0).any():
        raise IndicatorInputError("municipal employment: column 'weight' has missing or negative values "
                                  "(fill suppressed cells first)")
    has_pop = "population" in municipalities and municipalities["population"].notna().all()
    if not has_pop and sll_population is None:
        raise IndicatorInputError("no municipal population: pass sll_population (sll, population)")
    data_flag = (municipalities.groupby("nuts3")["flag"].agg(
        lambda f: ";".join(sorted({p for x in f for p in str(x).split(";") if p})))
        if "flag" in municipalities else None)
    region_emp = municipalities.groupby("nuts3")["weight"].sum()
    if has_pop:
        region_pop = municipalities.groupby("nuts3")["population"].sum()
        pop_basis = "municipality"
    else:
        cells = municipalities.groupby(["sll", "nuts3"], as_index=False)["weight"].sum()
        sll_emp = cells.groupby("sll")["weight"].transform("sum")
        npop = cells["sll"].map(sll_population.set_index("sll")["population"])
        if npop.isna().any():
            raise IndicatorInputError(f"sll_population: no population for SLL(s) {sorted(set(cells['sll'][npop.isna()]))[:8]}")
        sp = cells.assign(population=npop * np.where(sll_emp > 0, cells["weight"] / sll_emp.where(sll_emp > 0, 1), 0))
        region_pop = sp.groupby("nuts3")["population"].sum().reindex(region_emp.index, fill_value=0.0)
        pop_basis = "sll_by_employment"
    frames = []
    for flag, f in flags.groupby("flag", sort=False):
        on = set(f.loc[f["flagged"], "sll"])
        m = municipalities["sll"].isin(on)
        emp = municipalities.loc[m].groupby("nuts3")["weight"].sum().reindex(region_emp.index, fill_value=0.0)
        if has_pop:
            pop = municipalities.loc[m].groupby("nuts3")["population"].sum()
        else:
            pop = sp.loc[sp["sll"].isin(on)].groupby("nuts3")["population"].sum()
        pop = pop.reindex(region_emp.index, fill_value=0.0)
        frames.append(pd.DataFrame({
            "region": region_emp.index, "flag": flag,
            "employment_share": (emp / region_emp).to_numpy(), "employment": emp.to_numpy(),
            "region_employment": region_emp.to_numpy(),
            "population_share": np.where(region_pop > 0, pop / region_pop.where(region_pop > 0, 1.0), np.nan),
            "population": pop.to_numpy(), "region_population": region_pop.to_numpy(),
        }))
    out = pd.concat(frames, ignore_index=True)
    out["population_basis"] = pop_basis
    out["data_flag"] = out["region"].map(data_flag).fillna("") if data_flag is not None else ""
    return out.sort_values(["flag", "region"], kind="stable").reset_index(drop=True)


def istat_sll_outputs(
    shared_dir, decisions: pd.DataFrame | None = None, *, nuts_version: int = 2016,
    province_map: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The SLL table and the NUTS-3 shares from ISTAT's files under ``shared_dir/istat_sll``.

    Municipal persons employed (Frame-SBS 2023, Tav.39) are placed in SLL
    2021 (:func:`i4districts.harmonize.istat.resolve_municipalities`),
    suppressed cells filled with the SLL residual and flagged ``imputed``
    (:func:`i4districts.indicators.district_shares.impute_suppressed`), and
    placed in NUTS-3 of ``nuts_version``. ``decisions`` (method or screen, one
    row per SLL 2021 code) are joined when given.
    """
    from pathlib import Path

    from i4districts.harmonize import istat

    from .district_shares import assign_nuts3, impute_suppressed

    d = Path(shared_dir)
    crosswalk = istat.read_sll2021_crosswalk(d / istat.SLL_CROSSWALK_FILE)
    spec = istat.read_sll2021_specialisation(d / istat.SLL_SPECIALISATION_FILE)
    frame = istat.read_frame_sbs_municipalities(d / istat.FRAME_SBS_FILE, 39)
    totals = istat.read_frame_sbs_sll(d / istat.FRAME_SBS_FILE, 42)
    resolved, _ = istat.resolve_municipalities(frame, crosswalk)
    pmap = istat.read_province_nuts_map() if province_map is None else province_map
    col = f"nuts{nuts_version}"
    prefix_nuts = dict(zip(pmap["province_prefix"], pmap[col]))
    table = sll_table(crosswalk, spec, totals, decisions, province_nuts3=prefix_nuts)
    # main municipalities recoded since 2021 (Sardinia 2025) keep the crosswalk's province code
    if table["nuts3"].isna().any():
        by_province = dict(zip(pmap["province"].astype(str), pmap[col]))
        main = crosswalk[crosswalk["is_main"].astype(bool)].set_index("sll")["province"].astype(str)
        table["nuts3"] = table["nuts3"].fillna(table["sll"].map(main).map(by_province))
    placed = assign_nuts3(impute_suppressed(resolved, totals), pmap, nuts_version)
    placed = placed.assign(flag=np.where(placed["imputed"], "imputed", "")
                           + np.where(placed["approximated"], np.where(placed["imputed"], ";approximated",
                                                                       "approximated"), ""))
    shares = nuts3_sll_shares(placed[["municipality", "sll", "nuts3", "weight", "flag"]], sll_flags(table),
                              sll_population=spec[["sll", "population"]])
    shares.insert(1, "nuts_version", int(nuts_version))
    return table, shares
