"""ISTAT's 2011 census of industry and services: local units by municipality × ATECO × size class.

The full ISTAT/Sforzi district method (:func:`i4districts.indicators.districts.identify_districts`)
needs persons employed and local units by municipality (aggregated to SLL
2011), ATECO 2007 class or group, and size class of local unit — the inputs
ISTAT used for the 141 districts of 2011 (ISTAT 2015, *I distretti industriali
2011*). ISTAT disseminates the 9th census (reference date 31 December 2011) in
its .Stat data warehouse; its CSV export (ledger entry
``istat_cis2011_ul_comuni``) has the documented .Stat layout: for every
dimension a **code column followed by a label column**, then the period
(``TIME`` and ``Seleziona periodo``), ``Value``, ``Flag Codes`` and ``Flags``::

    "ITTER107","Territorio","TIPO_DATO_CIS","Tipo dato","ATECO_2007","Ateco 2007",
    "CLLVT","Classe di addetti","TIME","Seleziona periodo","Value","Flag Codes","Flags"

Dimensions are found by id among documented candidates (:data:`ROLES`), so
the SDMX-CSV export of the same data (``REF_AREA``, ``ECON_ACTIVITY_NACE_2007``,
``PERS_EMPL_SIZE_CLASS``, ``DATA_TYPE``, ``TIME_PERIOD``, ``OBS_VALUE``) reads too.

:func:`read_census2011` returns the tidy vocabulary: ``region`` (6-digit
municipality code), ``sector`` (ATECO code as published, dots removed),
``ateco_level`` (section/division/group/class), ``size_class`` (ISTAT classes
micro 1-9, small 10-49, medium 50-249, large 250+, from the census classes'
bounds), ``year``, ``value`` (persons employed, *addetti*), ``units`` (local
units), ``flag``. Census classes are summed into ISTAT classes; a class that
straddles an ISTAT bound is refused. Totals (all activities, all classes) are
checked against the details and dropped.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd

from i4districts.errors import InputError, first_few

__all__ = ["ROLES", "census_size_class", "finest_level", "read_census2011"]

#: role -> accepted dimension ids (case-insensitive), in order of preference.
ROLES: dict[str, tuple[str, ...]] = {
    "territory": ("ITTER107", "REF_AREA"),
    "data_type": ("TIPO_DATO_CIS", "TIPO_DATO", "DATA_TYPE"),
    "activity": ("ATECO_2007", "ECON_ACTIVITY_NACE_2007"),
    "size": ("CLLVT", "CLASSE_ADDETTI", "PERS_EMPL_SIZE_CLASS"),
    "time": ("TIME", "TIME_PERIOD"),
    "value": ("Value", "OBS_VALUE"),
}
_FLAG_COLUMNS = ("Flag Codes", "OBS_STATUS")
#: data-type code or label (lower case) -> measure
DATA_TYPES: dict[str, str] = {
    "numunitloc": "units", "num_unita_locali": "units", "lu": "units", "numero unità locali": "units",
    "numero di unità locali": "units", "unità locali": "units",
    "numaddloc": "value", "addetti": "value", "numero addetti": "value", "lueempdaa": "value",
    "luempdaa": "value", "numero addetti delle unità locali": "value",
}
_TOTAL_CODES = {"TOTAL", "TOT", "0010", "00"}
ISTAT_BOUNDS = (("micro", 0, 9), ("small", 10, 49), ("medium", 50, 249), ("large", 250, None))


def census_size_class(code: str, label: str = "") -> str | None:
    """ISTAT class of a census size class from its bounds (``None`` for the total).

    Bounds are read from the label when it has numbers (``"10-19"``,
    ``"1000 e più"``, ``"0 addetti"``), else from the code (``W10_19``,
    ``W_GE1000``). Raises ``ValueError`` if the class straddles ISTAT's bounds
    9|10, 49|50, 249|250 or has no bounds.
    """
    for text in (str(label), str(code)):
        t = text.strip().lower()
        if t.upper() in _TOTAL_CODES or t.startswith("total"):
            return None
        nums = [int(n) for n in re.findall(r"\d+", t)]
        if not nums:
            continue
        open_top = bool(re.search(r"ge|e più|e piu|\+|oltre|and over|more", t))
        lo, hi = nums[0], (None if open_top else nums[-1])
        for name, a, b in ISTAT_BOUNDS:
            if lo >= a and (b is None or (hi is not None and hi <= b)):
                return name
        raise ValueError(f"size class {code!r} ({label!r}) straddles ISTAT's classes 1-9/10-49/50-249/250+")
    raise ValueError(f"size class {code!r} ({label!r}): no bounds in label or code")


def _ateco_level(code: str) -> str:
    c = code.replace(".", "")
    if re.fullmatch(r"[A-U]", c):
        return "section"
    return {2: "division", 3: "group", 4: "class"}.get(len(c), "other") if c.isdigit() else "other"


def finest_level(table: pd.DataFrame) -> pd.DataFrame:
    """Rows of the finest ATECO level present for manufacturing (non-overlapping activities).

    Manufacturing (divisions 10–33) at that level; every other activity at
    division level (or section where divisions are absent), so the activities
    do not overlap.
    """
    levels = ["class", "group", "division"]
    manuf = table["sector"].str[:2].isin([f"{d:02d}" for d in range(10, 34)]) & table["ateco_level"].isin(levels)
    present = [lv for lv in levels if ((table["ateco_level"] == lv) & manuf).any()]
    if not present:
        raise InputError("census 2011 table: no manufacturing activity at division level or finer")
    fine = table[manuf & (table["ateco_level"] == present[0])]
    other_levels = ["division", "section"]
    rest = table[~table["sector"].str[:2].isin([f"{d:02d}" for d in range(10, 34)])
                 & (table["sector"] != "C")]
    for lv in other_levels:
        part = rest[rest["ateco_level"] == lv]
        if len(part):
            return pd.concat([fine, part], ignore_index=True)
    return fine.reset_index(drop=True)


def _find(columns: list[str], role: str, path: Path) -> str:
    lower = {c.lower(): c for c in columns}
    for cand in ROLES[role]:
        if cand.lower() in lower:
            return lower[cand.lower()]
    raise InputError(f"{path}: no {role} column (expected one of {list(ROLES[role])}); columns are {columns[:14]}")


def _read_csv(path: Path) -> pd.DataFrame:
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "latin-1"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;|\t")
        sep = dialect.delimiter
    except csv.Error:
        sep = ","
    from io import StringIO

    return pd.read_csv(StringIO(text), sep=sep, dtype=str, keep_default_na=False)


def read_census2011(path: str | Path) -> pd.DataFrame:
    """Tidy census 2011 local units and persons employed (module docstring)."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: census 2011 file not found (fetch it: i4d fetch get istat_cis2011_ul_comuni)")
    df = _read_csv(p)
    if df.empty:
        raise InputError(f"{p}: no rows")
    cols = list(df.columns)
    c = {role: _find(cols, role, p) for role in ROLES}
    labels = {role: cols[cols.index(c[role]) + 1] if cols.index(c[role]) + 1 < len(cols) else None
              for role in ("data_type", "size")}
    flag_col = next((f for f in _FLAG_COLUMNS if f in cols), None)
    territory = df[c["territory"]].str.strip()
    df = df[territory.str.fullmatch(r"\d{6}")].copy()
    if df.empty:
        raise InputError(f"{p}: field {c['territory']} has no municipality codes (6 digits, e.g. 001272)")
    dt_code = df[c["data_type"]].str.strip()
    dt_label = df[labels["data_type"]].str.strip() if labels["data_type"] else dt_code
    measure = dt_code.str.lower().map(DATA_TYPES).fillna(dt_label.str.lower().map(DATA_TYPES))
    if measure.isna().any():
        bad = sorted(set(dt_code[measure.isna()]))
        raise InputError(f"{p}: field {c['data_type']} has unknown data types {first_few(bad)} "
                         f"(expected local units and persons employed: {sorted(set(DATA_TYPES))[:6]}...)")
    size_label = df[labels["size"]] if labels["size"] else df[c["size"]]
    pairs = sorted(set(zip(df[c["size"]], size_label)))
    size_map = {}
    for code, label in pairs:
        try:
            size_map[code] = census_size_class(code, label)
        except ValueError as exc:
            raise InputError(f"{p}: field {c['size']}: {exc}") from None
    value = pd.to_numeric(df[c["value"]].str.replace(r"[\s.]", "", regex=True).str.replace(",", "."),
                          errors="coerce")
    if value.isna().any():
        bad = sorted(set(df.loc[value.isna(), c["value"]]))
        raise InputError(f"{p}: field {c['value']} has non-numeric values {first_few(bad)}")
    tidy = pd.DataFrame({
        "region": df[c["territory"]].str.strip(),
        "sector": df[c["activity"]].str.strip().str.replace(".", "", regex=False),
        "size_class": df[c["size"]].map(size_map),
        "year": pd.to_numeric(df[c["time"]], errors="coerce"),
        "measure": measure,
        "v": value,
        "flag": df[flag_col].str.strip() if flag_col else "",
    })
    if tidy["year"].isna().any():
        raise InputError(f"{p}: field {c['time']} has non-numeric periods {first_few(sorted(set(df[c['time']])))}")
    tidy["year"] = tidy["year"].astype("int64")
    key = ["region", "sector", "size_class", "year", "measure"]
    detail = tidy[tidy["size_class"].notna() & ~tidy["sector"].isin(_TOTAL_CODES)]
    grouped = detail.groupby(key, as_index=False).agg(v=("v", "sum"), flag=("flag", lambda f: ";".join(
        sorted({x for x in f if x}))))
    _check_totals(tidy, detail, p)
    wide = grouped.pivot_table(index=["region", "sector", "size_class", "year"], columns="measure", values="v",
                               aggfunc="sum").reset_index()
    wide.columns.name = None
    for m in ("value", "units"):
        if m not in wide:
            raise InputError(f"{p}: no {'persons employed' if m == 'value' else 'local units'} rows")
    flags = grouped.groupby(["region", "sector", "size_class", "year"])["flag"].agg(
        lambda f: ";".join(sorted({x for s in f for x in s.split(";") if x})))
    wide = wide.merge(flags.reset_index(), on=["region", "sector", "size_class", "year"], how="left")
    wide["ateco_level"] = wide["sector"].map(_ateco_level)
    wide["unit"] = "persons"
    return wide[["region", "sector", "ateco_level", "size_class", "year", "value", "units", "unit", "flag"]]


def _check_totals(tidy: pd.DataFrame, detail: pd.DataFrame, p: Path) -> None:
    """Where a municipality's all-classes total of an activity is published, the classes must add up to it."""
    tot = tidy[tidy["size_class"].isna() & ~tidy["sector"].isin(_TOTAL_CODES)]
    if tot.empty:
        return
    keys = ["region", "sector", "year", "measure"]
    s = detail.groupby(keys)["v"].sum()
    t = tot.groupby(keys)["v"].sum()
    both = t.index.intersection(s.index)
    off = (t[both] - s[both]).abs()
    off = off[off > 0.5]
    if len(off):
        raise InputError(f"{p}: size classes do not add up to the published totals for {len(off)} cell(s), "
                         f"e.g. {[tuple(i) for i in off.index[:3]]}")
