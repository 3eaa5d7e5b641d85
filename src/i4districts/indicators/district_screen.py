"""A section-level screen for manufacturing SME systems on ISTAT's SLL local-unit flow.

ISTAT's public SDMX flow of local units by local labour system
(``183_285_DF_DICA_ASIAULP_10`` on the 2021 systems, ``..._8`` on the 2011
ones; ledger entries ``istat_asia_ul_sll2021`` / ``istat_asia_ul_sll2011``)
gives local units (``LU``) and persons employed in them (``LUEMPDAA``) by
ATECO 2007 **section** × size class (``W0_9, W10_49, W50_249, W_GE250``). The
ISTAT/Sforzi method needs manufacturing *groups* (step 3) which sections do not
have, so on this flow only a **screen** is possible — it is not ISTAT's district
list and every output row says so (column ``screen``):

1. *manufacturing prevails* — step 1 of the method: ``LQ_C > 1`` and the
   prevalence (excess-employment) index of manufacturing (section C) exceeds
   those of business services (H, J, K, M, N) and of consumer services
   (G, I, L, P, Q, R, S);
2. *SME system* — step 2: on manufacturing employment, the size class with
   the highest LQ is micro, small or medium (not 250+);
3. *SME manufacturing* — steps 3–4 with manufacturing as one block: more than
   half of manufacturing employment is in units under 250 persons employed,
   with ISTAT's single-medium-unit exception (local-unit counts are in the flow).

``screen_pass`` is true when all three hold. Systems that pass are candidates
for the full method (census inputs by ATECO class, :mod:`i4districts.harmonize.census2011`).
Agriculture (A) and public administration (O) are outside ASIA and absent.
"""

from __future__ import annotations

import pandas as pd

from ._core import IndicatorInputError, require_columns
from .districts import identify_districts

__all__ = ["SCREEN_LABEL", "asia_sll_units", "manufacturing_sme_screen"]

SCREEN_LABEL = ("section-level screen for manufacturing SME systems (ISTAT ASIA local units by SLL, ATECO "
                "sections x size classes); not ISTAT's industrial-district list")
SIZE_CLASSES = ("W0_9", "W10_49", "W50_249", "W_GE250")
_TOTAL_SECTION, _TOTAL_SIZE = "0010", "TOTAL"
_AREA_PREFIXES = ("SLL_2021_", "SLL_2011_")


def asia_sll_units(fetched: pd.DataFrame, *, source: str = "ASIA SLL flow") -> pd.DataFrame:
    """Tidy the fetched flow into ``region`` (SLL code), ``sector`` (section), ``size_class``,
    ``year``, ``value`` (persons employed), ``units`` (local units).

    Totals (section ``0010``, size ``TOTAL``) are dropped after checking that
    the published details add up to them within rounding (one unit per cell);
    areas that are not SLLs (``IT_OTH_TERR``) are dropped and counted.
    """
    cols = ["ref_area", "data_type", "econ_activity_nace_2007", "pers_empl_size_class", "time", "value"]
    require_columns(fetched, cols, source)
    df = fetched[cols].copy()
    df.columns = ["area", "data_type", "sector", "size_class", "year", "value"]
    bad_types = sorted(set(df["data_type"].astype(str)) - {"LU", "LUEMPDAA"})
    if bad_types:
        raise IndicatorInputError(f"{source}: field data_type has unexpected codes {bad_types} (expected LU, LUEMPDAA)")
    area = df["area"].astype(str)
    is_sll = area.str.startswith(_AREA_PREFIXES)
    df = df[is_sll].copy()
    if df.empty:
        raise IndicatorInputError(f"{source}: no SLL areas (ref_area SLL_2021_<code> or SLL_2011_<code>)")
    # ISTAT's flow drops the leading zero of the 4-digit SLL code (SLL_2021_101 is the crosswalk's 0101)
    code = df["area"].astype(str).str.split("_").str[-1]
    df["region"] = code.where(~code.str.fullmatch(r"\d{1,4}"), code.str.zfill(4))
    df["year"] = pd.to_numeric(df["year"], errors="raise").astype("int64")
    bad_size = sorted(set(df["size_class"].astype(str)) - {*SIZE_CLASSES, _TOTAL_SIZE})
    if bad_size:
        raise IndicatorInputError(f"{source}: field pers_empl_size_class has unexpected codes {bad_size}")
    wide = df.pivot_table(index=["region", "sector", "size_class", "year"], columns="data_type", values="value",
                          aggfunc="sum").reset_index()
    wide.columns.name = None
    if "LUEMPDAA" not in wide or "LU" not in wide:
        raise IndicatorInputError(f"{source}: needs both data types LU (local units) and LUEMPDAA (persons employed)")
    detail = wide[(wide["sector"] != _TOTAL_SECTION) & (wide["size_class"] != _TOTAL_SIZE)]
    totals = wide[(wide["sector"] == _TOTAL_SECTION) & (wide["size_class"] == _TOTAL_SIZE)]
    if len(totals):
        sums = detail.groupby(["region", "year"])[["LU", "LUEMPDAA"]].sum()
        t = totals.set_index(["region", "year"])[["LU", "LUEMPDAA"]]
        cells = detail.groupby(["region", "year"]).size()
        diff = (t - sums.reindex(t.index)).abs()
        off = diff[(diff["LU"] > cells.reindex(t.index)) | (diff["LUEMPDAA"] > cells.reindex(t.index))]
        if len(off):
            raise IndicatorInputError(f"{source}: section x size details do not add up to the SLL totals "
                                      f"(beyond one per cell) for {off.index.get_level_values(0).tolist()[:8]}")
    out = detail.rename(columns={"LUEMPDAA": "value", "LU": "units"})
    if out[["value", "units"]].isna().any().any():
        raise IndicatorInputError(f"{source}: missing values in {int(out[['value', 'units']].isna().any(axis=1).sum())} "
                                  "cells (suppressed?): the screen needs every cell")
    return out[["region", "sector", "size_class", "year", "value", "units"]].reset_index(drop=True)


def manufacturing_sme_screen(units: pd.DataFrame, *, sme_share_min: float = 0.5) -> pd.DataFrame:
    """The screen (module docstring) on tidy section × size-class counts per SLL.

    Runs :func:`identify_districts` with manufacturing (section C) as the
    only "industry", so steps 3–4 test manufacturing as one block. Returns
    one row per SLL × year: the method's step columns, ``sme_share_manufacturing``,
    ``screen_pass`` and ``screen`` (:data:`SCREEN_LABEL`).
    """
    require_columns(units, ["region", "sector", "size_class", "year", "value", "units"], "SLL local units")
    sections = set(units["sector"].astype(str))
    if any(len(s) != 1 for s in sections):
        raise IndicatorInputError(f"the screen needs ATECO sections (one letter); got {sorted(sections)[:8]}")
    if "C" not in sections:
        raise IndicatorInputError("the screen needs section C (manufacturing)")
    res = identify_districts(units, industries={"C": "C"}, catch_all=None, sme_share_min=sme_share_min)
    out = res.rename(columns={"main_sme_share": "sme_share_manufacturing"})
    out["screen_pass"] = out["district"].astype(bool)
    out["screen"] = SCREEN_LABEL
    drop = ["district", "large_firm_led", "specialisations", "n_specialisations", "main_industry",
            "division_fallback_employment", "group_mapping"]
    return out.drop(columns=[c for c in drop if c in out])
