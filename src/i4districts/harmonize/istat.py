"""ISTAT geography as data: SLL 2021 crosswalk, SLL specialisation, Frame-SBS 2023 tables.

Readers (files are read in place, from the caller's path):

* :func:`read_sll2021_crosswalk` – ``istat_sll2021_comuni.csv``: every
  municipality (7,894) → its 2021 local labour system (515), with province and
  region codes. The municipality codes are those of ISTAT's SITUAS report at
  download time (2025): they already carry Sardinia's 2025 province reform and
  the 2024–2025 mergers in Lombardy and Veneto.
* :func:`read_sll2021_specialisation` – the prevailing productive
  specialisation of each SLL 2021 (ISTAT 2021): class ``A`` "Made in Italy",
  ``B`` heavy industry, ``C`` non-manufacturing, ``D`` non-specialised, and
  group ``A1..A6, B1..B6, C1..C4, D1``.
* :func:`read_frame_sbs_municipalities` / :func:`read_frame_sbs_sll` – the
  statistical appendix of ISTAT Frame-SBS territoriale 2023 (``Tav.39``–``41``
  every municipality: total, industry, services; ``Tav.42``–``43`` every SLL
  2021). Cells suppressed for confidentiality (``*``) are kept as missing
  (``NaN``) with ``suppressed = True``; they are never read as zero. In Tav.42
  and Tav.43 the labels of the first two columns are swapped in the original
  (the column headed "Ripartizione" holds the region, "Regione" the macro
  area); the readers name them by their content.

The Frame-SBS 2023 municipal tables use the municipality codes of 2023, so 388
of their codes are unknown to the (2025) crosswalk. :func:`resolve_municipalities`
resolves every one of them by the documented rules below and returns a report;
:func:`aggregate_municipalities_to_sll` sums the municipal counts to SLL 2021
and :func:`validate_against_sll_totals` checks them against ISTAT's own SLL
totals of Tav.42.

Resolution rules for a Frame-SBS 2023 code ``m`` unknown to the crosswalk
(applied in this order; ``targets`` = crosswalk codes absent from the Frame-SBS
table, i.e. the codes created after 2023; names are compared after
:func:`normalise_name` – case, accents, apostrophes, hyphens):

1. ``recoded`` – exactly one target in the same region has the same name: the
   municipality was recoded with its name unchanged (Sardinia's 2025 province
   reform: 377; Sovizzo, which absorbed Gambugliano and got a new code).
2. ``merged_name`` – the new municipality's name contains a word (4+ letters)
   of the old name, in the same province: e.g. Ronago and Uggiate-Trevano →
   Uggiate con Ronago; Castegnero and Nanto → Castegnero Nanto.
3. ``merged_sll`` – exactly one target in the same province lies in the SLL
   that the Frame-SBS table itself gives the old municipality (its column
   "Denominazione Sistema Locale"): e.g. Carceri and Vighizzolo d'Este →
   Santa Caterina d'Este; Alano di Piave and Quero Vas → Setteville.
4. ``sll_only`` – several or no candidate successors: the SLL is taken from the
   Frame-SBS label (matched to the crosswalk's SLL names in the same region),
   the successor municipality is reported as not identified (e.g. Gambugliano,
   absorbed by Sovizzo; Lirio, absorbed by an existing municipality).
5. otherwise ``unresolved`` (reported; aggregation then refuses to run).

Every resolution is checked against the Frame-SBS SLL label
(``sll_label_agrees``). On the real files: 388 unknown codes, 378 ``recoded``
(377 in Sardinia, plus Sovizzo), 5 ``merged_name``, 3 ``merged_sll``, 2
``sll_only`` (Gambugliano, Lirio), 0 unresolved; all 7,900 placements agree with
the Frame-SBS SLL label; local units summed to SLL equal Tav.42 for all 515
SLLs. Source: ISTAT, CC BY 4.0 ("Fonte: Istat").
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from i4districts.harmonize import HarmonizeError

__all__ = [
    "COUNT_COLUMNS",
    "FRAME_SBS_FILE",
    "SLL_CROSSWALK_FILE",
    "SLL_SPECIALISATION_FILE",
    "NUTS_GEOJSON",
    "PROVINCE_NAME_SYNONYMS",
    "PROVINCE_NUTS_FILE",
    "aggregate_municipalities_to_sll",
    "build_province_nuts_map",
    "read_province_nuts_map",
    "normalise_name",
    "read_frame_sbs_municipalities",
    "read_frame_sbs_sll",
    "read_sll2021_crosswalk",
    "read_sll2021_specialisation",
    "resolve_municipalities",
    "same_label",
    "validate_against_sll_totals",
]

SLL_CROSSWALK_FILE = "istat_sll/istat_sll2021_comuni.csv"
SLL_SPECIALISATION_FILE = "istat_sll/istat_sll2021_specializzazione_prevalente.csv"
FRAME_SBS_FILE = "istat_sll/Appendice_Statistica_Frame_territoriale_2023.xlsx"

#: The additive count columns of the Frame-SBS tables (source label → name).
COUNT_COLUMNS: dict[str, str] = {
    "Numero unità locali": "local_units",
    "Addetti": "persons_employed",
    "Dipendenti": "employees",
    "Retribuzioni  (migliaia di euro)": "wages_keur",
    "Costo del lavoro (migliaia di euro)": "labour_cost_keur",
    "Valore aggiunto  (migliaia di euro)": "value_added_keur",
    "Fatturato (migliaia di euro)": "turnover_keur",
    "Acquisti di beni e servizi (migliaia di euro)": "purchases_keur",
}
_SUPPRESSED = "*"
_MUNICIPAL_TABLES = {39: "total", 40: "industry", 41: "services"}


# --------------------------------------------------------------------------- names


def normalise_name(name: object) -> str:
    """Comparable municipality/province name: no accents, lower case, one space, ``'`` and ``-`` → space."""
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = re.sub(r"[’'`\-/.,()]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def same_label(a: object, b: object) -> bool:
    """Same SLL label, allowing a bilingual suffix (``BOLZANO`` ≡ ``BOLZANO/BOZEN``,
    ``SAN GIOVANNI DI FASSA`` ≡ ``SAN GIOVANNI DI FASSA-SÈN JAN``)."""
    na, nb = normalise_name(a), normalise_name(b)
    return bool(na) and bool(nb) and (na == nb or nb.startswith(na + " ") or na.startswith(nb + " "))


def _words(name: object) -> set[str]:
    return {w for w in normalise_name(name).split() if len(w) >= 4}


# --------------------------------------------------------------------------- CSV readers


def _need_file(path: str | Path) -> Path:
    path = Path(path)
    if not path.is_file():
        raise HarmonizeError(f"ISTAT file not found: {path}")
    return path


def read_sll2021_crosswalk(path: str | Path) -> pd.DataFrame:
    """Read ``istat_sll2021_comuni.csv``: municipality → SLL 2021.

    Returns ``municipality`` (6-character code), ``municipality_name``, ``sll``
    (4-character code), ``sll_name``, ``province`` (ISTAT UTS code, 3
    characters; metropolitan cities 2xx/3xx), ``province_name``, ``region``
    (2-character ISTAT region code of the municipality), ``is_main`` (the
    SLL's main municipality), ``sll_region`` and ``sll_metropolitan``. Checks:
    each municipality once, 6-digit codes, one main municipality per SLL.
    """
    path = _need_file(path)
    raw = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    need = ["COD_SLL", "DEN_SLL", "PRO_COM_T", "COMUNE", "CC_SLL", "COD_REG_COM", "COD_UTS_COM",
            "DEN_UTS_COM", "COD_REG_SLL", "SLL_MET"]
    missing = [c for c in need if c not in raw]
    if missing:
        raise HarmonizeError(f"{path}: missing column(s) {missing}; columns are {list(raw.columns)}")
    out = pd.DataFrame({
        "municipality": raw["PRO_COM_T"].str.strip().str.zfill(6),
        "municipality_name": raw["COMUNE"].str.strip(),
        "sll": raw["COD_SLL"].str.strip().str.zfill(4),
        "sll_name": raw["DEN_SLL"].str.strip(),
        "province": raw["COD_UTS_COM"].str.strip().str.zfill(3),
        "province_name": raw["DEN_UTS_COM"].str.strip(),
        "region": raw["COD_REG_COM"].str.strip().str.zfill(2),
        "is_main": raw["CC_SLL"].str.strip() == "1",
        "sll_region": raw["COD_REG_SLL"].str.strip().str.zfill(2),
        "sll_metropolitan": raw["SLL_MET"].str.strip() == "1",
    })
    bad = out.loc[~out["municipality"].str.fullmatch(r"\d{6}"), "municipality"]
    if len(bad):
        raise HarmonizeError(f"{path}: malformed municipality code(s) {bad.head(8).tolist()}")
    dup = out.loc[out["municipality"].duplicated(keep=False), "municipality"]
    if len(dup):
        raise HarmonizeError(f"{path}: municipality code(s) listed twice: {sorted(set(dup))[:8]}")
    mains = out.groupby("sll")["is_main"].sum()
    if (mains != 1).any():
        raise HarmonizeError(f"{path}: SLL without exactly one main municipality: {mains[mains != 1].index[:8].tolist()}")
    return out


def read_sll2021_specialisation(path: str | Path) -> pd.DataFrame:
    """Read ISTAT's prevailing specialisation of the SLL 2021.

    Returns ``sll, sll_name, class, class_name, group, group_name, population,
    area_km2``; ``class`` ∈ {A, B, C, D}, ``group`` ∈ {A1..A6, B1..B6, C1..C4, D1}.
    """
    path = _need_file(path)
    raw = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    need = ["cod_sll_2021", "den_sll_2021", "cod_classe", "den_classe", "cod_gruppo", "den_gruppo",
            "pop_31_12_2021", "sup_km2_01_01_2021"]
    missing = [c for c in need if c not in raw]
    if missing:
        raise HarmonizeError(f"{path}: missing column(s) {missing}; columns are {list(raw.columns)}")
    out = pd.DataFrame({
        "sll": raw["cod_sll_2021"].str.strip().str.zfill(4),
        "sll_name": raw["den_sll_2021"].str.strip(),
        "class": raw["cod_classe"].str.strip(),
        "class_name": raw["den_classe"].str.strip(),
        "group": raw["cod_gruppo"].str.strip(),
        "group_name": raw["den_gruppo"].str.strip(),
        "population": pd.to_numeric(raw["pop_31_12_2021"]).astype("int64"),
        "area_km2": pd.to_numeric(raw["sup_km2_01_01_2021"]).astype(float),
    })
    if out["sll"].duplicated().any():
        raise HarmonizeError(f"{path}: SLL listed twice: {out.loc[out['sll'].duplicated(), 'sll'].tolist()[:8]}")
    bad = out[~out["class"].isin(list("ABCD")) | (out["group"].str[0] != out["class"])]
    if len(bad):
        raise HarmonizeError(f"{path}: class/group codes not in A..D or inconsistent: "
                             f"{bad[['sll', 'class', 'group']].head(8).values.tolist()}")
    return out


# --------------------------------------------------------------------------- Frame-SBS workbook


@functools.lru_cache(maxsize=16)
def _sheet_cached(path: str, mtime: float, table: int) -> pd.DataFrame:
    names = pd.ExcelFile(path, engine="openpyxl").sheet_names
    pattern = re.compile(rf"^Tav\.\s*{table}(?!\d)")
    hits = [n for n in names if pattern.match(n)]
    if len(hits) != 1:
        raise HarmonizeError(f"{path}: no single sheet for Tav.{table} (sheets: {names})")
    # keep_default_na=False: "None" is a municipality (Torino, 001168), not a missing value
    return pd.read_excel(path, sheet_name=hits[0], header=None, dtype=object, engine="openpyxl",
                         keep_default_na=False, na_values=[""])


def _sheet(path: str | Path, table: int) -> pd.DataFrame:
    path = _need_file(path)
    try:
        return _sheet_cached(str(path.resolve()), path.stat().st_mtime, table).copy()
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise HarmonizeError(f"reading {path} needs the 'openpyxl' package ({exc})") from exc


def _header_row(raw: pd.DataFrame, path: Path, table: int) -> int:
    first = raw.iloc[:, 0].astype(str).str.strip()
    rows = np.flatnonzero(first.to_numpy() == "Ripartizione")
    if not len(rows):
        raise HarmonizeError(f"{path}: Tav.{table}: header row ('Ripartizione') not found")
    return int(rows[0])


def _counts(block: pd.DataFrame, labels: Sequence[str], path: Path, table: int) -> tuple[pd.DataFrame, pd.Series]:
    """Convert count columns: ``*`` → NaN (suppressed), empty → NaN, numbers → float; anything else raises."""
    out = {}
    suppressed = pd.Series(False, index=block.index)
    for label in labels:
        col = block[label]
        is_supp = col.astype(str).str.strip() == _SUPPRESSED
        num = pd.to_numeric(col.where(~is_supp), errors="coerce")
        bad = num.isna() & ~is_supp & col.notna()
        if bad.any():
            raise HarmonizeError(f"{path}: Tav.{table} column {label!r}: non-numeric cell(s) "
                                 f"{col[bad].head(5).tolist()}")
        out[COUNT_COLUMNS[label]] = num.astype(float)
        suppressed |= is_supp
    return pd.DataFrame(out, index=block.index), suppressed


def read_frame_sbs_municipalities(path: str | Path, table: int = 39) -> pd.DataFrame:
    """Read a municipal table of the Frame-SBS 2023 appendix (Tav.39 total, 40 industry, 41 services).

    Returns ``municipality, municipality_name, region, region_name,
    province_name, sll_name, is_capital, macro_sector`` and the counts
    ``local_units, persons_employed, employees, wages_keur, labour_cost_keur,
    value_added_keur, turnover_keur, purchases_keur`` (float; suppressed cells
    ``NaN``; a few empty cells of the monetary columns of Tav.40 are ``NaN`` too,
    not flagged), and ``suppressed`` (any count cell of the row is ``*``: in
    Tav.39, 122 rows for persons employed and employees, 244 rows in all). Codes are
    the 2023 municipality codes. Ratio columns (indicators) are not read.
    """
    if table not in _MUNICIPAL_TABLES:
        raise HarmonizeError(f"Frame-SBS municipal tables are {sorted(_MUNICIPAL_TABLES)}, not {table}")
    path = Path(path)
    raw = _sheet(path, table)
    h = _header_row(raw, path, table)
    block = raw.iloc[h + 1:].copy()
    block.columns = [str(c).strip() if c is not None else f"_{i}" for i, c in enumerate(raw.iloc[h])]
    block.columns = [c if c in COUNT_COLUMNS else c.replace("  ", " ") for c in block.columns]
    code = block["Codice Comune Istat"]
    block = block[code.notna() & code.astype(str).str.strip().str.fullmatch(r"\d{1,6}")]
    counts, suppressed = _counts(block, list(COUNT_COLUMNS), path, table)
    out = pd.DataFrame({
        "municipality": block["Codice Comune Istat"].astype(str).str.strip().str.zfill(6),
        "municipality_name": block["Denominazione Comune"].astype(str).str.strip(),
        "region": block["Codice Regione"].astype(str).str.strip().str.zfill(2),
        "region_name": block["Denominazione Regione"].astype(str).str.strip(),
        "province_name": block["Denominazione Unità territoriale sovracomunale"].astype(str).str.strip(),
        "sll_name": block["Denominazione Sistema Locale"].astype(str).str.strip(),
        "is_capital": block["Flag Capoluogo"].astype(str).str.strip() == "1",
        "macro_sector": _MUNICIPAL_TABLES[table],
    })
    out = pd.concat([out, counts], axis=1)
    out["suppressed"] = suppressed.to_numpy()
    if out["municipality"].duplicated().any():
        raise HarmonizeError(f"{path}: Tav.{table}: municipality listed twice: "
                             f"{out.loc[out['municipality'].duplicated(), 'municipality'].tolist()[:8]}")
    if out["local_units"].isna().any():
        raise HarmonizeError(f"{path}: Tav.{table}: local units suppressed or missing for "
                             f"{out.loc[out['local_units'].isna(), 'municipality'].tolist()[:8]}")
    return out.reset_index(drop=True)


def read_frame_sbs_sll(path: str | Path, table: int = 42) -> pd.DataFrame:
    """Read the SLL 2021 table of the Frame-SBS 2023 appendix.

    ``table=42`` (total) returns ``sll, sll_name, region_name, macro_area,
    macro_sector="total"`` and the count columns of
    :func:`read_frame_sbs_municipalities` plus ``suppressed``; ``table=43``
    returns the same in long form with ``macro_sector`` ∈ {industry,
    services}. The first two columns are named by their content (their labels
    are swapped in the original). The ``ITALIA`` total row is not returned.
    """
    if table not in (42, 43):
        raise HarmonizeError(f"Frame-SBS SLL tables are 42 and 43, not {table}")
    path = Path(path)
    raw = _sheet(path, table)
    h = _header_row(raw, path, table)
    ident = {0: "region_name", 1: "macro_area", 2: "sll", 3: "sll_name"}
    labels = list(COUNT_COLUMNS)
    if table == 42:
        header = [str(c).strip() if c is not None else "" for c in raw.iloc[h]]
        parts = [("total", {header.index(lab): lab for lab in labels})]
        start = h + 1
    else:
        top = raw.iloc[h].tolist()
        sub = [str(c).strip() if c is not None else "" for c in raw.iloc[h + 1]]
        starts = {str(v).strip().lower(): i for i, v in enumerate(top) if isinstance(v, str)}
        parts = []
        for key, name in (("industria", "industry"), ("servizi", "services")):
            if key not in starts:
                raise HarmonizeError(f"{path}: Tav.43: block {key.upper()} not found in the header")
            s = starts[key]
            parts.append((name, {s + sub[s:].index(lab): lab for lab in labels}))
        start = h + 2
    body = raw.iloc[start:]
    code = body.iloc[:, 2].astype(str).str.strip()
    body = body[code.str.fullmatch(r"\d{3,4}")]
    frames = []
    for name, cols in parts:
        block = pd.DataFrame({lab: body.iloc[:, i] for i, lab in cols.items()})
        counts, suppressed = _counts(block, labels, path, table)
        out = pd.DataFrame({v: body.iloc[:, k].astype(str).str.strip() for k, v in ident.items()})
        out["sll"] = out["sll"].str.zfill(4)
        out["macro_sector"] = name
        out = pd.concat([out, counts], axis=1)
        out["suppressed"] = suppressed.to_numpy()
        frames.append(out)
    out = pd.concat(frames, ignore_index=True)
    if out.duplicated(["sll", "macro_sector"]).any():
        raise HarmonizeError(f"{path}: Tav.{table}: SLL listed twice")
    return out


# --------------------------------------------------------------------------- resolution


def resolve_municipalities(frame: pd.DataFrame, crosswalk: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Map every municipality of a Frame-SBS 2023 table onto the SLL 2021 crosswalk.

    ``frame`` has ``municipality, municipality_name, region, sll_name`` (as
    read by :func:`read_frame_sbs_municipalities`); ``crosswalk`` is
    :func:`read_sll2021_crosswalk`. Returns ``(resolved, report)``:
    ``resolved`` = ``frame`` plus ``successor`` (crosswalk municipality code,
    ``None`` where not identified), ``sll``, ``status`` (``known``,
    ``recoded``, ``merged_name``, ``merged_sll``, ``sll_only``,
    ``unresolved``); ``report`` lists every municipality whose code the
    crosswalk does not know: ``municipality, municipality_name, region,
    province_prefix, frame_sll_name, status, successor, successor_name,
    candidates, sll, sll_name, sll_label_agrees``. Rules: see the module
    docstring. No row is dropped.
    """
    need = ["municipality", "municipality_name", "region", "sll_name"]
    missing = [c for c in need if c not in frame]
    if missing:
        raise HarmonizeError(f"Frame-SBS table: missing column(s) {missing}")
    cw = crosswalk.set_index("municipality")
    out = frame.copy()
    out["successor"] = out["municipality"].where(out["municipality"].isin(cw.index))
    out["status"] = np.where(out["successor"].notna(), "known", "")
    out["candidates"] = ""
    out["sll"] = out["successor"].map(cw["sll"])
    targets = cw[~cw.index.isin(frame["municipality"])].copy()
    targets["_norm"] = targets["municipality_name"].map(normalise_name)
    targets["_prefix"] = targets.index.str[:3]
    sll_names = crosswalk.drop_duplicates("sll")
    # The province of the old code: its 3-digit prefix, mapped to the crosswalk's prefix where the
    # same province kept it (Lombardy, Veneto); Sardinia's reform changed the prefixes (rule 1 only).
    unknown = out.index[out["status"] == ""]
    used: set[str] = set()
    # rule 1: same name, same region
    for i in unknown:
        row = out.loc[i]
        hit = targets[(targets["region"] == row["region"])
                      & (targets["_norm"] == normalise_name(row["municipality_name"]))]
        if len(hit) == 1:
            out.loc[i, ["successor", "status"]] = [hit.index[0], "recoded"]
            used.add(hit.index[0])
        elif len(hit) > 1:
            out.loc[i, "candidates"] = ";".join(hit.index)
    # rules 2-4 for the rest
    for i in out.index[out["status"] == ""]:
        row = out.loc[i]
        prefix = row["municipality"][:3]
        local = targets[(targets["region"] == row["region"]) & (targets["_prefix"] == prefix)]
        words = _words(row["municipality_name"])
        by_name = local[[bool(words & _words(n)) for n in local["municipality_name"]]]
        if len(by_name) == 1:
            out.loc[i, ["successor", "status"]] = [by_name.index[0], "merged_name"]
            continue
        label = row["sll_name"]
        by_sll = local[[same_label(n, label) for n in local["sll_name"]]]
        if len(by_sll) == 1:
            out.loc[i, ["successor", "status"]] = [by_sll.index[0], "merged_sll"]
            continue
        out.loc[i, "candidates"] = ";".join(by_sll.index)
        labelled = sll_names[[same_label(n, label) for n in sll_names["sll_name"]]]
        sll_hit = labelled[labelled["sll_region"] == row["region"]]
        if len(sll_hit) != 1:  # SLLs may cross regional borders: try all regions
            sll_hit = labelled
        if len(sll_hit) == 1:
            out.loc[i, ["sll", "status"]] = [sll_hit["sll"].iloc[0], "sll_only"]
        else:
            out.loc[i, "status"] = "unresolved"
    has_succ = out["successor"].notna()
    out.loc[has_succ, "sll"] = out.loc[has_succ, "successor"].map(cw["sll"])
    sll_name_of = crosswalk.drop_duplicates("sll").set_index("sll")["sll_name"]
    out["sll_label_agrees"] = [
        (isinstance(s, str) and same_label(sll_name_of.get(s, ""), lab))
        for s, lab in zip(out["sll"], out["sll_name"])
    ]
    rep = out[out["status"] != "known"].copy()
    report = pd.DataFrame({
        "municipality": rep["municipality"],
        "municipality_name": rep["municipality_name"],
        "region": rep["region"],
        "province_prefix": rep["municipality"].str[:3],
        "frame_sll_name": rep["sll_name"],
        "status": rep["status"],
        "successor": rep["successor"],
        "successor_name": rep["successor"].map(cw["municipality_name"]),
        "candidates": rep["candidates"],
        "sll": rep["sll"],
        "sll_name": rep["sll"].map(sll_name_of),
        "sll_label_agrees": rep["sll_label_agrees"],
    }).reset_index(drop=True)
    resolved = out.drop(columns=["candidates"])
    resolved["successor"] = resolved["successor"].astype(object).where(resolved["successor"].notna(), None)
    return resolved, report


# --------------------------------------------------------------------------- aggregation and validation


def aggregate_municipalities_to_sll(
    resolved: pd.DataFrame, *, value_cols: Sequence[str] = ("local_units", "persons_employed", "employees"),
) -> pd.DataFrame:
    """Sum resolved municipal counts to SLL 2021: ``x_sll = Σ_{m ∈ sll} x_m`` over published cells.

    ``resolved`` is the first output of :func:`resolve_municipalities`.
    Suppressed cells (``NaN``) are not counted as zero: the result gives, per
    value column, the sum of the published cells ``<col>`` and the number of
    suppressed cells ``<col>_n_suppressed``. Returns ``sll,
    n_municipalities, <col>, <col>_n_suppressed...``. Refuses unresolved rows.
    """
    bad = resolved[resolved["sll"].isna()]
    if len(bad):
        raise HarmonizeError(f"{len(bad)} municipality code(s) could not be placed in an SLL 2021: "
                             f"{bad['municipality'].head(8).tolist()} (see resolve_municipalities' report)")
    value_cols = list(value_cols)
    g = resolved.groupby("sll", sort=True)
    out = g[value_cols].sum(min_count=0)
    for v in value_cols:
        out[f"{v}_n_suppressed"] = g[v].apply(lambda s: int(s.isna().sum()))
    out.insert(0, "n_municipalities", g.size())
    return out.reset_index()


def validate_against_sll_totals(
    aggregated: pd.DataFrame, sll_totals: pd.DataFrame,
    *, value_cols: Sequence[str] = ("local_units", "persons_employed", "employees"),
) -> pd.DataFrame:
    """Compare municipal sums with ISTAT's SLL totals (Frame-SBS Tav.42).

    For each SLL and value column: ``<col>_sll`` (ISTAT's total),
    ``<col>_diff`` = total − sum of published municipal cells, and
    ``<col>_status``: ``exact`` (diff 0), ``rounding`` (|diff| ≤ half the
    number of municipalities: each municipal cell is rounded to a whole
    number), ``suppressed_residual`` (some municipal cells suppressed: the
    diff is the suppressed residual, reported, and must be ≥ −rounding), or
    ``mismatch``. SLLs present on one side only raise.
    """
    value_cols = list(value_cols)
    tot = sll_totals[sll_totals["macro_sector"] == "total"] if "macro_sector" in sll_totals else sll_totals
    left, right = set(aggregated["sll"]), set(tot["sll"])
    if left != right:
        raise HarmonizeError(f"SLL sets differ: only in the municipal sums {sorted(left - right)[:8]}, "
                             f"only in the SLL table {sorted(right - left)[:8]}")
    m = aggregated.merge(tot[["sll", "sll_name", *value_cols]].rename(columns={v: f"{v}_sll" for v in value_cols}),
                         on="sll", validate="one_to_one")
    tol = 0.5 * m["n_municipalities"]
    for v in value_cols:
        m[f"{v}_diff"] = m[f"{v}_sll"] - m[v]
        supp = m[f"{v}_n_suppressed"] > 0
        diff = m[f"{v}_diff"]
        m[f"{v}_status"] = np.select(
            [diff.eq(0) & ~supp, (diff.abs() <= tol) & ~supp, supp & (diff >= -tol)],
            ["exact", "rounding", "suppressed_residual"], "mismatch")
    keep = ["sll", "sll_name", "n_municipalities"]
    for v in value_cols:
        keep += [v, f"{v}_sll", f"{v}_diff", f"{v}_n_suppressed", f"{v}_status"]
    return m[keep]


# --------------------------------------------------------------------------- province → NUTS-3

PROVINCE_NUTS_FILE = "istat_province_nuts.csv"
NUTS_GEOJSON = {2016: "geo/NUTS_RG_20M_2016_4326_LEVL_3.geojson", 2021: "geo/NUTS_RG_20M_2021_4326_LEVL_3.geojson"}
#: ISTAT province names whose NUTS-3 name differs beyond :func:`normalise_name` (ISTAT → NUTS).
PROVINCE_NAME_SYNONYMS: dict[str, str] = {
    "reggio calabria": "reggio di calabria",
    # Sardinia's 2025 provinces that revive a 2005–2016 province (NUTS 2016) under a new name
    "gallura nord est sardegna": "olbia tempio",
    "sulcis iglesiente": "carbonia iglesias",
}
_SARDINIA = "20"


def _nuts3_names(path: str | Path) -> pd.DataFrame:
    import json

    path = _need_file(path)
    with open(path, encoding="utf-8") as fh:
        feats = json.load(fh)["features"]
    rows = []
    for f in feats:
        p = f["properties"]
        if p.get("CNTR_CODE") == "IT" and int(p.get("LEVL_CODE", 3)) == 3 and not p["NUTS_ID"].endswith("ZZZ"):
            rows.append((p["NUTS_ID"], p.get("NAME_LATN") or p.get("NUTS_NAME")))
    return pd.DataFrame(rows, columns=["nuts", "nuts_name"]).sort_values("nuts", ignore_index=True)


def build_province_nuts_map(crosswalk: pd.DataFrame, frame: pd.DataFrame,
                            nuts2016: pd.DataFrame | str | Path, nuts2021: pd.DataFrame | str | Path) -> pd.DataFrame:
    """Derive the ISTAT province → NUTS-3 (2016 and 2021) table by name matching.

    One row per province code as it appears in the first three digits of the
    municipality codes (``province_prefix``): the provinces of the SLL 2021
    crosswalk (2025 codes, ``province_set = "crosswalk_2025"``) and those that
    only the Frame-SBS 2023 table uses (Sardinia's 2017–2025 provinces,
    ``province_set = "frame_sbs_2023"``). ``nuts2016``/``nuts2021`` are
    ``DataFrame(nuts, nuts_name)`` or paths to the GISCO NUTS-3 GeoJSON
    (``NAME_LATN``, else ``NUTS_NAME``). Names are compared after
    :func:`normalise_name`, then through :data:`PROVINCE_NAME_SYNONYMS`
    (``*_match`` = ``name`` or ``synonym``).

    Sardinia: NUTS 2016 has the 8 provinces of 2005–2016 (ITG25–ITG2C), NUTS
    2021 the 5 of 2017–2025 (ITG2D–ITG2H). The Frame-SBS 2023 provinces are the
    2017–2025 ones: they map exactly to NUTS 2021 and are not given a NUTS 2016
    code. The crosswalk's 2025 provinces revive the 8 of 2005–2016 under the
    same or a successor name, with nearly the same municipalities (2025:
    Gallura 26, Nuoro 53, Oristano 87, Ogliastra 23, Medio Campidano 28, Sulcis
    Iglesiente 24, Sassari 66, Cagliari 70 — against roughly 26/52/88/23/28/23/66/71
    in 2005–2016; the old lists are not among the inputs, so this is not
    verified municipality by municipality): they are mapped to NUTS 2016 with
    ``approximated = True`` and are not given a NUTS 2021 code. Elsewhere NUTS 2016 and 2021 coincide. Raises unless each
    NUTS-3 of each version is matched by exactly one province.
    """
    n16 = nuts2016 if isinstance(nuts2016, pd.DataFrame) else _nuts3_names(nuts2016)
    n21 = nuts2021 if isinstance(nuts2021, pd.DataFrame) else _nuts3_names(nuts2021)
    cw = crosswalk.assign(province_prefix=crosswalk["municipality"].str[:3])
    rows = cw.drop_duplicates("province_prefix")[["province_prefix", "province", "province_name", "region"]]
    rows = rows.assign(province_set="crosswalk_2025")
    fr = frame.assign(province_prefix=frame["municipality"].str[:3])
    extra = fr[~fr["province_prefix"].isin(rows["province_prefix"])].drop_duplicates("province_prefix")
    extra = pd.DataFrame({"province_prefix": extra["province_prefix"], "province": extra["province_prefix"],
                          "province_name": extra["province_name"], "region": extra["region"],
                          "province_set": "frame_sbs_2023"})
    out = pd.concat([rows, extra], ignore_index=True).sort_values("province_prefix", ignore_index=True)
    sard = out["region"] == _SARDINIA
    for year, table, use in ((2016, n16, ~sard | (out["province_set"] == "crosswalk_2025")),
                             (2021, n21, ~sard | (out["province_set"] == "frame_sbs_2023"))):
        by_name = {normalise_name(n): c for c, n in zip(table["nuts"], table["nuts_name"])}
        codes, how = [], []
        for name, ok in zip(out["province_name"], use):
            key = normalise_name(name)
            if not ok:
                codes.append(""), how.append("")
            elif key in by_name:
                codes.append(by_name[key]), how.append("name")
            elif PROVINCE_NAME_SYNONYMS.get(key) in by_name:
                codes.append(by_name[PROVINCE_NAME_SYNONYMS[key]]), how.append("synonym")
            else:
                raise HarmonizeError(f"province {name!r}: no NUTS {year} region of that name")
        out[f"nuts{year}"] = codes
        out[f"nuts{year}_name"] = pd.Series(codes).map(dict(zip(table["nuts"], table["nuts_name"]))).fillna("")
        out[f"nuts{year}_match"] = how
        used = pd.Series([c for c in codes if c])
        if used.duplicated().any() or set(used) != set(table["nuts"]):
            raise HarmonizeError(f"NUTS {year}: not a one-to-one province match: duplicated "
                                 f"{sorted(set(used[used.duplicated()]))}, unmatched {sorted(set(table['nuts']) - set(used))}")
    out["approximated"] = sard & (out["province_set"] == "crosswalk_2025")
    return out[["province_prefix", "province", "province_name", "region", "province_set",
                "nuts2016", "nuts2016_name", "nuts2016_match", "nuts2021", "nuts2021_name", "nuts2021_match",
                "approximated"]]


def read_province_nuts_map(path: str | Path | None = None) -> pd.DataFrame:
    """Read the shipped ISTAT province → NUTS-3 table (``harmonize/data/istat_province_nuts.csv``).

    Built by :func:`build_province_nuts_map` from the SLL 2021 crosswalk, the
    Frame-SBS 2023 Tav.39 and the GISCO NUTS-3 GeoJSON files (2016, 2021);
    ``tests/harmonize/test_istat_geography.py`` re-derives it from those
    sources and checks it is identical.
    """
    if path is None:
        from importlib import resources

        ref = resources.files("i4districts.harmonize").joinpath("data", PROVINCE_NUTS_FILE)
        with resources.as_file(ref) as p:
            return read_province_nuts_map(p)
    out = pd.read_csv(path, dtype=str, keep_default_na=False, comment="#")
    out["approximated"] = out["approximated"].str.lower().map({"true": True, "false": False})
    if out["approximated"].isna().any():
        raise HarmonizeError(f"{path}: column 'approximated' must be true/false")
    return out
