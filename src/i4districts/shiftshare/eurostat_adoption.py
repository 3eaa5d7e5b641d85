"""Real sector adoption from Eurostat's ICT-usage survey, and the cross-sectional robot exposure.

Indicators (:data:`INDICATORS`), all in % of enterprises with 10+ persons
employed (``size_emp=GE10``, ``unit=PC_ENT``):

* ``robots``: ``E_RBT`` (any industrial or service robot), ``isoc_eb_p3dn2``;
* ``digital_intensity``: high + very high Digital Intensity Index, version 3
  (``E_DI3_HI + E_DI3_VHI``), ``isoc_e_diin2`` (versions are not comparable);
* ``ai``: at least one AI technology (``E_AI_TANY``), ``isoc_eb_ain2``.

:func:`sector_adoption` turns a fetched tidy Eurostat table (lower-case
dimension columns, ``time``, ``value``, ``obs_flag``... as written by ``i4d
fetch get``; or the same in the vocabulary) into a sector adoption table
``(country, sector, year, value, unit, flag, source, survey_sectors)`` for a
panel sector set, through the versioned crosswalk ``data/adoption_crosswalk.csv``
(:func:`load_crosswalk`): a panel sector is the weighted (by default
unweighted) mean of its survey sectors, or ``not_covered``.

Coverage, never imputed silently:

* a panel sector is **not covered** when the crosswalk says so (A, K, O-Q,
  R-U: outside the survey's scope C10-S951 excluding K) or when none of its
  survey sectors is published anywhere in the indicator table (e.g. L and
  D_E for robots). The caller chooses ``uncovered``: ``exclude`` leaves it out
  (the exposure sums over covered sectors only and the shares are NOT
  renormalised, as in Acemoglu and Restrepo 2020) or ``zero`` keeps it with
  adoption 0 and flag ``not_covered``. Both give the same exposure level;
  they differ in the share matrix kept for AKM inference and in the flags;
* a panel sector is **partial** (flag ``partial``) when the crosswalk marks
  it so (B_D_E <- D_E, K-N <- L, M, N) or when some of its survey sectors are
  absent from the whole table (M-N <- N for robots: M is not published);
* a published survey sector missing for one country-year (confidential,
  unreliable) leaves that cell absent: it is listed in the notes.

Design (:func:`cross_section_exposure`): Eurostat's robot module starts in
2018, after the panel's years, so the default is a CROSS-SECTIONAL exposure to
robot-intensive industries, ``exposure_r = sum_{s covered} share_{r,s,base} *
intensity_s`` with ``intensity_s`` the mean of the sector's survey values over
the adoption table's years (2018, 2020, 2022: the mean of the waves smooths the
survey's sampling noise), the same for every year of the panel: a
time-invariant regional exposure for models that interact it with period or
regress long differences on it. The instrument ``exposure_iv`` uses the same
shares and the leave-one-out mean intensity of the other European countries
(:func:`~i4districts.shiftshare.instruments.leave_one_out_shift`; default
country set: the EU27 (2020) members in the table minus the panel's country,
keeping those with a value for every covered sector).

Which file drives the default: ``isoc_eb_p3d`` (mirrored verbatim SDMX-CSV,
ledger ``isoc_eb_p3d``) has NO sector breakdown (``nace_r2`` is only
``C10-S951_X_K``), so it cannot give sector robot use
(:func:`sector_adoption` refuses it, :func:`country_robot_use` reads its
country totals). Sector robot use comes from ``isoc_eb_p3dn2`` (ledger
``isoc_eb_p3dn2``, live only); offline, the third-party derivation of that
query in ``shared/data/isoc`` is read as a documented FIXTURE
(:func:`read_derived_robots_fixture`): it is not an Eurostat format and is
not mirrored as a live response.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from i4districts.shiftshare.errors import ShiftShareInputError
from i4districts.vocabulary import to_vocabulary

__all__ = [
    "ADOPTION_COLUMNS", "CROSSWALK_COLUMNS", "EU27", "INDICATORS", "NOT_COVERED", "PARTIAL", "UNCOVERED",
    "EurostatAdoptionError", "Indicator", "country_robot_use", "cross_section_exposure",
    "cross_section_intensity", "exposure_note", "infer_sector_set", "is_derived_fixture", "load_crosswalk",
    "panel_eurostat_adoption", "read_adoption_source", "read_derived_robots_fixture", "sector_adoption",
    "survey_table", "validate_crosswalk",
]

NOT_COVERED = "not_covered"
PARTIAL = "partial"
UNCOVERED = ("exclude", "zero")
CROSSWALK_FILE = "data/adoption_crosswalk.csv"
CROSSWALK_COLUMNS = ("version", "panel_sector_set", "panel_sector", "treatment", "survey_sector", "weight",
                     "coverage", "note")
ADOPTION_COLUMNS = ("country", "sector", "year", "value", "unit", "flag", "source", "survey_sectors", "role")
#: EU member states since 2020 (Eurostat codes: EL = Greece).
EU27: tuple[str, ...] = ("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU",
                         "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK")
#: Header of the third-party derivation of isoc_eb_p3dn2 (shared/data/isoc).
DERIVED_FIXTURE_COLUMNS = ("geo", "country_name", "sector_code", "sector_label", "year", "value")
DERIVED_FIXTURE_NOTE = ("robot use by sector from a THIRD-PARTY derivation of Eurostat isoc_eb_p3dn2 "
                        "(xavis123/Beyond-the-lab; flagged values dropped except FR 2022 'b'), read as a fixture; "
                        "the ledger's live query isoc_eb_p3dn2 must reproduce it")


class EurostatAdoptionError(ShiftShareInputError):
    """A Eurostat adoption table or the crosswalk is unusable (names table, column and values)."""


@dataclass(frozen=True)
class Indicator:
    """A named adoption indicator: dataset, ``indic_is`` codes and how they combine (``single``/``sum``)."""

    name: str
    dataset: str
    codes: tuple[str, ...]
    combine: str
    label: str
    unit: str = "% of enterprises (10+ persons employed)"
    unit_code: str = "PC_ENT"
    size_emp: str = "GE10"


INDICATORS: dict[str, Indicator] = {
    "robots": Indicator("robots", "isoc_eb_p3dn2", ("E_RBT",), "single", "robot use (E_RBT)"),
    "digital_intensity": Indicator("digital_intensity", "isoc_e_diin2", ("E_DI3_HI", "E_DI3_VHI"), "sum",
                                   "high or very high digital intensity, DII v3 (E_DI3_HI + E_DI3_VHI)"),
    "ai": Indicator("ai", "isoc_eb_ain2", ("E_AI_TANY",), "single", "use of at least one AI technology (E_AI_TANY)"),
}


def _indicator(name: str | Indicator) -> Indicator:
    if isinstance(name, Indicator):
        return name
    if name not in INDICATORS:
        raise EurostatAdoptionError("arguments", "indicator", "is not a known indicator; known", sorted(INDICATORS))
    return INDICATORS[name]


# ---------------------------------------------------------------- crosswalk
def validate_crosswalk(cw: pd.DataFrame, *, source: str = "crosswalk") -> pd.DataFrame:
    """Check the crosswalk: every panel sector of each set has exactly one treatment.

    ``survey`` rows name a survey sector and a positive weight; a ``not_covered``
    sector has exactly one row, without survey sector; coverage is full,
    partial or none. Returns the table with typed columns.
    """
    missing = [c for c in CROSSWALK_COLUMNS if c not in cw.columns]
    if missing:
        raise EurostatAdoptionError(source, "columns", "are missing", missing)
    t = cw.copy()
    for c in ("panel_sector_set", "panel_sector", "treatment", "survey_sector", "coverage", "note"):
        t[c] = t[c].astype(object).where(t[c].notna(), "").astype(str).str.strip()
    t["weight"] = pd.to_numeric(t["weight"], errors="coerce")
    bad = t.loc[~t["treatment"].isin(["survey", NOT_COVERED])]
    if len(bad):
        raise EurostatAdoptionError(source, "treatment", "must be 'survey' or 'not_covered'",
                                    bad["treatment"].unique().tolist())
    n_treat = t.groupby(["panel_sector_set", "panel_sector"])["treatment"].nunique()
    if (n_treat > 1).any():
        raise EurostatAdoptionError(source, "treatment", "differs across rows of the same panel sector",
                                    n_treat[n_treat > 1].index.tolist())
    nc = t[t["treatment"] == NOT_COVERED]
    dup_nc = nc.duplicated(["panel_sector_set", "panel_sector"], keep=False) | (nc["survey_sector"] != "")
    if dup_nc.any():
        raise EurostatAdoptionError(source, "survey_sector", "must be empty, one row per not_covered sector",
                                    nc.loc[dup_nc, ["panel_sector_set", "panel_sector"]].values.tolist())
    sv = t[t["treatment"] == "survey"]
    bad = sv[(sv["survey_sector"] == "") | ~(sv["weight"] > 0)]
    if len(bad):
        raise EurostatAdoptionError(source, "survey_sector/weight", "survey rows need a sector and a weight > 0",
                                    bad[["panel_sector_set", "panel_sector"]].values.tolist())
    dup = sv.duplicated(["panel_sector_set", "panel_sector", "survey_sector"])
    if dup.any():
        raise EurostatAdoptionError(source, "survey_sector", "is repeated within a panel sector",
                                    sv.loc[dup, ["panel_sector", "survey_sector"]].values.tolist())
    bad = t[~t["coverage"].isin(["full", PARTIAL, "none"])]
    if len(bad):
        raise EurostatAdoptionError(source, "coverage", "must be full, partial or none", bad["coverage"].tolist())
    if t["version"].nunique() != 1:
        raise EurostatAdoptionError(source, "version", "must be one version per file", t["version"].unique().tolist())
    return t


def load_crosswalk(path: str | Path | None = None) -> pd.DataFrame:
    """The survey-to-panel sector crosswalk (default: the packaged ``data/adoption_crosswalk.csv``), validated."""
    if path is None:
        with resources.files("i4districts.shiftshare").joinpath(CROSSWALK_FILE).open("r", encoding="utf-8") as f:
            raw = pd.read_csv(f, dtype=str, keep_default_na=False)
        source = CROSSWALK_FILE
    else:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
        source = str(path)
    return validate_crosswalk(raw, source=source)


def infer_sector_set(sectors: Sequence[str], crosswalk: pd.DataFrame | None = None) -> str:
    """The crosswalk's panel sector set whose sectors are exactly ``sectors``."""
    cw = load_crosswalk() if crosswalk is None else crosswalk
    want = set(map(str, sectors))
    for name, grp in cw.groupby("panel_sector_set"):
        if set(grp["panel_sector"]) == want:
            return str(name)
    raise EurostatAdoptionError("panel", "sector", "matches no sector set of the adoption crosswalk "
                                f"(sets: {sorted(cw['panel_sector_set'].unique())}); panel sectors", sorted(want))


# ---------------------------------------------------------------- source tables
def is_derived_fixture(df: pd.DataFrame) -> bool:
    """True for the exact header of the third-party isoc_eb_p3dn2 derivation (see the module docstring)."""
    return tuple(df.columns) == DERIVED_FIXTURE_COLUMNS


def read_derived_robots_fixture(source: str | Path | pd.DataFrame) -> pd.DataFrame:
    """The third-party robot table as a fetched-style tidy table (FIXTURE, not an Eurostat response).

    ``geo, sector_code, year, value`` become ``freq=A, size_emp=GE10,
    nace_r2=<sector_code>, indic_is=E_RBT, unit=PC_ENT, geo, time, value,
    obs_flag`` (the codes C, F, G, H, I, J, N, ICT are Eurostat's ``nace_r2``
    codes of the n2 tables). The source dropped the flags except FR 2022 'b',
    which is restored as documented with the file.
    """
    raw = source if isinstance(source, pd.DataFrame) else pd.read_csv(source, dtype=str, keep_default_na=False)
    if not is_derived_fixture(raw):
        raise EurostatAdoptionError("derived robot fixture", "columns", "differ from", list(DERIVED_FIXTURE_COLUMNS))
    geo, year = raw["geo"].astype(str), raw["year"].astype(str)
    flag = np.where((geo == "FR") & (year == "2022"), "b", "")
    return pd.DataFrame({"freq": "A", "size_emp": "GE10", "nace_r2": raw["sector_code"].astype(str).to_numpy(),
                         "indic_is": "E_RBT", "unit": "PC_ENT", "geo": geo.to_numpy(), "time": year.to_numpy(),
                         "value": pd.to_numeric(raw["value"], errors="raise").astype(float).to_numpy(),
                         "obs_flag": flag})


def read_adoption_source(path: str | Path) -> tuple[pd.DataFrame, list[str]]:
    """A fetched Eurostat table (Parquet/CSV from ``i4d fetch get``) or the derived fixture, with notes."""
    from i4districts import io

    p = Path(path)
    if p.suffix.lower() == ".csv":
        raw = pd.read_csv(p, dtype=str, keep_default_na=False)
        if is_derived_fixture(raw):
            return read_derived_robots_fixture(raw), [DERIVED_FIXTURE_NOTE]
        if "value" in raw.columns:
            raw["value"] = pd.to_numeric(raw["value"].replace({"": np.nan, ":": np.nan}), errors="raise")
        return raw, []
    return io.read_parquet(p), io.read_notes(p)


def survey_table(table: pd.DataFrame, indicator: str | Indicator = "robots") -> pd.DataFrame:
    """The indicator's observations ``(country, survey_sector, year, value, flag)`` of a tidy Eurostat table.

    Keeps ``indic_is`` in the indicator's codes, ``unit`` = PC_ENT and
    ``size_emp`` = GE10 where those columns exist (``indic_is`` must), drops
    missing values and combines the codes (``sum`` needs every code of a cell).
    """
    ind = _indicator(indicator)
    name = f"{ind.dataset} table"
    t = table.rename(columns={"country": "geo"}) if "country" in table.columns else table
    voc = to_vocabulary(t, table=name)
    if "indic_is" not in voc.columns:
        raise EurostatAdoptionError(name, "indic_is", "is missing (a fetched Eurostat table is needed)",
                                    list(table.columns))
    for col in ("region", "sector", "year", "value"):
        if col not in voc.columns:
            raise EurostatAdoptionError(name, col, "is missing; found", list(table.columns))
    sectors = set(voc["sector"].astype(str))
    if sectors <= {"C10-S951_X_K", "TOTAL"}:
        raise EurostatAdoptionError(name, "nace_r2", "has no sector breakdown (isoc_eb_p3d has only the whole "
                                    "survey economy; use isoc_eb_p3dn2); codes", sorted(sectors))
    keep = voc["indic_is"].astype(str).isin(ind.codes)
    if "unit" in voc.columns:
        keep &= voc["unit"].astype(str) == ind.unit_code
    if "size_class" in voc.columns:
        keep &= voc["size_class"].astype(str) == ind.size_emp
    sub = voc.loc[keep & voc["value"].notna()]
    if sub.empty:
        raise EurostatAdoptionError(name, "indic_is", f"has no {ind.codes} in {ind.unit_code} for size_emp "
                                    f"{ind.size_emp}; indicators present", sorted(voc["indic_is"].astype(str).unique())[:10])
    keys = ["region", "sector", "year"]
    if sub.duplicated(keys + ["indic_is"]).any():
        raise EurostatAdoptionError(name, "indic_is", "has duplicate (geo, nace_r2, time) cells",
                                    sub.loc[sub.duplicated(keys + ["indic_is"]), keys].head(5).values.tolist())
    grouped = sub.groupby(keys, sort=True)
    out = grouped.agg(value=("value", "sum"), n=("indic_is", "nunique"),
                      flag=("flag", lambda s: ";".join(sorted({x for f in s for x in str(f).split(";") if x}))))
    out = out[out["n"] == len(ind.codes)].drop(columns="n").reset_index()
    return out.rename(columns={"region": "country", "sector": "survey_sector"})


# ---------------------------------------------------------------- sector adoption
def _flags(*parts: str) -> str:
    toks = []
    for p in parts:
        toks += [t for t in str(p).split(";") if t and t not in toks]
    return ";".join(toks)


def sector_adoption(table: pd.DataFrame, *, indicator: str | Indicator = "robots", countries: Sequence[str],
                    sector_set: str, uncovered: str = "exclude", crosswalk: pd.DataFrame | None = None,
                    years: Sequence[int] | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Adoption of the panel sectors of ``sector_set`` for ``countries``, from a tidy Eurostat table.

    Returns ``(table, notes)``: columns ``country, sector, year, value, unit,
    flag, source, survey_sectors`` (one row per country, covered sector and
    survey year with every used survey sector published; with ``uncovered="zero"``
    also the not-covered sectors, value 0, flag ``not_covered``) and notes that
    list the excluded, partial and missing cells. See the module docstring.
    """
    if uncovered not in UNCOVERED:
        raise EurostatAdoptionError("arguments", "uncovered", f"must be one of {UNCOVERED}", [uncovered])
    ind = _indicator(indicator)
    cw = load_crosswalk() if crosswalk is None else validate_crosswalk(crosswalk)
    cw = cw[cw["panel_sector_set"] == sector_set]
    if cw.empty:
        raise EurostatAdoptionError("crosswalk", "panel_sector_set", f"has no set {sector_set!r}; sets",
                                    sorted(load_crosswalk()["panel_sector_set"].unique()))
    obs = survey_table(table, ind)
    if years is not None:
        obs = obs[obs["year"].isin([int(y) for y in years])]
    published = set(obs["survey_sector"])
    all_years = sorted(obs["year"].unique().tolist())
    source = f"Eurostat {ind.dataset} {'+'.join(ind.codes)}"
    rows, notes = [], [f"adoption: {ind.name} = {ind.label}, {ind.unit}; Source: Eurostat, {ind.dataset}"]
    not_cov, partial, missing = [], [], []
    val = obs.set_index(["country", "survey_sector", "year"])
    for sector, grp in cw.groupby("panel_sector", sort=True):
        used = [s for s in grp["survey_sector"] if s in published] if grp["treatment"].iloc[0] == "survey" else []
        if not used:
            not_cov.append(sector)
            if uncovered == "zero":
                rows += [dict(country=c, sector=sector, year=y, value=0.0, flag=NOT_COVERED, survey_sectors="")
                         for c in countries for y in all_years]
            continue
        w = grp.set_index("survey_sector").loc[used, "weight"].astype(float)
        is_partial = grp["coverage"].iloc[0] == PARTIAL or len(used) < len(grp)
        if is_partial:
            absent = [s for s in grp["survey_sector"] if s not in published]
            partial.append(f"{sector} <- {'+'.join(used)}" + (f" ({'+'.join(absent)} not published)" if absent else
                                                               f" ({grp['note'].iloc[0]})"))
        for c in countries:
            for y in all_years:
                idx = [(c, s, y) for s in used]
                if not all(i in val.index for i in idx):
                    missing.append((c, sector, y))
                    continue
                cells = val.loc[idx]
                v = float(np.dot(cells["value"].to_numpy(float), w.to_numpy()) / w.sum())
                rows.append(dict(country=c, sector=sector, year=y, value=v,
                                 flag=_flags(PARTIAL if is_partial else "", *cells["flag"]),
                                 survey_sectors="+".join(used)))
    if not_cov:
        notes.append(f"sectors not covered by {ind.dataset} ({', '.join(not_cov)}): " +
                     ("excluded: the exposure sums over covered sectors only, shares not renormalised"
                      if uncovered == "exclude" else "adoption set to 0 with flag not_covered"))
    if partial:
        notes.append("partial coverage (flag partial): " + "; ".join(partial))
    if missing:
        notes.append(f"{len(missing)} (country, sector, year) cell(s) not published, left out: "
                     f"{missing[:8]}{' ...' if len(missing) > 8 else ''}")
    out = pd.DataFrame(rows, columns=["country", "sector", "year", "value", "flag", "survey_sectors"])
    out["unit"], out["source"] = ind.unit, source
    out["year"] = out["year"].astype("int64")
    out = out[["country", "sector", "year", "value", "unit", "flag", "source", "survey_sectors"]]
    return out.sort_values(["country", "sector", "year"], ignore_index=True), notes


def panel_eurostat_adoption(panel: pd.DataFrame, table: pd.DataFrame, *, indicator: str = "robots",
                            country: str | None = None, uncovered: str = "exclude", sector_set: str | None = None,
                            instrument_countries: str | Sequence[str] = "eu27", years: Sequence[int] | None = None,
                            crosswalk: pd.DataFrame | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Adoption for the panel's country (``role=panel``) and the instrument countries (``role=instrument``).

    ``country``: the panel's country (default: the first two letters of its
    NUTS region codes, which must agree). ``sector_set``: default the
    crosswalk set equal to the panel's sectors. ``instrument_countries``:
    ``"eu27"`` (EU27 members in the table minus the panel's country), ``"all"``
    (every country code in the table, no aggregates), ``"none"`` or a list.
    An instrument country lacking a covered sector in every year is dropped
    (noted). The panel's country must have every covered sector.
    """
    cw = load_crosswalk() if crosswalk is None else validate_crosswalk(crosswalk)
    if sector_set is None:
        sector_set = infer_sector_set(panel["sector"].unique(), cw)
    if country is None:
        if "region" not in panel.columns:
            raise EurostatAdoptionError("panel", "region", "is needed to infer the country; give country", [])
        prefixes = sorted(set(panel["region"].astype(str).str[:2]))
        if len(prefixes) != 1:
            raise EurostatAdoptionError("panel", "region", "spans several countries; give country", prefixes)
        country = prefixes[0]
    obs = survey_table(table, indicator)
    present = sorted(set(obs["country"]))
    if country not in present:
        raise EurostatAdoptionError(f"{_indicator(indicator).dataset} table", "geo", f"lacks the panel's country "
                                    f"{country!r}; countries", present)
    if isinstance(instrument_countries, str) and instrument_countries in ("eu27", "all", "none"):
        pool = {"eu27": [c for c in EU27 if c in present],
                "all": [c for c in present if len(c) == 2 and c.isalpha()], "none": []}[instrument_countries]
        label = instrument_countries
    else:
        pool = [str(c) for c in instrument_countries]
        absent = [c for c in pool if c not in present]
        if absent:
            raise EurostatAdoptionError(f"{_indicator(indicator).dataset} table", "geo",
                                        "lacks the named instrument countries", absent)
        label = "named"
    others = [c for c in pool if c != country]
    out, notes = sector_adoption(table, indicator=indicator, countries=[country, *others], sector_set=sector_set,
                                 uncovered=uncovered, crosswalk=cw, years=years)
    covered = set(out.loc[(out["country"] == country) & (out["flag"] != NOT_COVERED), "sector"])
    own_sectors = set(cw.loc[(cw["panel_sector_set"] == sector_set), "panel_sector"])
    have = out[out["flag"] != NOT_COVERED].groupby("country")["sector"].agg(set)
    cov_all = {s for s in own_sectors if (out.loc[out["flag"] != NOT_COVERED, "sector"] == s).any()}
    lacking = sorted(cov_all - covered)
    if lacking:
        raise EurostatAdoptionError(f"{_indicator(indicator).dataset} table", "value", f"has no published value "
                                    f"for the panel's country {country} in covered sector(s)", lacking)
    dropped = [c for c in others if not covered <= have.get(c, set())]
    kept = [c for c in others if c not in dropped]
    out = out[out["country"].isin([country, *kept])].copy()
    out["role"] = np.where(out["country"] == country, "panel", "instrument")
    notes.append(f"panel country {country}; sector set {sector_set}")
    if others:
        notes.append(f"instrument countries ({label}, minus {country}): {', '.join(kept)}"
                     + (f"; dropped for lacking a covered sector: {', '.join(dropped)}" if dropped else ""))
    return out.reset_index(drop=True), notes


def country_robot_use(table: pd.DataFrame, *, size_emp: str = "GE10", code: str = "E_RBT") -> pd.DataFrame:
    """Whole-economy robot use per country and year from ``isoc_eb_p3d`` (``country, year, value, flag``)."""
    voc = to_vocabulary(table, table="isoc_eb_p3d table")
    keep = (voc["indic_is"] == code) & (voc["unit"] == "PC_ENT") & (voc["size_class"] == size_emp)
    sub = voc.loc[keep & voc["value"].notna(), ["region", "year", "value", "flag"]]
    return sub.rename(columns={"region": "country"}).sort_values(["country", "year"], ignore_index=True)


# ---------------------------------------------------------------- cross-sectional exposure
def cross_section_intensity(adoption: pd.DataFrame) -> pd.DataFrame:
    """Mean of each (country, sector)'s values over the table's years: ``country, sector, value, flag, years``."""
    t = adoption if "country" in adoption.columns else adoption.assign(country="")
    if "flag" not in t.columns:  # a user table without flags
        t = t.assign(flag="")
    g = t.groupby(["country", "sector"], sort=True)
    out = g.agg(value=("value", "mean"), flag=("flag", lambda s: _flags(*s)),
                years=("year", lambda s: ",".join(map(str, sorted(set(s))))))
    return out.reset_index()


def exposure_note(adoption: pd.DataFrame) -> str:
    """The note every cross-sectional exposure table carries."""
    years = sorted(set(int(y) for y in adoption["year"]))
    src = sorted(set(adoption["source"])) if "source" in adoption.columns else ["the adoption table"]
    what = "robot use" if any("E_RBT" in s for s in src) else "adoption"
    kind = "robot-intensive" if what == "robot use" else "adoption-intensive"
    unit = str(adoption["unit"].iloc[0]) if "unit" in adoption.columns else ""
    return (f"exposure to {kind} industries: base-year shares x sector {what} ({'; '.join(src)}, {unit}, "
            f"mean of {', '.join(map(str, years))}); a cross-sectional exposure, not adoption over time")


def cross_section_exposure(panel: pd.DataFrame, adoption: pd.DataFrame, *, base_year: int,
                           normalisation: str = "none", instrument: str | Sequence[str] = "leave_one_out"):
    """Cross-sectional exposure ``exposure_r = sum_{s covered} share_{r,s,base} * intensity_s``, every panel year.

    ``adoption``: from :func:`panel_eurostat_adoption` (``role`` panel and
    instrument rows) or one country's table. ``intensity_s`` is the mean over
    its years (:func:`cross_section_intensity`); the shares are those of all
    panel sectors in ``base_year`` (not renormalised), restricted to the
    adoption table's sectors. With instrument rows, ``exposure_iv`` uses the
    leave-one-out mean of the other countries (``instrument="leave_one_out"``)
    or the mean over a named list of countries; ``instrument="none"`` skips it.
    Returns ``(table, ShiftShareExposure, notes)``; the table has ``region,
    year, exposure[, exposure_iv], unit`` for every year of the panel.
    """
    from i4districts.shiftshare.exposure import ShiftShareExposure, baseline_shares, shift_share_exposure
    from i4districts.shiftshare.instruments import leave_one_out_shift, named_countries_shift
    from i4districts.shiftshare.normalise import normalise_exposure

    for col in ("sector", "year", "value"):
        if col not in adoption.columns:
            raise EurostatAdoptionError("adoption table", col, "is missing; found", list(adoption.columns))
    if "role" in adoption.columns:
        own_rows = adoption[adoption["role"] == "panel"]
        if own_rows["country"].nunique() != 1:
            raise EurostatAdoptionError("adoption table", "role", "needs exactly one panel country",
                                        sorted(own_rows["country"].unique()))
    elif "country" in adoption.columns and adoption["country"].nunique() > 1:
        raise EurostatAdoptionError("adoption table", "country", "has several countries but no role column",
                                    sorted(adoption["country"].unique()))
    else:
        own_rows = adoption
    own_country = str(own_rows["country"].iloc[0]) if "country" in own_rows.columns else ""
    intens = cross_section_intensity(adoption)
    own = intens[intens["country"] == own_country]
    shares = baseline_shares(panel, base_year=base_year)
    extra = sorted(set(own["sector"]) - set(shares["sector"]))
    if extra:
        raise EurostatAdoptionError("adoption table", "sector", "has sectors the panel lacks", extra)
    shares_cov = shares[shares["sector"].isin(own["sector"])].reset_index(drop=True)
    shifts = pd.DataFrame({"sector": own["sector"].to_numpy(), "year": int(base_year),
                           "shift": own["value"].to_numpy(float)})
    exp = shift_share_exposure(shares_cov, shifts)
    notes = [exposure_note(own_rows)]
    excluded = sorted(set(shares["sector"]) - set(own["sector"]))
    if excluded:
        notes.append(f"sectors excluded from the exposure (not covered): {', '.join(excluded)}; "
                     "shares not renormalised")
    years = sorted(int(y) for y in pd.unique(panel["year"]))
    table = exp[["region", "exposure"]].merge(pd.DataFrame({"year": years}), how="cross")
    cols = ["exposure"]
    others = intens[intens["country"] != own_country]
    if "role" in adoption.columns and len(others) and instrument != "none":
        keep = set(own["sector"])
        sub = intens[intens["sector"].isin(keep)]
        complete = sub.groupby("country")["sector"].nunique() == len(keep)
        sub = sub[sub["country"].isin(complete[complete].index)].assign(year=int(base_year))
        if isinstance(instrument, str) and instrument == "leave_one_out":
            loo = leave_one_out_shift(sub.rename(columns={"value": "shift"})[["country", "sector", "year", "shift"]])
            iv_shift = loo[loo["country"] == own_country].drop(columns="country")
            used = sorted(c for c in sub["country"].unique() if c != own_country)
            notes.append(f"exposure_iv: same shares x leave-one-out mean intensity of {', '.join(used)}")
        else:
            names = [str(c) for c in instrument]
            iv_shift = named_countries_shift(sub.rename(columns={"value": "shift"}), names)
            notes.append(f"exposure_iv: same shares x mean intensity of {', '.join(names)}")
        iv = shift_share_exposure(shares_cov, iv_shift).rename(columns={"exposure": "exposure_iv"})
        table = table.merge(iv[["region", "exposure_iv"]], on="region", how="left", validate="many_to_one")
        cols.append("exposure_iv")
    table = table[["region", "year", *cols]].sort_values(["region", "year"], ignore_index=True)
    table = normalise_exposure(table, columns=cols, method=normalisation, base_year=base_year)
    unit = "standard deviations" if normalisation == "sd" else str(own_rows["unit"].iloc[0]) \
        if "unit" in own_rows.columns else ""
    table["unit"] = pd.Series(unit, index=table.index, dtype="string")
    obj = ShiftShareExposure(shares=shares_cov, shifts=shifts, table=exp, base_year=int(base_year),
                             notes=tuple(notes))
    return table, obj, notes

