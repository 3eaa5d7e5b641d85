"""Education-based employment polarization from the Eurostat LFS (``lfst_r_lfe2eedu``).

Source: Eurostat, *Employment by sex, age, educational attainment level and
NUTS 2 regions (1 000)*, ``lfst_r_lfe2eedu`` (bulk TSV, legacy layout
``unit,sex,age,isced11,geo\\time``; values in thousands; 1999-2015 in the
reference file, NUTS 2013 codes).

Tiers (Eurostat's aggregated attainment codes):

==========  ==========  ================================================
tier        code        ISCED 2011 levels (ISCED 1997 levels)
==========  ==========  ================================================
``low``     ``ED0-2``   0-2: less than primary, primary, lower secondary
``middle``  ``ED3_4``   3-4: upper secondary, post-secondary non-tertiary
``high``    ``ED5-8``   5-8: tertiary (ISCED 1997 5-6)
==========  ==========  ================================================

**Classification change.** The LFS codes attainment in ISCED 2011 from 2014
and in ISCED 1997 before. Eurostat publishes both periods under the same
``ED`` aggregates, which bridge the two classifications at this level of
aggregation, although the allocation of some programmes changed (e.g. ISCED
1997 3C short programmes; see Eurostat's LFS metadata); the 2014 tier cells
carry the break flag ``b``, so a change over 2013-2014 is shown as crossing a
break (``breaks`` column of :func:`education_polarization`). Other ``b`` years
for Italy and Spain in the reference file: 2004-2005 for Italy (the
continuous LFS), 2001 and 2005 for Spain (EPA revisions).

**Shares.** ``value`` is the tier's share of the employed *with known
attainment*: ``E_tier / (E_low + E_middle + E_high)``. The no-response
category ``NRP`` is excluded from the denominator (it is published for a
handful of regions and years only; ``coverage`` reports
``(E_low + E_middle + E_high) / TOTAL`` where ``TOTAL`` is published).

**Flags** (Eurostat letters, per cell; several letters may be glued, e.g. ``bu``):

* ``:`` (not available) and ``c`` (confidential) are *no value*: the cell is
  NaN, never zero, even if a number is printed next to ``c``;
* a share is computed only when all three tiers of the region-year have a
  value; otherwise it is NaN and ``flag`` names the missing tier(s)
  (``missing:middle``) and ``complete`` is False;
* ``u`` (low reliability) values are kept; because every share depends on all
  three tiers (through the denominator) the output's ``flag`` holds the union
  of the letters of the three cells and ``low_reliability`` is True when any
  of them is ``u``; ``source_flag`` keeps the tier cell's own letters;
* ``b`` (break in series) likewise sets ``series_break``.

**Polarization per region** (:func:`education_polarization`, changes in
percentage points between two years, via
:func:`~i4districts.indicators.polarization.tier_share_changes`):

* ``hollowing_out = -change_middle``: the fall of the middle tier's share,
  the job-polarization measure of Goos, Manning & Salomons (2009, *AER P&P*
  99(2); 2014, *AER* 104(8), Table 2 and Fig. 1), applied here to attainment
  tiers instead of wage-ranked occupations;
* ``polarization_index = min(change_low, change_high) - change_middle``:
  positive iff the middle tier did worse than *both* tails (a U-shaped change
  across the ordered tiers); ``pattern`` classifies the shape of the change
  as ``polarization`` (U), ``upgrading`` (increasing in the tier),
  ``downgrading`` (decreasing) or ``middle-growth`` (inverted U), following
  the upgrading/polarization typology of Fernández-Macías (2012, *Work and
  Occupations* 39(2)) and Oesch & Rodríguez Menés (2011, *Socio-Economic
  Review* 9(3)). With attainment tiers the dominant pattern is upgrading
  (younger, more educated cohorts), so ``polarized`` (GMS's absolute
  criterion: middle falls, both tails rise) is rare.

**Spatial polarization** (:func:`education_spatial_polarization`): the
Esteban-Ray index, Gini and CV of the regional tier shares across the regions
of each country, weighted by employment with known attainment, per tier x
year, via :func:`~i4districts.indicators.spatial.spatial_polarization`.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ._core import IndicatorInputError, require_columns
from .polarization import TIERS, tier_share_changes
from .spatial import spatial_polarization

#: tier -> Eurostat attainment code of ``lfst_r_lfe2eedu`` (column ``isced11``)
EDUCATION_TIERS: dict[str, str] = {"low": "ED0-2", "middle": "ED3_4", "high": "ED5-8"}
#: published total and no-response codes (NRP is excluded from the share denominator)
TOTAL_CODE = "TOTAL"
NO_RESPONSE_CODE = "NRP"
SHARE_UNIT = "share of employed with known attainment"


def read_lfs_education(path: str | Path) -> pd.DataFrame:
    """Read ``lfst_r_lfe2eedu`` in the vocabulary: a bulk TSV (``.tsv``/``.tsv.gz``) or a fetched/tidy Parquet.

    TSV is parsed with the project's parser
    (:func:`i4districts.fetch.parsers.parse_body`); both are converted with
    :func:`i4districts.vocabulary.to_vocabulary` (columns region, year, value,
    unit, flag, sex, age, isced11).
    """
    from i4districts import io
    from i4districts.vocabulary import to_vocabulary

    path = Path(path)
    name = path.name.lower()
    if name.endswith((".tsv.gz", ".tsv")):
        from i4districts.fetch.parsers import parse_body

        raw = path.read_bytes()
        if name.endswith(".gz"):
            raw = gzip.decompress(raw)
        df = parse_body(raw, "tsv", what=path.name)
    else:
        df = io.read_parquet(path)
    return to_vocabulary(df, table=str(path))


def _letters(flags: pd.Series) -> pd.Series:
    """Eurostat flag letters of each cell as a sorted string (``'b;u'``/``'bu'`` -> ``'bu'``)."""
    s = flags.astype(object).where(flags.notna(), "").astype(str)
    return s.map(lambda f: "".join(sorted(set(f.replace(";", "").replace(" ", "")))))


def select_nuts(regions: pd.Series, countries: Iterable[str] | None, level: int | None) -> np.ndarray:
    """Mask of NUTS codes of the given countries (2-letter prefixes) and level; extra-regio ``..Z`` codes dropped."""
    r = regions.astype(str)
    mask = ~r.str.endswith("Z")
    if countries is not None:
        mask &= r.str[:2].isin([c.upper() for c in countries])
    if level is not None:
        mask &= r.str.len() == 2 + level
    return mask.to_numpy()


def education_tier_shares(
    table: pd.DataFrame,
    *,
    countries: Iterable[str] | None = ("IT", "ES"),
    nuts_level: int | None = 2,
    sex: str = "T",
    age: str = "Y25-64",
    unit: str = "THS",
    region: str = "region",
    time: str = "year",
    value: str = "value",
    flag: str = "flag",
    education: str = "isced11",
) -> pd.DataFrame:
    """Employment shares by attainment tier per region × year, flags respected (module docstring).

    ``table``: ``lfst_r_lfe2eedu`` in the vocabulary (see
    :func:`read_lfs_education`). Selection: ``sex`` (``T`` both), ``age``
    (default ``Y25-64``: attainment is mostly final by 25; ``Y15-64`` or
    ``Y_GE15`` are the alternatives), ``unit``, the NUTS ``countries`` and
    ``nuts_level`` (``None`` keeps all).

    Returns one row per region × year × tier (tiers ordered low, middle, high):
    region, time, ``tier``, ``value`` (share, NaN unless all three tiers are
    published), ``employment`` (the tier's employment in thousands, NaN if not
    published), ``employment_known`` (sum of the three tiers), ``coverage``,
    ``unit``, ``flag`` (``;``-separated: letters of the three tier cells, then
    ``missing:<tier>``), ``source_flag`` (the tier cell's letters),
    ``complete``, ``low_reliability``, ``series_break``.
    """
    name = "lfe2eedu"
    require_columns(table, [region, time, value, flag, education, "sex", "age", "unit"], name)
    sel = (
        (table["sex"].astype(str) == sex).to_numpy()
        & (table["age"].astype(str) == age).to_numpy()
        & (table["unit"].astype(str) == unit).to_numpy()
        & select_nuts(table[region], countries, nuts_level)
    )
    codes = [*EDUCATION_TIERS.values(), TOTAL_CODE]
    df = table.loc[sel & table[education].astype(str).isin(codes).to_numpy(), [region, time, education, value, flag]]
    if df.empty:
        raise IndicatorInputError(
            f"{name}: no rows for sex={sex!r}, age={age!r}, unit={unit!r}, countries={countries}, "
            f"NUTS level {nuts_level} and attainment codes {codes}"
        )
    df = df.assign(**{education: df[education].astype(str), region: df[region].astype(str)})
    dup = df.duplicated([region, time, education], keep=False)
    if dup.any():
        raise IndicatorInputError(
            f"{name}: duplicate rows for ({region}, {time}, {education}), e.g.\n{df.loc[dup].head(5).to_string()}"
        )
    letters = _letters(df[flag])
    v = pd.to_numeric(df[value], errors="raise").astype(float)
    v = v.where(~letters.str.contains("c", regex=False))  # confidential: no value, whatever is printed
    if (v < 0).any():
        raise IndicatorInputError(f"{name}: negative employment in column {value!r}")
    df = df.assign(_v=v.to_numpy(), _f=letters.to_numpy())
    wide_v = df.pivot(index=[region, time], columns=education, values="_v")
    wide_f = df.pivot(index=[region, time], columns=education, values="_f")
    # every region-year seen gets every tier (an absent row is an unpublished cell)
    regions = wide_v.index.get_level_values(0).unique().sort_values()
    times = wide_v.index.get_level_values(1).unique().sort_values()
    full = pd.MultiIndex.from_product([regions, times], names=[region, time])
    wide_v = wide_v.reindex(index=full, columns=codes)
    wide_f = wide_f.reindex(index=full, columns=codes).fillna("")
    tier_codes = list(EDUCATION_TIERS.values())
    V = wide_v[tier_codes].to_numpy(dtype=float)
    F = wide_f[tier_codes].to_numpy(dtype=object)
    have = np.isfinite(V)
    complete = have.all(axis=1)
    known = np.where(complete, np.nansum(V, axis=1), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(complete[:, None] & (known[:, None] > 0), V / known[:, None], np.nan)
        total = wide_v[TOTAL_CODE].to_numpy(dtype=float)
        coverage = np.where(total > 0, known / total, np.nan)
    union = ["".join(sorted(set("".join(row)))) for row in F]
    missing_tokens = [";".join(f"missing:{t}" for t, h in zip(TIERS, row) if not h) for row in have]
    flag_rg = np.array(
        [";".join(x for x in (";".join(u), m) if x) for u, m in zip(union, missing_tokens)], dtype=object
    )
    n = len(full)
    k = len(TIERS)
    out = pd.DataFrame(
        {
            region: np.repeat(full.get_level_values(0).to_numpy(dtype=object), k),
            time: np.repeat(full.get_level_values(1).to_numpy(), k),
            "tier": np.tile(np.array(TIERS, dtype=object), n),
            "value": share.ravel(),
            "employment": V.ravel(),
            "employment_known": np.repeat(known, k),
            "coverage": np.repeat(coverage, k),
            "unit": SHARE_UNIT,
            "flag": np.repeat(flag_rg, k),
            "source_flag": F.ravel(),
            "complete": np.repeat(complete, k),
            "low_reliability": np.repeat(np.array(["u" in u for u in union]), k),
            "series_break": np.repeat(np.array(["b" in u for u in union]), k),
        }
    )
    out["tier"] = pd.Categorical(out["tier"], categories=list(TIERS), ordered=True)
    return out


def education_shares_wide(shares: pd.DataFrame, *, region: str = "region", time: str = "year") -> pd.DataFrame:
    """Long shares of :func:`education_tier_shares` -> one row per region × year with ``share_<tier>`` columns."""
    require_columns(shares, [region, time, "tier", "value"], "shares")
    w = shares.pivot(index=[region, time], columns="tier", values="value")
    w = w.reindex(columns=list(TIERS))
    w.columns = [f"share_{t}" for t in TIERS]
    return w.reset_index()


def education_polarization(
    shares: pd.DataFrame, *, start: int, end: int, region: str = "region", time: str = "year"
) -> pd.DataFrame:
    """Long changes of the attainment-tier shares and polarization per region (module docstring).

    Columns: region, ``start``, ``end``, ``change_low, change_middle,
    change_high`` (percentage points, via :func:`tier_share_changes`),
    ``polarized``, ``hollowing_out``, ``polarization_index``, ``pattern``,
    ``breaks`` (years in ``(start, end]`` whose cells carry ``b``, ``;``-
    separated: the change crosses them), ``low_reliability`` (a ``u`` cell at
    ``start`` or ``end``), ``complete`` (shares at both ends).
    """
    require_columns(shares, [region, time, "tier", "value", "series_break", "low_reliability"], "shares")
    wide = education_shares_wide(shares, region=region, time=time)
    ch = tier_share_changes(wide, start=start, end=end, region=region, time=time)
    lo, mid, hi = (ch[f"change_{t}"].to_numpy(dtype=float) for t in TIERS)
    ch.insert(1, "start", start)
    ch.insert(2, "end", end)
    ch["hollowing_out"] = -mid
    ch["polarization_index"] = np.minimum(lo, hi) - mid
    pattern = np.select(
        [(mid < lo) & (mid < hi), (lo < mid) & (mid < hi), (lo > mid) & (mid > hi), (mid > lo) & (mid > hi)],
        ["polarization", "upgrading", "downgrading", "middle-growth"],
        default="flat",
    )
    ch["pattern"] = np.where(np.isnan(mid), None, pattern)
    per = shares.drop_duplicates([region, time])
    inside = per[(per[time] > start) & (per[time] <= end) & per["series_break"]]
    brk = inside.groupby(region)[time].agg(lambda s: ";".join(str(x) for x in sorted(s)))
    ch["breaks"] = ch[region].map(brk).fillna("").to_numpy()
    ends = per[per[time].isin([start, end])]
    ch["low_reliability"] = ch[region].map(ends.groupby(region)["low_reliability"].any()).fillna(False).to_numpy()
    ch["complete"] = ~np.isnan(mid)
    return ch


def education_spatial_polarization(
    shares: pd.DataFrame,
    *,
    by_country: bool = True,
    alpha: float = 1.0,
    region: str = "region",
    time: str = "year",
) -> pd.DataFrame:
    """Esteban-Ray, Gini and CV of the regional tier shares across regions, per (country ×) tier × year.

    Weights: employment with known attainment (thousands). Region-years
    without a complete share are left out and counted in ``n_incomplete``.
    Columns: (``country``), ``tier``, time, ``esteban_ray``, ``mean``,
    ``gini``, ``cv``, ``n_regions``, ``n_incomplete``.
    """
    require_columns(shares, [region, time, "tier", "value", "employment_known"], "shares")
    df = shares.assign(tier=shares["tier"].astype(str))
    by: list[str] = ["tier", time]
    if by_country:
        df = df.assign(country=df[region].astype(str).str[:2])
        by = ["country", *by]
    ok = df["value"].notna() & (df["employment_known"] > 0)
    if not ok.any():
        raise IndicatorInputError("shares: no complete region-year to compare")
    out = spatial_polarization(df.loc[ok], value="value", weight="employment_known", by=by, alpha=alpha)
    miss = df.loc[~ok].groupby(by).size().rename("n_incomplete")
    out = out.merge(miss, left_on=by, right_index=True, how="left")
    out["n_incomplete"] = out["n_incomplete"].fillna(0).astype(int)
    return out


def education_polarization_tables(
    table: pd.DataFrame,
    *,
    countries: Sequence[str] | None = ("IT", "ES"),
    start: int | None = None,
    end: int | None = None,
    **kw: object,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Shares (:func:`education_tier_shares`) and, when ``start``/``end`` are given, the changes."""
    shares = education_tier_shares(table, countries=countries, **kw)
    if start is None and end is None:
        return shares, None
    if start is None or end is None:
        raise IndicatorInputError("give both start and end years for the long changes")
    return shares, education_polarization(shares, start=start, end=end)
