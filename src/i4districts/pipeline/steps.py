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
from i4districts.frame import employment_growth, manufacturing_specialisation, model_frame
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
    if source != "fetched":
        raise ValueError(f"data.source: unknown source {source!r}; choose 'embedded' or 'fetched'")
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
          unpublished: str = "refuse") -> Path:
    """Validated region × sector × year panel (:func:`i4districts.harmonize.panel.build_panel`).

    ``unpublished``: what to do with cells of the grid that are absent or unpublished: ``refuse``
    (default: an error naming them), ``drop_regions`` (keep only regions observed in every cell; the
    report lists the others) or ``zero`` (set them to 0 with flag ``unpublished_set_to_zero``, for survey
    tables with suppressed small cells). Every choice is written in the report and the notes.
    """
    if unpublished not in UNPUBLISHED:
        raise ValueError(f"data.unpublished: {unpublished!r} is not one of {list(UNPUBLISHED)}")
    df = io.read_parquet(sample_path)
    vintages = sorted(set(df["vintage"].astype(str))) if "vintage" in df.columns else ["unknown"]
    table, rep = build_panel(df, sectors=sectors, vintage=";".join(vintages), country=country,
                             region_level=nuts_level, years=(start, end), drop_extra_regio=drop_extra_regio,
                             complete=unpublished == "refuse", balanced=unpublished == "drop_regions",
                             table=str(sample_path))
    notes = list(io.read_notes(sample_path))
    if unpublished == "zero" and len(rep.gaps):
        table = zero_unpublished(table, rep.gaps)
        notes.append(f"{len(rep.gaps)} unpublished or absent cell(s) set to 0 (data.unpublished: zero)")
    if unpublished == "drop_regions" and rep.dropped_regions:
        notes.append(f"regions with unpublished cells left out (data.unpublished: drop_regions): "
                     f"{', '.join(rep.dropped_regions)}")
    if report is not None:
        io.write_json({**rep.to_dict(), "unpublished": unpublished}, report)
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
          title: str | None = None) -> list[Path]:
    """Regression table of estimation results (one column each) in the requested formats.

    Term labels: derived from each model spec (:mod:`i4districts.tables.labels`), overridden by
    ``labels``. Notes are the union of the provenance notes of the model frames, so a table built
    on synthetic adoption always says "illustrative adoption data" (also in its title) and prints no
    significance stars.
    """
    from i4districts.tables.etable import etable
    from i4districts.tables.labels import term_labels

    records = [json.loads(Path(p).read_text("utf-8")) for p in results]
    notes = sorted({n for f in frames for n in io.read_notes(f)})
    heading = title or "Estimation results"
    illustrative = any(ILLUSTRATIVE_MARK in n for n in notes)
    if illustrative:
        heading += f" ({ILLUSTRATIVE_MARK})"
    all_labels = term_labels(records, labels)
    columns = [str((r.get("spec") or {}).get("description") or r.get("model_id")) for r in records]
    written = []
    for fmt in formats:
        text = etable(records, type=fmt, labels=all_labels, model_labels=columns, title=heading, notes=notes,
                      digits=digits, stars=not illustrative)
        written.append(io.write_text(text, Path(out_dir) / f"{name}.{fmt}"))
    return written
