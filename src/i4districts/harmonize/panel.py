"""Validated long panels keyed by (region, sector, year[, size_class]).

:func:`build_panel` takes a tidy table (e.g. the embedded ``nama_10r_3empers``
sample: ``geo, nace, year, employment, unit, obs_flag``), keeps one NUTS level
and a *non-overlapping* sector set (named, see
:func:`i4districts.harmonize.sectors.sector_set`, or explicit), flags codes
foreign to the declared NUTS version (never drops them), checks that the
published aggregates add up (``G-J = G-I + J`` ...) and returns the panel with
explicit ``unit``, ``flag`` and ``vintage`` plus a :class:`PanelReport` stating
the sector set used, what was excluded, and the gaps (missing region × sector
× year cells). ``balanced=True`` keeps only regions observed in every cell and
lists the regions removed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from i4districts.harmonize import HarmonizeError
from i4districts.harmonize.hierarchy import is_extra_regio, nuts_code_level
from i4districts.harmonize.nuts import flag_nuts_version
from i4districts.harmonize.sectors import (
    additive_parent_map,
    check_non_overlapping,
    normalise_sector,
    sector_set,
    sector_set_derivations,
)
from i4districts.vocabulary import FLAG, REGION, SECTOR, UNIT, VALUE, YEAR, join_flags
from i4districts.validation import HierarchyRule, TableSchema, children_sum_report, validate

__all__ = ["PanelReport", "build_panel", "panel_schema", "zero_unpublished"]


def panel_schema(unit: str, *, size_class: bool = False, name: str = "panel") -> TableSchema:
    """Schema of a harmonized panel: unique non-null keys, non-negative values, one declared unit."""
    keys = ("region", "sector", "year", *(("size_class",) if size_class else ()))
    cols = {"region": "str", "sector": "str", "year": "int", **({"size_class": "str"} if size_class else {}),
            "value": "float", "unit": "str", "flag": "str", "vintage": "str"}
    return TableSchema(name=name, keys=keys, columns=cols, non_negative=("value",), units={"value": unit},
                       required=("unit", "vintage", "flag"), strict=True)


@dataclass
class PanelReport:
    """What :func:`build_panel` did: sector set, exclusions, gaps, additivity, flags."""

    sector_set: str
    sectors: tuple[str, ...]
    excluded_sectors: tuple[str, ...]
    missing_sectors: tuple[str, ...]
    region_level: int | None
    excluded_rows_other_levels: int
    n_regions: int
    years: tuple[int, int] | None
    n_rows: int
    balanced: bool
    dropped_regions: tuple[str, ...]
    gaps: pd.DataFrame  # cells of the selected set missing before balancing (region, sector, year, reason)
    sector_additivity: pd.DataFrame
    size_classes: tuple[str, ...] = ()
    excluded_size_classes: tuple[str, ...] = ()
    size_additivity: pd.DataFrame | None = None
    flag_counts: Mapping[str, int] = field(default_factory=dict)
    vintage: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record (gaps and additivity mismatches as lists of records)."""
        add = self.sector_additivity
        return {
            "sector_set": self.sector_set, "sectors": list(self.sectors),
            "excluded_sectors": list(self.excluded_sectors), "missing_sectors": list(self.missing_sectors),
            "region_level": self.region_level, "excluded_rows_other_levels": int(self.excluded_rows_other_levels),
            "n_regions": int(self.n_regions), "years": list(self.years) if self.years else None,
            "n_rows": int(self.n_rows), "balanced": bool(self.balanced), "dropped_regions": list(self.dropped_regions),
            "n_gaps": int(len(self.gaps)), "gaps": _records(self.gaps),
            "sector_additivity": {
                "checked": int(len(add)),
                "status_counts": {str(k): int(v) for k, v in add["status"].value_counts().items()} if len(add) else {},
                "mismatches": _records(add[add["status"] == "mismatch"]) if len(add) else [],
            },
            "size_classes": list(self.size_classes), "excluded_size_classes": list(self.excluded_size_classes),
            "size_additivity": {
                "checked": 0 if self.size_additivity is None else int(len(self.size_additivity)),
                "status_counts": ({} if self.size_additivity is None or not len(self.size_additivity) else
                                  {str(k): int(v) for k, v in self.size_additivity["status"].value_counts().items()}),
            },
            "flag_counts": {str(k): int(v) for k, v in self.flag_counts.items()},
            "vintage": self.vintage,
        }


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: (v.item() if isinstance(v, np.generic) else (None if pd.isna(v) else v)) for k, v in r.items()}
            for r in df.astype(object).to_dict("records")]


def _derive_sectors(work: pd.DataFrame, derivations: Mapping[str, tuple[str, tuple[str, ...]]],
                    keys: list[str], table: str) -> pd.DataFrame:
    """Append derived sector rows: ``value = minuend − Σ subtrahends`` per cell of the other keys.

    Flags of the operands are joined; a cell lacking an operand gets no derived
    row (it then shows as a gap); a negative result raises naming the cells.
    """
    if not derivations:
        return work
    other = [k for k in keys if k != "sector"]
    wide = work.pivot_table(index=other, columns="sector", values="value", aggfunc="first", dropna=False)
    flags = work.pivot_table(index=other, columns="sector", values="flag", aggfunc="first")
    parts = [work]
    for code, (minuend, minus) in derivations.items():
        needed = [minuend, *minus]
        if code in wide.columns or any(c not in wide.columns for c in needed):
            continue
        derived = wide[minuend] - wide[list(minus)].sum(axis=1, min_count=len(minus))
        negative = derived < 0
        if negative.any():
            raise HarmonizeError(f"{table}: derived sector {code} = {minuend} − {'−'.join(minus)} is negative for "
                                 f"{derived[negative].index[:5].tolist()}")
        operand_flags = flags.reindex(index=derived.index, columns=needed)
        rows = derived.rename("value").reset_index()
        rows["sector"] = code
        rows["flag"] = join_flags([operand_flags[c] for c in needed]).to_numpy()
        parts.append(rows[work.columns])
    return pd.concat(parts, ignore_index=True)


def zero_unpublished(panel: pd.DataFrame, gaps: pd.DataFrame) -> pd.DataFrame:
    """The panel with every gap cell (unpublished or absent) set to 0 and flagged ``unpublished_set_to_zero``.

    An explicit, visible choice for survey tables whose small cells are suppressed for
    confidentiality (Eurostat LFS flag ``c``, ``u`` below the publication limit): never applied by default.
    """
    keys = [k for k in ("region", "sector", "year", "size_class") if k in panel.columns]
    if gaps.empty:
        return panel
    fill = gaps[keys].copy()
    fill["value"] = 0.0
    fill["unit"] = panel["unit"].iloc[0]
    fill["vintage"] = panel["vintage"].iloc[0]
    prior = panel[["flag", *keys]].merge(fill[keys], on=keys, how="right")["flag"].fillna("")
    fill["flag"] = [";".join(x for x in (f, "unpublished_set_to_zero") if x)
                    for f in prior.str.replace("not_published", "", regex=False).str.strip(";")]
    rest = panel.merge(fill[keys], on=keys, how="left", indicator=True)
    rest = rest[rest["_merge"] == "left_only"].drop(columns="_merge")
    out = pd.concat([rest, fill[rest.columns]], ignore_index=True)
    return out.sort_values(keys, kind="stable").reset_index(drop=True)


def build_panel(
    df: pd.DataFrame,
    *,
    sectors: str | Sequence[str] = "A10",
    vintage: str,
    unit: str | None = None,
    region_level: int | None = None,
    years: tuple[int, int] | None = None,
    balanced: bool = False,
    nuts_version: str | None = None,
    nuts_versions: Mapping[str, frozenset[str]] | None = None,
    country: str | None = None,
    drop_extra_regio: bool = False,
    complete: bool = False,
    region_col: str = REGION,
    sector_col: str = SECTOR,
    year_col: str = YEAR,
    value_col: str = VALUE,
    unit_col: str = UNIT,
    flag_col: str | None = FLAG,
    size_class_col: str | None = None,
    size_classes: Sequence[str] | None = None,
    size_total: str = "TOTAL",
    additivity_atol: float = 0.5,
    table: str = "panel input",
) -> tuple[pd.DataFrame, PanelReport]:
    """Tidy panel ``region, sector, year[, size_class], value, unit, flag, vintage`` and its report.

    * ``sectors``: a named set (``"A10"``, ``"A10_split_C"``, ``"A21"``, ``"A6"``,
      ``"total"``, ``"manufacturing"``) or an explicit list, checked non-overlapping;
      codes of the input outside the set are listed in ``excluded_sectors``.
      Derived codes of a named set (``B_D_E = B-E − C``) are computed from the
      published aggregates; a negative derived value is an error.
    * ``country``: keep region codes starting with it; ``drop_extra_regio``: drop
      extra-regio codes (``ITZZZ``); ``complete``: raise, naming the cells, when
      any cell of the selected region × sector × year grid is absent or unpublished.
    * ``region_level``: keep only NUTS codes of this level (others counted);
      ``years=(first, last)``: keep only these years (inclusive).
    * ``nuts_version`` + ``nuts_versions``: rows whose code is not in that
      version get flag ``nuts<v>_code`` (kept, see
      :func:`i4districts.harmonize.nuts.flag_nuts_version`).
    * additivity: published aggregates are compared with the sum of their
      children (``difference = parent - Σ children``) before selection; the
      result is in ``report.sector_additivity`` (mismatches raise).
    * ``size_class_col``: adds ``size_class`` to the keys. Size classes
      (e.g. ISTAT ASIA ``W0_9, W10_49, W50_249, W_GE250, TOTAL``) overlap like
      sectors: the classes must add up to ``size_total`` where both are
      published, and the panel keeps ``size_classes`` (default: the classes
      other than ``size_total``, or ``size_total`` alone if nothing else).
    * unpublished cells (null value) stay as rows with flag ``not_published``
      and are listed in ``report.gaps`` together with absent cells.
    """
    keys_in = [region_col, sector_col, year_col, *([size_class_col] if size_class_col else [])]
    need = [*keys_in, value_col]
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise HarmonizeError(f"{table}: missing column(s) {missing}; columns are {list(df.columns)}")
    validate(df, TableSchema(name=table, keys=tuple(keys_in), columns={**{k: "any" for k in keys_in},
                                                                      value_col: "float"},
                             non_negative=(value_col,), unit_column=None))  # units checked just below
    if unit is None:
        if unit_col not in df.columns:
            raise HarmonizeError(f"{table}: no '{unit_col}' column and no unit given; units must be explicit")
        units = sorted(map(str, pd.unique(df[unit_col].dropna())))
        if len(units) != 1:
            raise HarmonizeError(f"{table}: column '{unit_col}' must hold one unit, found {units}")
        unit = units[0]
    elif unit_col in df.columns:
        other = sorted(set(map(str, df[unit_col].dropna())) - {unit})
        if other:
            raise HarmonizeError(f"{table}: column '{unit_col}' holds unit(s) {other}, expected {unit!r}")

    work = pd.DataFrame({
        "region": df[region_col].astype(str).to_numpy(),
        "sector": df[sector_col].map(normalise_sector).to_numpy(),
        "year": pd.to_numeric(df[year_col]).astype("int64").to_numpy(),
        **({"size_class": df[size_class_col].astype(str).to_numpy()} if size_class_col else {}),
        "value": pd.to_numeric(df[value_col]).astype(float).to_numpy(),
        "flag": (df[flag_col].fillna("").astype(str).to_numpy() if flag_col and flag_col in df.columns
                 else np.full(len(df), "", dtype=object)),
    })
    keys = ["region", "sector", "year", *(["size_class"] if size_class_col else [])]

    if country is not None:
        work = work[work["region"].str.startswith(country)]
        if work.empty:
            raise HarmonizeError(f"{table}: no region codes of country {country!r} in column '{region_col}'")
    if drop_extra_regio:
        work = work[~is_extra_regio(work["region"])]
    excluded_levels = 0
    if region_level is not None:
        lv = nuts_code_level(work["region"]) == region_level
        excluded_levels = int((~lv).sum())
        work = work[lv]
        if work.empty:
            raise HarmonizeError(f"{table}: no region codes of NUTS level {region_level} in column '{region_col}'")

    if years is not None:
        work = work[(work["year"] >= years[0]) & (work["year"] <= years[1])]
        if work.empty:
            raise HarmonizeError(f"{table}: no rows in years {years[0]}-{years[1]} (column '{year_col}')")

    if isinstance(sectors, str):
        work = _derive_sectors(work, sector_set_derivations(sectors), keys, table)

    # additivity of the published aggregates (before selection)
    other_keys = [k for k in keys if k != "sector"]
    pmap = additive_parent_map(work["sector"].unique())
    if pmap:
        add = children_sum_report(work, HierarchyRule("sector", "value", pmap, by=tuple(other_keys),
                                                      atol=additivity_atol))
        bad = add[add["status"] == "mismatch"]
        if len(bad):
            raise HarmonizeError(
                f"{table}: published sector aggregates do not add up (atol={additivity_atol}): "
                f"{bad[[*other_keys, 'parent', 'parent_value', 'children_sum']].head(5).values.tolist()}")
    else:
        add = pd.DataFrame(columns=[*other_keys, "parent", "status"])

    size_add = pd.DataFrame(columns=["region", "sector", "year", "parent", "status"])
    kept_sizes: tuple[str, ...] = ()
    excluded_sizes: tuple[str, ...] = ()
    if size_class_col:
        present_sizes = sorted(work["size_class"].unique())
        parts = [c for c in present_sizes if c != size_total]
        if parts and size_total in present_sizes:
            size_add = children_sum_report(work, HierarchyRule("size_class", "value", {c: size_total for c in parts},
                                                               by=("region", "sector", "year"), atol=additivity_atol))
            bad = size_add[size_add["status"] == "mismatch"]
            if len(bad):
                raise HarmonizeError(
                    f"{table}: size classes {parts} do not add up to '{size_total}' (atol={additivity_atol}): "
                    f"{bad[['region', 'sector', 'year', 'parent_value', 'children_sum']].head(5).values.tolist()}")
        if size_classes is None:
            kept_sizes = tuple(parts) if parts else (size_total,)
        else:
            kept_sizes = tuple(str(c) for c in size_classes)
            unknown = sorted(set(kept_sizes) - set(present_sizes))
            if unknown:
                raise HarmonizeError(f"{table}: size class(es) {unknown} not in column '{size_class_col}' "
                                     f"(present: {present_sizes})")
            if size_total in kept_sizes and len(kept_sizes) > 1:
                raise HarmonizeError(f"{table}: size classes {list(kept_sizes)} overlap ('{size_total}' contains "
                                     "the others) and would be double counted")
        excluded_sizes = tuple(c for c in present_sizes if c not in kept_sizes)
        work = work[work["size_class"].isin(kept_sizes)]

    # sector selection
    if isinstance(sectors, str):
        set_name, codes = sectors, sector_set(sectors)
    else:
        set_name, codes = "custom", tuple(normalise_sector(c) for c in sectors)
        check_non_overlapping(codes, name=f"{table}: sector list")
    present = set(work["sector"])
    missing_sectors = tuple(c for c in codes if c not in present)
    if len(missing_sectors) == len(codes):
        raise HarmonizeError(f"{table}: none of the sectors of set {set_name!r} {list(codes)} is in column "
                             f"'{sector_col}' (present: {sorted(present)})")
    excluded = tuple(sorted(present - set(codes)))
    work = work[work["sector"].isin(codes)].copy()

    if nuts_version is not None:
        if nuts_versions is None:
            raise HarmonizeError("nuts_version given without nuts_versions (code lists per version)")
        work = flag_nuts_version(work, nuts_version, nuts_versions, code_col="region", flag_col="flag")

    nullv = work["value"].isna()
    work.loc[nullv, "flag"] = [";".join(x for x in (f, "not_published") if x) for f in work.loc[nullv, "flag"]]

    # gaps: full grid vs observed non-null cells
    dims = {k: sorted(work[k].unique()) for k in keys}
    dims["sector"] = [c for c in codes if c in present]
    if complete:  # every requested sector and year must be there
        dims["sector"] = list(codes)
        if years is not None:
            dims["year"] = list(range(years[0], years[1] + 1))
    grid = pd.MultiIndex.from_product([dims[k] for k in keys], names=keys).to_frame(index=False)
    obs = work.loc[work["value"].notna(), keys]
    gaps = grid.merge(obs, on=keys, how="left", indicator=True)
    gaps = gaps[gaps["_merge"] == "left_only"].drop(columns="_merge")
    gaps = gaps.merge(work[keys + ["flag"]], on=keys, how="left")
    gaps["reason"] = np.where(gaps["flag"].isna(), "absent", "not_published")
    gaps = gaps.drop(columns="flag").reset_index(drop=True)

    if complete and len(gaps):
        raise HarmonizeError(
            f"{table}: column '{value_col}': {len(gaps)} cell(s) of the selected grid are absent or unpublished, "
            f"e.g. {gaps.head(5).to_dict('records')}")
    dropped: tuple[str, ...] = ()
    if balanced:
        dropped = tuple(sorted(gaps["region"].unique()))
        work = work[~work["region"].isin(dropped)]
        if work.empty:
            raise HarmonizeError(f"{table}: no region is observed in every sector × year cell; "
                                 f"cannot balance (gaps: {gaps.head(5).values.tolist()})")

    work["unit"] = unit
    work["vintage"] = str(vintage)
    panel = work[[*keys, "value", "unit", "flag", "vintage"]].sort_values(keys, kind="stable").reset_index(drop=True)
    panel["flag"] = panel["flag"].astype(object)
    validate(panel, panel_schema(unit, size_class=bool(size_class_col)))
    flags = pd.Series([f for s in panel["flag"] for f in s.split(";") if f]).value_counts()
    span = (int(panel["year"].min()), int(panel["year"].max())) if len(panel) else None
    report = PanelReport(
        sector_set=set_name, sectors=tuple(codes), excluded_sectors=excluded, missing_sectors=missing_sectors,
        region_level=region_level, excluded_rows_other_levels=excluded_levels,
        n_regions=int(panel["region"].nunique()), years=span, n_rows=len(panel), balanced=balanced,
        dropped_regions=dropped, gaps=gaps, sector_additivity=add, size_classes=kept_sizes,
        excluded_size_classes=excluded_sizes, size_additivity=size_add if size_class_col else None,
        flag_counts=flags.to_dict(), vintage=str(vintage),
    )
    return panel, report
