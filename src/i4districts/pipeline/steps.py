"""I/O layer of the default pipeline: each step reads its inputs, calls the pure library, writes atomically.

sample → panel → indicators; panel + adoption → exposure (``i4d exposure``) →
model frame → (``i4d estimate``, one per model spec) → table. Provenance notes
(data attribution, vintage ids, "illustrative adoption data") travel in the
Parquet metadata (:mod:`i4districts.io`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from i4districts import io
from i4districts.frame import difference_frame, employment_growth, manufacturing_specialisation, model_frame
from i4districts.fetched import sample_from_fetched
from i4districts.harmonize.panel import build_panel, zero_unpublished
from i4districts.sample import (
    ATTRIBUTION,
    embedded_sample_path,
    load_embedded_sample,
    read_nama_10r_3empers_csv,
)
from i4districts.vocabulary import REGION_YEAR, SECTOR, to_vocabulary

def embedded_vintage(country: str = "IT") -> str:
    """Vintage id of an embedded sample: its file name and the first 12 hex of its sha256."""
    path = embedded_sample_path(country)
    return f"embedded:{path.stem}@sha256:{io.sha256_file(path)[:12]}"


def sample(out: Path, *, source: str = "embedded", country: str = "IT", fetched: Path | None = None,
           pin: Path | None = None, filters: Mapping[str, str] | None = None) -> Path:
    """The employment sample in the canonical vocabulary (region, sector, year, value, unit, flag, vintage).

    ``source="embedded"``: the package's sample of ``country``. ``source="fetched"``: a table written by
    ``i4d fetch get`` (``fetched``) with its replay pin (``pin``: attribution, vintage ids and sha256),
    reduced to one code per further dimension by ``filters`` (:mod:`i4districts.fetched`).
    """
    if source == "embedded":
        vintage = embedded_vintage(country)
        table = to_vocabulary(load_embedded_sample(country), vintage=vintage, table=f"embedded sample {country}")
        return io.write_parquet(table, out, notes=[ATTRIBUTION, f"data vintage: {vintage}"])
    if source == "synthetic":
        if fetched is None:
            raise ValueError("data.source 'synthetic' needs the world's sample.parquet (i4d synth -o DIR)")
        notes = io.read_notes(fetched)
        if not any("synthetic" in n.lower() for n in notes):
            raise ValueError(f"{fetched}: not a synthetic world's sample (its notes do not say synthetic)")
        world = json.loads((Path(fetched).parent / "truth.json").read_text("utf-8"))
        vintage = f"synthetic:{world.get('scale', {}).get('name', 'custom')}@seed{world.get('seed')}"
        table = to_vocabulary(io.read_parquet(fetched), vintage=vintage, table=f"synthetic sample {fetched}")
        return io.write_parquet(table, out, notes=[*notes, f"data vintage: {vintage}"])
    if source != "fetched":
        raise ValueError(f"data.source: unknown source {source!r}; choose 'embedded', 'fetched' or 'synthetic'")
    if fetched is None or pin is None:
        raise ValueError("data.source 'fetched' needs the fetched table and its .vintage.json pin")
    record = json.loads(Path(pin).read_text("utf-8"))
    table = sample_from_fetched(io.read_parquet(fetched), country=country, filters=filters, source=str(fetched))
    vintages = [f"{v['vintage_id']} (sha256 {v['sha256'][:12]})" for v in record.get("vintages", [])]
    notes = [record.get("attribution") or f"Source: {record.get('source')}, {record.get('dataset')}",
             f"data vintage: {', '.join(vintages)}"]
    if filters:
        notes.append("selection: " + ", ".join(f"{k}={v}" for k, v in sorted(filters.items())))
    return io.write_parquet(table, out, notes=notes)


UNPUBLISHED = ("refuse", "drop_regions", "zero")


def panel(sample_path: Path, out: Path, *, country: str, nuts_level: int, start: int, end: int,
          sectors: str, drop_extra_regio: bool = True, report: Path | None = None,
          unpublished: str = "refuse", nuts_version: str | int | None = None,
          nuts_sheets: Sequence[Path] = ()) -> Path:
    """Validated region × sector × year panel (:func:`i4districts.harmonize.panel.build_panel`).

    ``unpublished``: what to do with cells of the grid that are absent or unpublished: ``refuse``
    (default: an error naming them), ``drop_regions`` (keep only regions observed in every cell; the
    report lists the others) or ``zero`` (set them to 0 with flag ``unpublished_set_to_zero``, for survey
    tables with suppressed small cells). Every choice is written in the report and the notes.

    ``nuts_version`` with Eurostat change sheets (``nuts_sheets``): the version of the region codes is
    detected and, when it is not the target, the table is converted (:func:`harmonise_nuts_version`).
    """
    if unpublished not in UNPUBLISHED:
        raise ValueError(f"data.unpublished: {unpublished!r} is not one of {list(UNPUBLISHED)}")
    df = io.read_parquet(sample_path)
    notes = list(io.read_notes(sample_path))
    nuts: dict[str, object] = {"target": nuts_version, "checked": False}
    if nuts_version is not None and nuts_sheets:
        df, nuts = harmonise_nuts_version(df, str(nuts_version), nuts_sheets, country=country,
                                          level=nuts_level, table=str(sample_path))
        notes.append(nuts["note"])
    elif nuts_version is not None:
        notes.append(f"NUTS version of the region codes not checked against NUTS {nuts_version} (no Eurostat "
                     "change sheets given: data.nuts_changes)")
    vintages = sorted(set(df["vintage"].astype(str))) if "vintage" in df.columns else ["unknown"]
    table, rep = build_panel(df, sectors=sectors, vintage=";".join(vintages), country=country,
                             region_level=nuts_level, years=(start, end), drop_extra_regio=drop_extra_regio,
                             complete=unpublished == "refuse", balanced=unpublished == "drop_regions",
                             table=str(sample_path))
    if unpublished == "zero" and len(rep.gaps):
        table = zero_unpublished(table, rep.gaps)
        notes.append(f"{len(rep.gaps)} unpublished or absent cell(s) set to 0 (data.unpublished: zero)")
    if unpublished == "drop_regions" and rep.dropped_regions:
        notes.append(f"regions with unpublished cells left out (data.unpublished: drop_regions): "
                     f"{', '.join(rep.dropped_regions)}")
    if report is not None:
        io.write_json({**rep.to_dict(), "unpublished": unpublished, "nuts": nuts}, report)
    return io.write_parquet(table, out, notes=notes)


def district_shares(shared_dir: Path, out: Path, summary_out: Path, *, nuts_version: int = 2016) -> list[Path]:
    """Province shares of persons employed by ISTAT's SLL 2021 specialisation class, and one summary row each.

    Reads ISTAT's files under ``shared_dir/istat_sll`` (:func:`i4districts.indicators.district_shares.district_shares_table`).
    """
    from i4districts.indicators.district_shares import district_shares_table, district_summary

    shares = district_shares_table(shared_dir, nuts_versions=(nuts_version,))
    notes = ["Fonte: Istat (CC BY 4.0): sistemi locali del lavoro 2021, specializzazione produttiva prevalente, "
             "Frame-SBS territoriale 2023",
             f"district measure: province shares of persons employed (Frame-SBS 2023) in SLL 2021 "
             f"specialisation classes, NUTS {nuts_version}"]
    return [io.write_parquet(shares, out, notes=notes),
            io.write_parquet(district_summary(shares).drop(columns=["nuts_version"]), summary_out, notes=notes)]


def harmonise_nuts_version(df: pd.DataFrame, target: str, sheets: Sequence[Path], *, country: str, level: int,
                           table: str) -> tuple[pd.DataFrame, dict[str, object]]:
    """Detect the NUTS version of the regions of ``country`` at ``level``; convert them to ``target`` if needed.

    Code lists and correspondences come from Eurostat's change sheets. Codes fitting several versions
    (most regions: NUTS changes are few) need no conversion; a table mixing versions is refused naming the
    codes; otherwise the rows are converted with :func:`i4districts.harmonize.nuts.convert_nuts` (sums over
    the correspondence; boundary shifts approximated and flagged, splits without weights refused).
    Returns the table and a record of what was done.
    """
    from i4districts.harmonize.correspondence import read_change_sheets
    from i4districts.harmonize.hierarchy import nuts_code_level
    from i4districts.harmonize.nuts import convert_nuts, detect_nuts_version, version_code_sets

    corrs = read_change_sheets(sheets)
    versions = version_code_sets(*corrs)
    at = df["region"].astype(str).str.startswith(country) & (nuts_code_level(df["region"]) == level)
    rows = df[at]
    found = detect_nuts_version(rows["region"].astype(str).unique(), versions, on_mixed="raise", table=table)
    record: dict[str, object] = {"target": target, "checked": True, "detected": found.version,
                                 "candidates": list(found.candidates), "converted": False}
    if target in found.candidates:
        record["note"] = (f"region codes checked: NUTS {target} (they fit NUTS {', '.join(found.candidates)})")
        return df, record
    corr = next((c for c in corrs if str(c.from_version) == str(found.version) and str(c.to_version) == target),
                None)
    if corr is None:
        raise ValueError(f"{table}: region codes are NUTS {found.version}, data.nuts_version is {target}, and no "
                         f"change sheet NUTS{found.version}-NUTS{target} was given (data.nuts_changes)")
    constant = [c for c in ("unit", "vintage") if c in rows.columns and rows[c].nunique() == 1]
    extra = [c for c in rows.columns if c not in ("region", "value", "flag", "nuts_level", *constant)]
    converted, changes = convert_nuts(rows[["region", *extra, "value"]], corr, code_col="region",
                                      value_cols=["value"], by=extra, table=table)
    for c in constant:
        converted[c] = rows[c].iloc[0]
    if "nuts_level" in df.columns:
        converted["nuts_level"] = level
    out = pd.concat([df[~at], converted[[c for c in df.columns if c in converted.columns]]], ignore_index=True)
    record.update(converted=True, changes=int(len(changes)),
                  note=f"region codes converted from NUTS {found.version} to NUTS {target} "
                       f"({len(changes)} change row(s); approximations flagged)")
    return out, record


def differences(panel_path: Path, exposure_path: Path, out: Path, *, periods: Sequence[tuple[int, int]],
                traits_path: Path | None = None, interact: Sequence[str] = ()) -> Path:
    """Long or stacked differences by period, one row per region × period (:func:`i4districts.frame.difference_frame`)."""
    emp = io.read_parquet(panel_path, columns=["region", "sector", "year", "value"])
    exp = io.read_parquet(exposure_path, columns=[*REGION_YEAR, "exposure"])
    traits = io.read_parquet(traits_path) if traits_path is not None else None
    table = difference_frame(emp, exp, list(periods), region_traits=traits, interact=tuple(interact))
    notes = [*io.read_notes(panel_path), *io.read_notes(exposure_path),
             *(io.read_notes(traits_path) if traits_path is not None else [])]
    return io.write_parquet(table, out, notes=notes)


def frame(panel_path: Path, exposure_path: Path, out: Path, *, base_year: int,
          traits_path: Path | None = None) -> Path:
    """Model frame: employment growth (log points) joined with exposure for the years after the base year.

    Every numeric measure of the exposure table (``exposure``, ``exposure_change``, ``exposure_iv`` ...) is kept,
    and the numeric columns of a region-level ``traits_path`` table (e.g. the district summary) are joined.

    With manufacturing (C) in the sector set, each region also gets its base-year
    manufacturing LQ and the flag LQ > 1 (for heterogeneity by specialisation).
    """
    emp = io.read_parquet(panel_path, columns=["region", "sector", "year", "value"])
    exp = io.read_parquet(exposure_path, columns=[*REGION_YEAR, "exposure"])
    measures = [c for c in exp.columns if c not in (*REGION_YEAR, "unit") and pd.api.types.is_numeric_dtype(exp[c])]
    traits = manufacturing_specialisation(emp, base_year=base_year) if "C" in set(emp[SECTOR]) else None
    notes = [*io.read_notes(panel_path), *io.read_notes(exposure_path)]
    if traits_path is not None:
        extra = io.read_parquet(traits_path)
        numeric = [c for c in extra.columns if c != "region" and pd.api.types.is_numeric_dtype(extra[c])]
        extra = extra[["region", *numeric]]
        traits = extra if traits is None else traits.merge(extra, on="region", how="left", validate="one_to_one")
        notes += io.read_notes(traits_path)
    mf = model_frame(employment_growth(emp), exp[[*REGION_YEAR, *measures]], base_year=base_year,
                     region_traits=traits)
    return io.write_parquet(mf, out, notes=notes)


ILLUSTRATIVE_MARK = "illustrative adoption data"


def table(results: Sequence[Path], frames: Sequence[Path], out_dir: Path, *, name: str,
          formats: Sequence[str], digits: int = 4, labels: Mapping[str, str] | None = None,
          title: str | None = None, column_labels: Mapping[str, str] | None = None,
          statistic: str = "se", stars: Sequence[float] | None = (0.10, 0.05, 0.01),
          units: Mapping[str, str] | None = None, column_groups: Mapping[str, Sequence[str]] | None = None,
          design_rows: bool = True) -> list[Path]:
    """Regression table of estimation results (one column each) in the requested formats.

    One tidy table (:func:`i4districts.tables.regression.regression_table`) rendered to every format
    (:func:`i4districts.tables.render.write_table`: ``<name>.<fmt>``, ``<name>.standalone.tex``,
    ``<name>.fragment.html``). Term labels: derived from each model spec, overridden by ``labels``.
    ``frames``: the model frames, one per result in order, or the distinct frames (each result is
    then matched to the frame holding its outcome with ``nobs`` non-missing values); they give the
    mean of the dependent variable, the sample, and the provenance notes, so a table built on
    synthetic adoption always says "illustrative adoption data" and prints no significance stars.
    ``stars``: p-value thresholds (None: no stars); ``statistic``: ``se``, ``t`` or ``ci``.
    """
    from i4districts.tables.notes import frame_notes, illustrative
    from i4districts.tables.regression import StarConvention, match_frames, regression_table
    from i4districts.tables.render import write_table

    records = [json.loads(Path(p).read_text("utf-8")) for p in results]
    provenance = frame_notes(frames)
    loaded = [io.read_parquet(f) for f in frames]
    table = regression_table(
        records, name=name, title=title or "Estimation results", labels=labels, units=units,
        column_labels=column_labels, column_groups=column_groups, statistic=statistic, digits=digits,
        stars=StarConvention.from_thresholds(stars) if stars else False, illustrative=illustrative(provenance),
        design_rows=design_rows, frames=match_frames(records, loaded), provenance=provenance)
    return write_table(table, out_dir, formats)
