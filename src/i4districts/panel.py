"""Analysis panels from the tidy employment sample.

Pure functions: select a country, NUTS level, year range and a
*non-overlapping* NACE set from the published aggregates; derive regional
employment growth; join growth with exposure into the model frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from i4districts.harmonize.sectors import sector_set
from i4districts.indicators.specialization import location_quotients
from i4districts.sample import TOTAL
from i4districts.validation import TableSchema, validate

#: Non-overlapping NACE Rev.2 sector sets that add up to the total economy.
#: ``B_D_E`` is B-E minus C (mining, utilities, water and waste), derived so
#: that manufacturing (C) can be analysed on its own.
_A10 = sector_set("A10")  # A, B-E, F, G-I, J, K, L, M-N, O-Q, R-U (harmonize/data/sector_sets.yaml)
SECTOR_SETS: dict[str, tuple[str, ...]] = {
    "a10": _A10,
    "a10_split_c": tuple(c for code in _A10 for c in (("B_D_E", "C") if code == "B-E" else (code,))),
}
DERIVED_SECTORS = {"B_D_E": ("B-E", "C")}  # derived = first minus second
PANEL_COLUMNS = ["geo", "nace", "year", "employment", "unit", "obs_flag"]
PANEL_SCHEMA = TableSchema(
    name="employment panel",
    keys=("geo", "nace", "year"),
    columns={"geo": "str", "nace": "str", "year": "int", "employment": "int", "unit": "str", "obs_flag": "str"},
    non_negative=("employment",),
    units={"employment": "persons"},
    required=("employment",),
    strict=True,
)


class PanelError(ValueError):
    """The panel cannot be built as asked; the message names the field and the keys."""


@dataclass(frozen=True)
class PanelSelection:
    """What a panel holds: a country's regions at one NUTS level, years and a sector set."""

    country: str = "IT"
    nuts_level: int = 3
    start: int = 2000
    end: int = 2017
    sectors: str = "a10_split_c"
    drop_extra_regio: bool = True


def is_extra_regio(geo: pd.Series) -> pd.Series:
    """True for NUTS extra-regio codes (every character after the country code is 'Z', e.g. ITZZZ)."""
    tail = geo.str.slice(2)
    return tail.str.len().gt(0) & tail.str.fullmatch("Z+").fillna(False).astype(bool)


def _keys(frame: pd.DataFrame, cols: list[str], n: int = 5) -> list[dict]:
    return frame[cols].head(n).astype(object).to_dict("records")


def select_employment_panel(sample: pd.DataFrame, selection: PanelSelection) -> pd.DataFrame:
    """Tidy employment panel keyed by (geo, nace, year) for a non-overlapping sector set.

    Checks: every cell published (no missing employment), and the sectors add
    up to the published total within one person per sector (rounding of the
    source). Raises :class:`PanelError` naming the offending keys otherwise.
    """
    if selection.sectors not in SECTOR_SETS:
        raise PanelError(f"sectors: unknown sector set {selection.sectors!r}; choose one of {sorted(SECTOR_SETS)}")
    wanted = SECTOR_SETS[selection.sectors]
    rows = sample[
        sample["geo"].str.startswith(selection.country)
        & (sample["nuts_level"] == selection.nuts_level)
        & sample["year"].between(selection.start, selection.end)
    ]
    if selection.drop_extra_regio:
        rows = rows[~is_extra_regio(rows["geo"])]
    if rows.empty:
        raise PanelError(
            f"no rows for country={selection.country}, nuts_level={selection.nuts_level}, "
            f"years {selection.start}-{selection.end}"
        )
    missing_years = sorted(set(range(selection.start, selection.end + 1)) - set(rows["year"].unique()))
    if missing_years:
        raise PanelError(f"year: no data for {missing_years} in the sample")
    wide = rows.pivot(index=["geo", "year"], columns="nace", values="employment").astype("Float64")
    for derived, (minuend, subtrahend) in DERIVED_SECTORS.items():
        if derived in wanted:
            wide[derived] = wide[minuend] - wide[subtrahend]
    absent = [s for s in (*wanted, TOTAL) if s not in wide.columns]
    if absent:
        raise PanelError(f"nace: sector(s) {absent} not in the sample")
    gaps = wide[list(wanted)].isna()
    if gaps.to_numpy().any():
        where = gaps.stack()
        where = where[where].reset_index()
        raise PanelError(f"employment: {len(where)} unpublished cell(s), e.g. {_keys(where, ['geo', 'year', 'nace'])}")
    diff = (wide[list(wanted)].sum(axis=1) - wide[TOTAL]).astype(float)
    off = diff[diff.abs() > len(wanted)]
    if len(off):
        raise PanelError(
            f"employment: sectors of set {selection.sectors!r} do not add up to {TOTAL} for {len(off)} "
            f"region-year(s), e.g. {off.head(5).round(1).to_dict()}"
        )
    negative = wide[list(wanted)] < 0
    if negative.to_numpy().any():
        raise PanelError(f"employment: negative derived values in {negative.stack()[lambda s: s].index[:5].tolist()}")
    long = wide[list(wanted)].stack().rename("employment").reset_index()
    long["employment"] = long["employment"].astype("int64")
    long["geo"] = long["geo"].astype("string")
    long["nace"] = long["nace"].astype("string")
    long["unit"] = pd.Series("persons", index=long.index, dtype="string")
    long["obs_flag"] = pd.Series("", index=long.index, dtype="string")
    return validate(long[PANEL_COLUMNS].sort_values(["geo", "nace", "year"], ignore_index=True), PANEL_SCHEMA)


def employment_growth(panel: pd.DataFrame) -> pd.DataFrame:
    """Regional total employment and its growth, one row per (geo, year).

    growth_{r,t} = 100 · (ln E_{r,t} − ln E_{r,t−1}), in log points (≈ percent);
    missing for a region's first year or after a gap in its years.
    """
    total = panel.groupby(["geo", "year"], as_index=False, sort=True)["employment"].sum()
    total = total.sort_values(["geo", "year"], ignore_index=True)
    log_e = np.log(total["employment"].astype(float))
    previous_year = total.groupby("geo")["year"].shift(1)
    growth = 100.0 * (log_e - log_e.groupby(total["geo"]).shift(1))
    total["employment_growth"] = growth.where(previous_year == total["year"] - 1)
    return total


def manufacturing_specialisation(panel: pd.DataFrame, *, base_year: int, sector: str = "C",
                                 threshold: float = 1.0) -> pd.DataFrame:
    """Base-year manufacturing location quotient per region and the flag LQ > ``threshold``.

    A NUTS-3 proxy for district-like specialisation (Becattini's districts are
    defined on local labour systems; see :mod:`i4districts.indicators.districts`).
    Returns ``geo, manufacturing_lq_base, manufacturing_specialised`` (0/1).
    """
    base = panel[panel["year"] == base_year]
    if base.empty:
        raise PanelError(f"year: no rows for base year {base_year}")
    if sector not in set(base["nace"]):
        raise PanelError(f"nace: sector {sector!r} not in the panel (sector set without it?)")
    lq = location_quotients(base[["geo", "nace", "year", "employment"]])
    lq = lq[lq["nace"] == sector]
    return pd.DataFrame({
        "geo": lq["geo"].to_numpy(),
        "manufacturing_lq_base": lq["lq"].to_numpy(dtype=float),
        "manufacturing_specialised": (lq["lq"].to_numpy(dtype=float) > threshold).astype("int64"),
    })


def model_frame(growth: pd.DataFrame, exposure: pd.DataFrame, *, base_year: int,
                region_traits: pd.DataFrame | None = None) -> pd.DataFrame:
    """Join growth, exposure and time-invariant region traits on (geo, year) for the years after ``base_year``.

    Adds ``ln_employment_x100`` = 100 · ln E (log points, for long differences).
    Every (geo, year) of ``growth`` after the base year must have an exposure
    value, and every region its traits; the error names those that do not.
    """
    after = growth[(growth["year"] > base_year)]
    merged = after.merge(exposure, on=["geo", "year"], how="left", validate="one_to_one")
    exposure_cols = [c for c in exposure.columns if c not in ("geo", "year")]
    lacking = merged[merged[exposure_cols].isna().any(axis=1)]
    if len(lacking):
        raise PanelError(f"exposure: missing for {len(lacking)} region-year(s), e.g. {_keys(lacking, ['geo', 'year'])}")
    if merged["employment_growth"].isna().any():
        gaps = merged[merged["employment_growth"].isna()]
        raise PanelError(f"employment_growth: undefined (gap in years) for {_keys(gaps, ['geo', 'year'])}")
    merged["ln_employment_x100"] = 100.0 * np.log(merged["employment"].astype(float))
    if region_traits is not None:
        merged = merged.merge(region_traits, on="geo", how="left", validate="many_to_one")
        trait_cols = [c for c in region_traits.columns if c != "geo"]
        lacking = merged[merged[trait_cols].isna().any(axis=1)]
        if len(lacking):
            raise PanelError(f"region traits: missing for {_keys(lacking.drop_duplicates('geo'), ['geo'])}")
    return merged.sort_values(["geo", "year"], ignore_index=True)
