"""Vintages as comparable tables of cells (vocabulary columns, one declared unit).

Readers:

* :func:`cells_from_fetched` -- a tidy table of the fetch layer (a vintage's
  ``data.parquet``): dimensions renamed to the vocabulary (``geo`` → ``region``,
  ``nace_r2`` → ``sector``, ``time`` → ``year`` when annual), the flag columns
  joined into ``flag``;
* :func:`cells_from_datacommons` -- the Data Commons re-publication of
  ``nama_10r_3empers`` (``Date, GeoId, Count_Person_Employed_NACE/<group>``,
  persons, no flags): the dimensions it implies are declared (``freq`` ``A``;
  ``wstatus`` ``EMP``: ``Count_Person_Employed`` is employment, Eurostat's
  ``EMP``), sector codes are spelled as Eurostat does (Data Commons' ``M-N`` is
  Eurostat's ``M_N``), values are whole persons (the file's float noise
  rounded away, :func:`i4districts.sample.tidy_nama_10r_3empers`) and ``flag``
  is missing (the re-publication dropped Eurostat's flags: unknown, not "none");
* :func:`read_cells` -- any local file (Data Commons CSV, Eurostat bulk TSV,
  optionally gzipped, a tidy CSV/Parquet) or a vintage id of the cache.

Units are converted only on request and only by a declared factor
(:data:`UNIT_FACTORS`): Eurostat's ``THS`` (thousand persons) is 1000 persons.
"""

from __future__ import annotations

import gzip
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from i4districts.errors import InputError, first_few
from i4districts.fetch.parsers.common import FLAG_COLUMNS as FETCH_FLAGS
from i4districts.fetch.parsers.tsv import parse_tsv
from i4districts.io import read_table
from i4districts.sample import tidy_nama_10r_3empers
from i4districts.vocabulary import FLAG, REGION, SECTOR, UNIT, VALUE, VINTAGE, YEAR, to_vocabulary

__all__ = [
    "DATACOMMONS_DIMENSIONS", "DATACOMMONS_SECTORS", "UNIT_FACTORS", "cells_from_datacommons",
    "cells_from_fetched", "convert_unit", "read_cells",
]

#: unit code -> (unit, factor): ``value_in_unit = value * factor``. Eurostat codes: THS / THS_PER =
#: thousand persons, PS = persons (Eurostat code list UNIT).
UNIT_FACTORS: Mapping[str, tuple[str, float]] = {
    "THS": ("persons", 1000.0),
    "THS_PER": ("persons", 1000.0),
    "PS": ("persons", 1.0),
    "persons": ("persons", 1.0),
}
#: Dimensions that the Data Commons layout implies but does not carry (annual employment, persons).
DATACOMMONS_DIMENSIONS: Mapping[str, str] = {"freq": "A", "wstatus": "EMP"}
#: Data Commons sector spelling -> Eurostat's ``nace_r2`` code (others are the same).
DATACOMMONS_SECTORS: Mapping[str, str] = {"M-N": "M_N"}


def cells_from_fetched(table: pd.DataFrame, *, source: str = "fetched table") -> pd.DataFrame:
    """Vocabulary cells of a fetch-layer tidy table (dimensions + ``time``, ``value``, flags, ``vintage_id``)."""
    t = table.drop(columns=[c for c in ("vintage_id",) if c in table.columns])
    flags = [c for c in FETCH_FLAGS if c in t.columns]
    try:
        out = to_vocabulary(t, table=source)
    except InputError:  # non-annual periods: keep them as text under ``period``
        out = to_vocabulary(t.rename(columns={"time": "period"}), table=source)
    if not flags and FLAG not in t.columns:  # a table without flag columns: flags unknown, not "none"
        out[FLAG] = pd.array([pd.NA] * len(out), dtype="string")
    return out.drop(columns=[c for c in (VINTAGE,) if c in out.columns])


def cells_from_datacommons(raw: pd.DataFrame, *, source: str = "Data Commons CSV") -> pd.DataFrame:
    """Vocabulary cells of the Data Commons ``nama_10r_3empers`` CSV (persons; see module docstring)."""
    tidy = tidy_nama_10r_3empers(raw, source=source)
    out = pd.DataFrame({
        **{dim: pd.Series(code, index=tidy.index, dtype="string") for dim, code in DATACOMMONS_DIMENSIONS.items()},
        REGION: tidy["geo"].astype("string"),
        SECTOR: tidy["nace"].replace(dict(DATACOMMONS_SECTORS)).astype("string"),
        YEAR: tidy["year"].astype("int64"),
        VALUE: tidy["employment"].astype("Float64").astype("float64"),
        UNIT: pd.Series("persons", index=tidy.index, dtype="string"),
        FLAG: pd.array([pd.NA] * len(tidy), dtype="string"),
    })
    return out.reset_index(drop=True)


def convert_unit(cells: pd.DataFrame, unit: str, *, source: str = "table") -> pd.DataFrame:
    """Values converted to ``unit`` by the declared factors (:data:`UNIT_FACTORS`); refuses any other unit."""
    if UNIT not in cells.columns:
        raise InputError(f"{source}: no 'unit' column: the unit of its values is not stated, cannot convert "
                         f"to {unit!r}")
    codes = cells[UNIT].astype(str)
    known = {c: UNIT_FACTORS[c] for c in codes.unique() if c in UNIT_FACTORS and UNIT_FACTORS[c][0] == unit}
    bad = sorted(set(codes.unique()) - set(known) - {unit})
    if bad:
        raise InputError(f"{source}: column 'unit' holds {bad}, which have no declared conversion to {unit!r} "
                         f"(declared: {sorted(UNIT_FACTORS)})")
    factor = codes.map(lambda c: known[c][1] if c in known else 1.0).to_numpy(dtype="float64")
    out = cells.copy()
    out[VALUE] = out[VALUE].to_numpy(dtype="float64") * factor
    out[UNIT] = pd.Series(unit, index=out.index, dtype="string")
    return out


def _read_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def _looks_like_vintage_id(text: str) -> bool:
    parts = text.split("/")
    return len(parts) == 4 and all(p and p not in (".", "..") for p in parts)


def read_cells(path_or_vintage: str | Path, *, unit: str | None = None, cache: str | Path | None = None
               ) -> tuple[pd.DataFrame, str]:
    """Cells of a local file or a cached vintage, and a label naming it.

    Recognised: the Data Commons CSV (header ``Date,GeoId,...``), a Eurostat
    bulk SDMX-TSV (``.tsv`` or ``.tsv.gz``, first header cell ``dims\\TIME``), a
    tidy CSV/Parquet (fetch-layer or vocabulary columns), or a vintage id
    ``source/dataset/hash/timestamp`` under ``cache`` (default ``I4D_CACHE`` or
    ``results/raw``). With ``unit`` the values are converted to it.
    """
    text = str(path_or_vintage)
    p = Path(text)
    if not p.exists() and _looks_like_vintage_id(text):
        from i4districts.fetch.settings import FetchSettings
        from i4districts.fetch.vintage import VintageStore

        root = FetchSettings.resolve(mode="offline", cache=cache, mirror=None).cache
        v = VintageStore(root).get(text)
        v.verify()
        cells, label = cells_from_fetched(v.read_table(), source=f"vintage {text}"), f"vintage {text}"
    elif not p.is_file():
        raise InputError(f"{p}: file not found (nor a vintage id source/dataset/hash/timestamp)")
    else:
        label = str(p)
        data = _read_bytes(p)
        first = data[:4096].decode("utf-8-sig", errors="replace").splitlines()[0] if data else ""
        if "\\" in first.split("\t")[0] and "\t" in first:
            cells = cells_from_fetched(parse_tsv(data, what=str(p)), source=str(p))
        elif first.startswith("Date,GeoId"):
            cells = cells_from_datacommons(pd.read_csv(p), source=str(p))
        else:
            df = read_table(p)
            cells = cells_from_fetched(df, source=str(p))
    if unit is not None:
        before = sorted(set(cells[UNIT].astype(str))) if UNIT in cells.columns else []
        cells = convert_unit(cells, unit, source=label)
        if before != [unit]:
            factors = ", ".join(f"{u} x {UNIT_FACTORS[u][1]:g}" for u in before if u in UNIT_FACTORS)
            label += f" ({factors} -> {unit})"
    if VALUE not in cells.columns:
        raise InputError(f"{label}: no value column (value/employment/obs_value); found {list(cells.columns)}")
    if cells[VALUE].dtype == object:
        cells[VALUE] = pd.to_numeric(cells[VALUE], errors="coerce")
    if not np.issubdtype(cells[VALUE].dtype, np.floating):
        cells[VALUE] = cells[VALUE].astype("float64")
    odd = [c for c in cells.columns if cells[c].isna().all() and c not in (VALUE, FLAG)]
    if odd:
        raise InputError(f"{label}: column(s) {first_few(odd)} hold no value at all")
    return cells, label
