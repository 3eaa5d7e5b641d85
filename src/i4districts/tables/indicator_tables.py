"""Indicator tables: provinces and local labour systems ranked by their manufacturing location quotient.

* :func:`top_provinces_table` – the top ``n`` NUTS-3 provinces by the location quotient of a sector
  (default ``C``, manufacturing) in one year, from the long ``specialization`` table
  (``region, sector, year, indicator, value``; ``indicator = "lq"``,
  ``LQ_rs = (E_rs / E_r) / (E_s / E)``), with the province's prevailing ISTAT SLL 2021
  specialisation: the class (A "Made in Italy", B heavy industry, C non-manufacturing,
  D non-specialised) and the group with the largest share of the province's persons employed
  (from ``district_summary`` or ``district_shares``, :mod:`i4districts.indicators.district_shares`).
* :func:`top_sll_table` – the top ``n`` local labour systems of an SLL table (columns ``sll``,
  ``lq_manufacturing`` and, when present, ``sll_name``, ``region``, ``class``, ``group``,
  ``main_industry``).

Names are data, not code: province names from the shipped ISTAT province → NUTS table
(:func:`i4districts.harmonize.istat.read_province_nuts_map`), ISTAT class and group names from
ISTAT's specialisation file when given (:func:`group_names`), district-industry labels from
``harmonize/data/istat_district_groups.csv``; ``labels`` override any of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from i4districts.errors import InputError

from .notes import data_note, split_provenance
from .render import Cells, Column, Table, fmt_num

__all__ = ["CLASS_COLUMNS", "group_names", "industry_labels", "province_names", "top_provinces_table",
           "top_sll_table"]

#: district_summary columns holding the share of each ISTAT class.
CLASS_COLUMNS: dict[str, str] = {"A": "made_in_italy_share", "B": "heavy_industry_share",
                                 "C": "non_manufacturing_share", "D": "non_specialised_share"}


def province_names() -> dict[str, str]:
    """NUTS-3 code → province name (NUTS 2016 and 2021 codes), from the shipped ISTAT province table."""
    from i4districts.harmonize.istat import read_province_nuts_map

    m = read_province_nuts_map()
    out: dict[str, str] = {}
    for year in (2016, 2021):
        for code, name in zip(m[f"nuts{year}"], m[f"nuts{year}_name"]):
            if code and name:
                out.setdefault(str(code), str(name))
    return out


def group_names(path: str | Path) -> dict[str, str]:
    """ISTAT class and group code → name (``A`` → ``SL del "Made in Italy"``, ``A1`` → ...) from ISTAT's
    SLL 2021 specialisation file (:func:`i4districts.harmonize.istat.read_sll2021_specialisation`)."""
    from i4districts.harmonize.istat import read_sll2021_specialisation

    spec = read_sll2021_specialisation(path)
    out = dict(zip(spec["class"], spec["class_name"]))
    for code, name in zip(spec["group"], spec["group_name"]):
        out.setdefault(code, name[:1].upper() + name[1:])
    return out


def industry_labels() -> dict[str, str]:
    """District manufacturing group code → label (``TEX`` → ``Textile and clothing``), shipped data."""
    from i4districts.harmonize.sectors import district_groups

    t = district_groups()
    return dict(zip(t["group"], t["label"]))


def _coded(code: object, names: Mapping[str, str], share: float | None = None) -> str:
    if code is None or (isinstance(code, float) and code != code) or str(code) == "":
        return ""
    text = str(code)
    name = names.get(text)
    if name:
        text = f"{text} {name}"
    if share is not None and share == share:
        text += f" ({100 * share:.0f}%)"
    return text


def _classes(summary: pd.DataFrame | None, shares: pd.DataFrame | None,
             table: str) -> pd.DataFrame | None:
    """Per region: main class and its share, main group and its share."""
    if summary is not None:
        need = ["region", *CLASS_COLUMNS.values(), "dominant_group", "dominant_group_share"]
        missing = [c for c in need if c not in summary.columns]
        if missing:
            raise InputError(f"{table}: district summary lacks column(s) {missing}")
        s = summary.drop_duplicates("region")
        cls = s[list(CLASS_COLUMNS.values())].to_numpy(dtype=float)
        idx = cls.argmax(axis=1)
        codes = list(CLASS_COLUMNS)
        return pd.DataFrame({"region": s["region"].astype(str).to_numpy(), "class": [codes[i] for i in idx],
                             "class_share": cls[range(len(s)), idx], "group": s["dominant_group"].to_numpy(),
                             "group_share": s["dominant_group_share"].to_numpy(dtype=float)})
    if shares is not None:
        need = ["region", "level", "class", "share"]
        missing = [c for c in need if c not in shares.columns]
        if missing:
            raise InputError(f"{table}: district shares lack column(s) {missing}")
        if "nuts_version" in shares.columns and shares["nuts_version"].nunique() > 1:
            raise InputError(f"{table}: district shares hold several NUTS versions "
                             f"{sorted(shares['nuts_version'].unique())}; pass one")
        top = (shares.sort_values(["share", "class"], ascending=[False, True])
               .drop_duplicates(["region", "level"]).set_index(["region", "level"]))
        out = pd.DataFrame(index=pd.Index(sorted(shares["region"].astype(str).unique()), name="region"))
        for level, col in (("class", "class"), ("group", "group")):
            sub = top.xs(level, level="level") if level in top.index.get_level_values("level") else None
            out[col] = None if sub is None else sub["class"].reindex(out.index)
            out[f"{col}_share"] = float("nan") if sub is None else sub["share"].reindex(out.index).astype(float)
        return out.reset_index()
    return None


def top_provinces_table(
    specialization: pd.DataFrame,
    *,
    sector: str = "C",
    year: int | None = None,
    top: int = 10,
    indicator: str = "lq",
    summary: pd.DataFrame | None = None,
    shares: pd.DataFrame | None = None,
    names: Mapping[str, str] | None = None,
    class_names: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    digits: int = 2,
    name: str = "top_provinces",
    title: str | None = None,
    provenance: Sequence[str] = (),
    notes: Sequence[str] = (),
    table: str = "specialization",
) -> Table:
    """Top ``top`` provinces by the ``indicator`` (LQ) of ``sector`` in ``year`` (default: the latest),
    with their main ISTAT SLL 2021 class and group when ``summary`` or ``shares`` is given.

    ``names``: province names by NUTS code (default: the shipped ISTAT province table);
    ``class_names``: ISTAT class/group code → name (:func:`group_names`); ``labels`` (config
    ``tables.labels``) name the sector (``C``) or the whole LQ column (``lq_C``)."""
    need = ["region", "sector", "year", "indicator", "value"]
    missing = [c for c in need if c not in specialization.columns]
    if missing:
        raise InputError(f"{table}: missing column(s) {missing}; columns are {list(specialization.columns)}")
    if top < 1:
        raise InputError(f"{table}: top must be at least 1, got {top}")
    rows = specialization[(specialization["indicator"] == indicator) & (specialization["sector"].astype(str) == sector)]
    if rows.empty:
        raise InputError(f"{table}: no rows with indicator {indicator!r} and sector {sector!r}; sectors are "
                         f"{sorted(specialization['sector'].astype(str).unique())[:20]}")
    years = sorted(int(y) for y in rows["year"].unique())
    year = years[-1] if year is None else int(year)
    if year not in years:
        raise InputError(f"{table}: sector {sector!r} has no year {year}; years are {years}")
    rows = rows[rows["year"] == year].dropna(subset=["value"])
    ranked = rows.sort_values(["value", "region"], ascending=[False, True]).head(top).reset_index(drop=True)
    labels = dict(labels or {})
    names = {**province_names(), **dict(names or {})}
    classes = _classes(summary, shares, table)
    if classes is not None:
        ranked = ranked.merge(classes, on="region", how="left", validate="one_to_one")
    cells = Cells()
    for i, r in ranked.iterrows():
        key = str(r["region"])
        cells.add("top", key, "rank", str(i + 1), value=i + 1)
        cells.add("top", key, "region", key)
        cells.add("top", key, "name", names.get(key, ""))
        cells.add("top", key, "lq", fmt_num(r["value"], digits), value=r["value"])
        if classes is not None:
            cells.add("top", key, "class", _coded(r.get("class"), class_names or {}, r.get("class_share")),
                      value=r.get("class_share"))
            cells.add("top", key, "group", _coded(r.get("group"), class_names or {}, r.get("group_share")),
                      value=r.get("group_share"))
    lq_label = labels.get(f"{indicator}_{sector}", f"{indicator.upper()} {labels.get(sector, sector)}")
    columns = [Column("rank", "Rank"), Column("region", "Province", align="left"),
               Column("name", "Name", align="left"), Column("lq", lq_label)]
    if classes is not None:
        columns += [Column("class", "Main SLL class (share of employment)", align="left"),
                    Column("group", "Main SLL group (share of employment)", align="left")]
    out_notes = []
    data = data_note(provenance)
    if data:
        out_notes.append(data)
    out_notes.append(f"Sample: {rows['region'].nunique():,} provinces with a {indicator.upper()} for sector "
                     f"{sector} in {year}; the top {len(ranked)} shown.")
    if indicator == "lq":
        out_notes.append(f"LQ = (E_rs / E_r) / (E_s / E): the province's share of persons employed in sector "
                         f"{sector} over the country's (all provinces of the table as the reference).")
    if classes is not None:
        out_notes.append("Main SLL class/group: the ISTAT 2021 prevailing-specialisation class (A Made in Italy, "
                         "B heavy industry, C non-manufacturing, D non-specialised) and group of the local labour "
                         "systems holding the largest share of the province's persons employed (Frame-SBS 2023).")
    out_notes += split_provenance(provenance)[2]
    what = labels.get(sector, f"sector {sector}")
    return Table(name=name, title=title or f"Provinces with the highest {indicator.upper()} of {what}, {year}",
                 columns=tuple(columns), cells=cells.frame(), notes=(*out_notes, *notes))


SLL_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("sll", "SLL", "left"), ("sll_name", "Name", "left"), ("region", "Region", "left"),
    ("lq_manufacturing", "LQ manufacturing", "right"), ("class", "Class", "left"), ("group", "Group", "left"),
    ("main_industry", "Main industry", "left"),
)
"""Columns of the SLL table: input column, header, alignment (only those present are shown)."""


def top_sll_table(
    sll: pd.DataFrame,
    *,
    top: int = 10,
    year: int | None = None,
    class_names: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    digits: int = 2,
    name: str = "top_sll",
    title: str | None = None,
    provenance: Sequence[str] = (),
    notes: Sequence[str] = (),
    table: str = "sll table",
) -> Table:
    """Top ``top`` local labour systems by ``lq_manufacturing`` (ties by code); ISTAT class/group codes are
    shown with ``class_names`` (:func:`group_names`), district industries with their labels (shipped ISTAT
    district groups; ``labels`` override)."""
    missing = [c for c in ("sll", "lq_manufacturing") if c not in sll.columns]
    if missing:
        raise InputError(f"{table}: missing column(s) {missing}; columns are {list(sll.columns)}")
    if top < 1:
        raise InputError(f"{table}: top must be at least 1, got {top}")
    df = sll
    if "year" in df.columns:
        years = sorted(int(y) for y in df["year"].dropna().unique())
        year = years[-1] if year is None else int(year)
        if year not in years:
            raise InputError(f"{table}: no year {year}; years are {years}")
        df = df[df["year"] == year]
    if df["sll"].duplicated().any():
        raise InputError(f"{table}: SLL listed twice: {df.loc[df['sll'].duplicated(), 'sll'].head(5).tolist()}")
    df = df.dropna(subset=["lq_manufacturing"])
    ranked = df.assign(sll=df["sll"].astype(str)).sort_values(["lq_manufacturing", "sll"],
                                                              ascending=[False, True]).head(top)
    industries = {**industry_labels(), **dict(labels or {})}
    classes = dict(class_names or {})
    cols = [c for c in SLL_COLUMNS if c[0] in ranked.columns]
    cells = Cells()
    for i, (_, r) in enumerate(ranked.iterrows(), start=1):
        key = str(r["sll"])
        cells.add("top", key, "rank", str(i), value=i)
        for col, _, _ in cols:
            v = r[col]
            if col == "lq_manufacturing":
                cells.add("top", key, col, fmt_num(v, digits), value=v)
            elif col in ("class", "group"):
                cells.add("top", key, col, _coded(v, classes))
            elif col == "main_industry":
                cells.add("top", key, col, _coded(v, industries))
            else:
                cells.add("top", key, col, "" if pd.isna(v) else str(v))
    columns = (Column("rank", "Rank"), *[Column(c, h, align=a) for c, h, a in cols])
    out_notes = []
    data = data_note(provenance)
    if data:
        out_notes.append(data)
    when = f" in {year}" if year is not None else ""
    out_notes.append(f"Sample: {len(df):,} local labour systems (SLL 2021){when}; the top {len(ranked)} shown.")
    out_notes.append("LQ manufacturing = (E_r,C / E_r) / (E_C / E): the system's share of persons employed in "
                     "manufacturing over the country's.")
    if "main_industry" in ranked.columns:
        out_notes.append("Main industry: the ISTAT district manufacturing group with the highest LQ in the "
                         "system (step 3 of the ISTAT 2015 district method).")
    out_notes += split_provenance(provenance)[2]
    return Table(name=name, title=title or f"Local labour systems with the highest manufacturing LQ{when}",
                 columns=columns, cells=cells.frame(), notes=(*out_notes, *notes))
