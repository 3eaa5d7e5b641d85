"""The embedded default sample: Eurostat ``nama_10r_3empers`` for Italy.

Employment (persons) by NUTS 2016 region (country to NUTS-3) and NACE Rev.2
A*10 group, as re-published by datacommonsorg/data. The package ships a tidy
Parquet copy derived by :func:`tidy_nama_10r_3empers`; the default workflow
runs on it with no network access. Source: Eurostat, nama_10r_3empers.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from i4districts.errors import InputError
from i4districts.validation import TableSchema, validate

ATTRIBUTION = "Source: Eurostat, nama_10r_3empers"
SAMPLE_FILE = "data/it_nama_10r_3empers.parquet"
TOTAL = "TOTAL"
_COLUMN_PREFIX = "Count_Person_Employed_NACE/"
_TOTAL_COLUMN = "Count_Person_Employed"
_GEO_PREFIX = "dcid:nuts/"
SAMPLE_COLUMNS = ["geo", "nace", "year", "nuts_level", "employment", "unit", "obs_flag"]
SAMPLE_SCHEMA = TableSchema(
    name="employment sample (nama_10r_3empers)",
    keys=("geo", "nace", "year"),
    columns={"geo": "str", "nace": "str", "year": "int", "nuts_level": "int", "employment": "int",
             "unit": "str", "obs_flag": "str"},
    non_negative=("employment",),
    units={"employment": "persons"},
    allowed={"obs_flag": ("", ":")},
    strict=True,
)


class SampleFormatError(InputError):
    """The source CSV does not have the expected layout; the message names file and field."""


def tidy_nama_10r_3empers(raw: pd.DataFrame, *, source: str = "<frame>") -> pd.DataFrame:
    """Reshape the Data Commons wide CSV to a tidy long table keyed by (geo, nace, year).

    Values are rounded to whole persons (the re-publication carries float noise
    such as ``129699.99999999999``). Unpublished cells stay as rows with
    missing ``employment`` and ``obs_flag`` ``":"`` (Eurostat's "not
    available"), never zero. Overlapping NACE aggregates (B-E ⊃ C, G-J = G-I + J,
    K-N, O-U) are kept as published; selecting a non-overlapping set is the
    panel step's job.
    """
    required = {"Date", "GeoId", _TOTAL_COLUMN}
    missing = sorted(required - set(raw.columns))
    if missing:
        raise SampleFormatError(f"{source}: missing column(s) {missing}")
    bad_geo = raw.loc[~raw["GeoId"].astype(str).str.startswith(_GEO_PREFIX), "GeoId"]
    if len(bad_geo):
        raise SampleFormatError(
            f"{source}: field GeoId: values without prefix {_GEO_PREFIX!r}: {bad_geo.unique()[:5].tolist()}"
        )
    value_columns = {c: c.removeprefix(_COLUMN_PREFIX) for c in raw.columns if c.startswith(_COLUMN_PREFIX)}
    value_columns[_TOTAL_COLUMN] = TOTAL
    long = raw.rename(columns=value_columns).melt(
        id_vars=["Date", "GeoId"], value_vars=list(value_columns.values()), var_name="nace", value_name="value"
    )
    values = pd.to_numeric(long["value"], errors="coerce")
    negative = long.loc[values < 0]
    if len(negative):
        raise SampleFormatError(
            f"{source}: negative employment in {len(negative)} cell(s), e.g. "
            f"{negative[['Date', 'GeoId', 'nace', 'value']].head(3).to_dict('records')}"
        )
    geo = long["GeoId"].str.removeprefix(_GEO_PREFIX)
    out = pd.DataFrame(
        {
            "geo": geo.astype("string"),
            "nace": long["nace"].astype("string"),
            "year": long["Date"].astype("int64"),
            "nuts_level": (geo.str.len() - 2).astype("int64"),
            "employment": pd.array(np.round(values.to_numpy()), dtype="Int64"),
            "unit": pd.Series("persons", index=long.index, dtype="string"),
            "obs_flag": pd.Series(np.where(values.isna(), ":", ""), index=long.index, dtype="string"),
        }
    )
    return validate(out.sort_values(["geo", "nace", "year"], ignore_index=True), SAMPLE_SCHEMA, source=source)


def read_nama_10r_3empers_csv(path: str | Path) -> pd.DataFrame:
    """Read and tidy the Data Commons CSV of ``nama_10r_3empers`` (see :func:`tidy_nama_10r_3empers`)."""
    p = Path(path)
    if not p.is_file():
        raise SampleFormatError(f"{p}: source CSV not found")
    return tidy_nama_10r_3empers(pd.read_csv(p), source=str(p))


#: Embedded samples by country (NUTS-0 code): file inside the package, derived from the shared CSV named.
EMBEDDED_SAMPLES: dict[str, str] = {
    "IT": SAMPLE_FILE,
    "ES": "data/es_nama_10r_3empers.parquet",
}


def embedded_sample_path(country: str = "IT") -> Path:
    """Path of the Parquet sample of ``country`` shipped inside the package (IT or ES)."""
    if country not in EMBEDDED_SAMPLES:
        raise SampleFormatError(f"data.country: no embedded sample for {country!r}; embedded samples exist for "
                                f"{sorted(EMBEDDED_SAMPLES)} (use data.source: fetched for other countries)")
    return Path(str(resources.files("i4districts").joinpath(EMBEDDED_SAMPLES[country])))


def load_embedded_sample(country: str = "IT") -> pd.DataFrame:
    """The embedded sample of ``country`` as a tidy DataFrame (columns :data:`SAMPLE_COLUMNS`)."""
    return pd.read_parquet(embedded_sample_path(country))
