"""Municipality → local labour system (SLL, *sistema locale del lavoro*) aggregation.

ISTAT's SLL 2011 (611 systems) and SLL 2021 are groups of whole
municipalities defined by commuting flows (ISTAT, *I sistemi locali del
lavoro 2011*, 2014; *I sistemi locali 2021*). ISTAT's own SLL 2021 tables used
here (the municipality crosswalk and Frame-SBS 2023 Tav.42) list 515 systems.
Each municipality belongs to exactly one SLL, so a count aggregates exactly:
``value_sll = Σ_{m ∈ sll} value_m``. The correspondence table (municipality
code → SLL code, published by ISTAT with each SLL release) is read from a path
given by the caller: :func:`read_sll_correspondence` for a generic CSV,
:func:`read_sll2021_correspondence` for ISTAT's SLL 2021 crosswalk
(``istat_sll2021_comuni.csv``, via :mod:`i4districts.harmonize.istat`, which
also resolves municipality codes of other vintages).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from i4districts.harmonize import HarmonizeError
from i4districts.validation import TableSchema, validate

__all__ = ["aggregate_to_sll", "check_sll_correspondence", "read_sll2021_correspondence", "read_sll_correspondence"]

_FEW = 8


def _codes(s: pd.Series, width: int | None) -> pd.Series:
    out = s.astype("string").str.strip()
    out = out.str.replace(r"\.0$", "", regex=True)
    if width:
        out = out.str.zfill(width)
    return out.astype(object).where(out.notna(), None)


def check_sll_correspondence(corr: pd.DataFrame, *, source: str = "SLL correspondence") -> pd.DataFrame:
    """Check a ``municipality, sll`` table: non-null codes, each municipality once."""
    missing = [c for c in ("municipality", "sll") if c not in corr]
    if missing:
        raise HarmonizeError(f"{source}: missing column(s) {missing}")
    nulls = corr[corr["municipality"].isna() | corr["sll"].isna()]
    if len(nulls):
        raise HarmonizeError(f"{source}: null municipality or sll code at rows {list(nulls.index[:_FEW])}")
    dup = corr[corr.duplicated("municipality", keep=False)]
    if len(dup):
        raise HarmonizeError(f"{source}: column 'municipality' assigned to several SLL: "
                             f"{dup.sort_values('municipality').head(_FEW).values.tolist()}")
    return corr


def read_sll_correspondence(
    path: str | Path,
    *,
    municipality_col: str = "PRO_COM_T",
    sll_col: str = "SLL_2011",
    municipality_width: int | None = 6,
    sll_width: int | None = 4,
    sep: str | None = None,
) -> pd.DataFrame:
    """Read ISTAT's municipality → SLL table (CSV; ``;`` or ``,`` separated).

    Codes are read as text and left-padded with zeros (municipality: 6 digits,
    SLL: 4 digits, as ISTAT writes them). Returns ``municipality, sll``.
    """
    path = Path(path)
    raw = pd.read_csv(path, sep=sep, engine="python", dtype=str, encoding="utf-8-sig")
    missing = [c for c in (municipality_col, sll_col) if c not in raw.columns]
    if missing:
        raise HarmonizeError(f"{path}: missing column(s) {missing}; columns are {list(raw.columns)}")
    corr = pd.DataFrame({"municipality": _codes(raw[municipality_col], municipality_width),
                         "sll": _codes(raw[sll_col], sll_width)})
    return check_sll_correspondence(corr, source=str(path))


def read_sll2021_correspondence(path: str | Path) -> pd.DataFrame:
    """ISTAT's SLL 2021 crosswalk (``istat_sll2021_comuni.csv``) as a ``municipality, sll`` table.

    The full table (names, provinces, regions, main municipality) is
    :func:`i4districts.harmonize.istat.read_sll2021_crosswalk`.
    """
    from i4districts.harmonize.istat import read_sll2021_crosswalk

    corr = read_sll2021_crosswalk(path)[["municipality", "sll"]]
    return check_sll_correspondence(corr, source=str(path))


def aggregate_to_sll(
    df: pd.DataFrame,
    corr: pd.DataFrame,
    *,
    municipality_col: str = "region",
    sll_col: str = "region",
    value_cols: Sequence[str] = ("value",),
    by: Sequence[str] = (),
    table: str = "table",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sum municipal counts to SLL: ``value_sll = Σ_{m ∈ sll} value_m`` per ``by`` group.

    ``municipality_col`` holds the municipal codes of ``df`` (the vocabulary's
    ``region``); the SLL codes are written to ``sll_col`` (``region`` too by
    default, so the result is again a region-keyed table). Municipalities
    absent from the correspondence raise (they are never dropped). An SLL
    whose municipalities are not all present in a group gets flag
    ``incomplete``; a null municipal value makes the SLL value null.
    Returns ``(aggregated, report)``: ``aggregated`` has ``sll_col, *by,
    *value_cols, n_municipalities, flag``; ``report`` has ``sll_col, *by,
    n_expected, n_present, missing`` (first few missing municipality codes).
    """
    by, value_cols = list(by), list(value_cols)
    check_sll_correspondence(corr)
    missing = [c for c in [municipality_col, *by, *value_cols] if c not in df]
    if missing:
        raise HarmonizeError(f"{table}: missing column(s) {missing}")
    validate(df, TableSchema(name=table, keys=(municipality_col, *by),
                             columns={municipality_col: "any", **{b: "any" for b in by},
                                      **{v: "float" for v in value_cols}}))
    mapping = corr.set_index("municipality")["sll"]
    unknown = sorted(set(df[municipality_col]) - set(mapping.index), key=str)
    if unknown:
        raise HarmonizeError(f"{table}: column '{municipality_col}' has {len(unknown)} code(s) not in the SLL "
                             f"correspondence: {unknown[:_FEW]} (check the municipality vintage and zero padding)")
    work = df[[municipality_col, *by, *value_cols]].copy()
    work["_sll"] = work[municipality_col].map(mapping)
    for v in value_cols:
        work[f"_nan_{v}"] = work[v].isna().astype(int)
    g = work.groupby(["_sll", *by], dropna=False, sort=True)
    out = g[value_cols].sum(min_count=1)
    out = out.mask(g[[f"_nan_{v}" for v in value_cols]].sum().to_numpy() > 0)
    out["n_municipalities"] = g.size()
    out = out.reset_index()
    expected = corr.groupby("sll")["municipality"].apply(set)
    present = g[municipality_col].apply(set).reset_index(name="_present")
    rep = present.copy()
    rep["n_expected"] = rep["_sll"].map(expected.map(len)).astype(np.int64)
    rep["n_present"] = rep["_present"].map(len).astype(np.int64)
    rep["missing"] = [sorted(expected[s] - p, key=str)[:_FEW] for s, p in zip(rep["_sll"], rep["_present"])]
    rep = rep.drop(columns="_present").rename(columns={"_sll": sll_col})
    out = out.rename(columns={"_sll": sll_col})
    out["flag"] = np.where(rep["n_present"].to_numpy() < rep["n_expected"].to_numpy(), "incomplete", "")
    validate(out, TableSchema(name=f"{table} (SLL)", keys=(sll_col, *by),
                              columns={sll_col: "any", **{b: "any" for b in by}, **{v: "float" for v in value_cols},
                                       "n_municipalities": "int", "flag": "str"},
                              allowed={"flag": ("", "incomplete")}))
    return out, rep
