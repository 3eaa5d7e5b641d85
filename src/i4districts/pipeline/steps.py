"""Steps of the default pipeline: read inputs, call the pure library, write outputs atomically.

sample → panel → specialization and concentration; panel → adoption → exposure
→ model frame → (``i4d estimate``, one per model spec) → table. Provenance notes (data attribution, "illustrative
adoption data") are carried along in the Parquet metadata.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from i4districts import io
from i4districts.adoption import ILLUSTRATIVE_NOTE, illustrative_adoption, sector_adoption_table
from i4districts.exposure.normalise import normalise_exposure
from i4districts.exposure.shiftshare import adoption_changes, baseline_shares, shift_share_exposure
from i4districts.indicators.specialization import specialization_tables
from i4districts.panel import (
    PanelSelection,
    employment_growth,
    manufacturing_specialisation,
    model_frame,
    select_employment_panel,
)
from i4districts.sample import (
    ATTRIBUTION,
    SAMPLE_SCHEMA,
    load_embedded_sample,
    read_nama_10r_3empers_csv,
    sha256_of,
)
from i4districts.validation import validate
from i4districts.tables.regression import RENDERERS, ModelColumn, to_csv


def make_sample(csv: Path, out: Path) -> Path:
    """Derive the embedded Parquet sample from the Data Commons CSV of ``nama_10r_3empers``."""
    df = read_nama_10r_3empers_csv(csv)
    note = f"derived from {Path(csv).name} (datacommonsorg/data re-publication), sha256 {sha256_of(csv)}"
    return io.write_parquet(df, out, notes=[ATTRIBUTION, note])


def sample(out: Path, *, source: str = "embedded") -> Path:
    """Copy the embedded sample to ``out`` (the only panel source so far; fetched tables are not wired in yet)."""
    if source != "embedded":
        raise ValueError(f"data.source: unknown source {source!r}; only 'embedded' is available")
    return io.write_parquet(load_embedded_sample(), out, notes=[ATTRIBUTION])


def panel(sample_path: Path, out: Path, selection: PanelSelection) -> Path:
    """Validated employment panel (geo, nace, year) for the configured selection."""
    df = validate(io.read_parquet(sample_path), SAMPLE_SCHEMA, source=str(sample_path))
    return io.write_parquet(select_employment_panel(df, selection), out, notes=io.read_notes(sample_path))


SPECIALIZATION_INDICES = ("krugman", "hoover", "herfindahl", "herfindahl_normalized", "herfindahl_relative",
                          "entropy", "entropy_normalized", "entropy_relative", "gini")
ALL_SECTORS = "ALL"


def specialization_long_table(emp: pd.DataFrame) -> pd.DataFrame:
    """Tidy table keyed by (geo, nace, year, indicator): LQs per sector, indices with ``nace = "ALL"``.

    Unit-free values; ``flag`` says why a value is undefined ("ok" otherwise).
    """
    lq, idx = specialization_tables(emp)
    lq = lq.assign(indicator="lq").rename(columns={"lq": "value"})
    wide = idx.melt(id_vars=["geo", "year", "flag"], value_vars=list(SPECIALIZATION_INDICES),
                    var_name="indicator", value_name="value")
    wide["nace"] = ALL_SECTORS
    out = pd.concat([lq, wide], ignore_index=True)[["geo", "nace", "year", "indicator", "value", "flag"]]
    out["flag"] = out["flag"].astype("string")
    for col in ("geo", "nace", "indicator"):
        out[col] = out[col].astype("string")
    out["unit"] = pd.Series("ratio", index=out.index, dtype="string")
    return out.sort_values(["geo", "nace", "year", "indicator"], ignore_index=True)


def specialization(panel_path: Path, out: Path) -> Path:
    """Specialization indicators per region × year (and LQs per region × sector × year), long format."""
    df = io.read_parquet(panel_path, columns=["geo", "nace", "year", "employment"])
    return io.write_parquet(specialization_long_table(df), out, notes=io.read_notes(panel_path))


def adoption(panel_path: Path, out: Path, *, source: str = "illustrative", seed: int = 0,
             table_path: Path | None = None, column: str = "adoption", unit: str = "") -> Path:
    """Sector adoption for the panel's sectors and years: a validated user table or illustrative paths."""
    df = io.read_parquet(panel_path, columns=["nace", "year"])
    sectors, start, end = df["nace"].unique(), int(df["year"].min()), int(df["year"].max())
    if source == "illustrative":
        return io.write_parquet(illustrative_adoption(sectors, start, end, seed=seed), out, notes=[ILLUSTRATIVE_NOTE])
    if source != "table" or table_path is None:
        raise ValueError(f"adoption.source: {source!r} needs adoption.table (a CSV or Parquet path)"
                         if source == "table" else f"adoption.source: unknown source {source!r}")
    table = sector_adoption_table(io.read_table(table_path), sectors=sectors, start=start, end=end, column=column,
                                  unit=unit, source=str(table_path))
    note = f"adoption: {column} ({unit}) from {Path(table_path).name}"
    return io.write_parquet(table, out, notes=[note])


def exposure(panel_path: Path, adoption_path: Path, out: Path, *, base_year: int, normalisation: str = "none") -> Path:
    """Shift-share exposure per region × year: level Σ_s w_rs a_st and annual change Σ_s w_rs Δa_st.

    Units: those of the adoption indicator, or standard deviations with ``normalisation="sd"``.
    """
    emp = io.read_parquet(panel_path, columns=["geo", "nace", "year", "employment"])
    adopt = io.read_parquet(adoption_path, columns=["nace", "year", "adoption", "unit"])
    shares = baseline_shares(emp, base_year=base_year)
    level = adopt.rename(columns={"adoption": "shift"})[["nace", "year", "shift"]]
    years = sorted(level["year"].unique())
    change = adoption_changes(level, periods=list(zip(years[:-1], years[1:])), value="shift")
    exp_level = shift_share_exposure(shares, level)
    exp_change = shift_share_exposure(shares, change).rename(columns={"exposure": "exposure_change"})
    table = exp_level.merge(exp_change, on=["geo", "year"], how="left", validate="one_to_one")
    table = normalise_exposure(table, columns=["exposure", "exposure_change"], method=normalisation,
                               base_year=base_year)
    unit = "standard deviations" if normalisation == "sd" else str(adopt["unit"].iloc[0])
    table["unit"] = pd.Series(unit, index=table.index, dtype="string")
    notes = [*io.read_notes(panel_path), *io.read_notes(adoption_path)]
    if normalisation == "sd":
        notes.append("exposure standardised: divided by its standard deviation after the base year")
    return io.write_parquet(table, out, notes=notes)


def frame(panel_path: Path, exposure_path: Path, out: Path, *, base_year: int) -> Path:
    """Model frame: employment growth (log points) joined with exposure for years after the base year.

    With manufacturing (C) in the sector set, each region also gets its base-year
    manufacturing LQ and the flag LQ > 1 (for heterogeneity by specialisation).
    """
    emp = io.read_parquet(panel_path, columns=["geo", "nace", "year", "employment"])
    exp = io.read_parquet(exposure_path, columns=["geo", "year", "exposure", "exposure_change"])
    traits = manufacturing_specialisation(emp, base_year=base_year) if "C" in set(emp["nace"]) else None
    mf = model_frame(employment_growth(emp), exp[["geo", "year", "exposure", "exposure_change"]],
                     base_year=base_year, region_traits=traits)
    notes = [*io.read_notes(panel_path), *io.read_notes(exposure_path)]
    return io.write_parquet(mf, out, notes=notes)


TERM_LABELS = {
    "exposure_change": "I4.0 exposure, annual change",
    "exposure_change:manufacturing_specialised": "× manufacturing-specialised region (LQ_C > 1)",
    "exposure": "I4.0 exposure, change over the period",
    "const": "Constant",
}
EFFECT_LABELS = {"entity": "Region FE", "time": "Year FE"}
CLUSTER_LABELS = {"geo": "region", "year": "year", "nace": "sector"}


def column_from_result(result: dict, model_id: str) -> ModelColumn:
    """Table column from an estimation-result record (as written by ``i4d estimate``)."""
    coefs = pd.DataFrame(result["coefficients"])
    spec = result.get("spec", {})
    stats = {"Observations": f"{int(result['nobs']):,}"}
    if result.get("n_clusters"):
        stats["Clusters"] = f"{int(result['n_clusters']):,}"
    if result.get("r2_within") is not None:
        stats["Within R²"] = f"{float(result['r2_within']):.3f}"
    for effect in spec.get("effects", []):
        name = effect if isinstance(effect, str) else " × ".join(effect)
        stats[EFFECT_LABELS.get(name, f"{name} FE")] = "Yes"
    cov = spec.get("cov", {})
    cluster = cov.get("cluster")
    clusters = [cluster] if isinstance(cluster, str) else list(cluster or [])
    by = " and ".join(CLUSTER_LABELS.get(c, c) for c in clusters)
    stats["Std. errors"] = cov.get("type", "").replace("_", "-").capitalize() + (f" by {by}" if by else "")
    label = spec.get("description") or spec.get("outcome", model_id)
    return ModelColumn(model_id=model_id, label=str(label), coefficients=coefs, statistics=stats)


def table(results: Sequence[Path], frames: Sequence[Path], out_dir: Path, *, name: str,
          formats: Sequence[str], digits: int = 4) -> list[Path]:
    """Regression table of one or more estimation results in the requested formats.

    Notes are the union of the provenance notes of the model frames, so a table
    built on synthetic adoption always says "illustrative adoption data".
    """
    columns = []
    for path in results:
        record = json.loads(Path(path).read_text("utf-8"))
        columns.append(column_from_result(record, Path(path).stem))
    notes = sorted({n for f in frames for n in io.read_notes(f)})
    illustrative = any("illustrative adoption data" in n for n in notes)
    title = "I4.0 exposure and regional employment growth"
    if illustrative:
        title += " (illustrative adoption data)"
    written = []
    for fmt in formats:
        path = Path(out_dir) / f"{name}.{fmt}"
        if fmt == "csv":
            text = to_csv(columns, title=title, notes=notes)
        else:
            kwargs = {"label": f"tab:{name}"} if fmt == "tex" else {}
            text = RENDERERS[fmt](columns, title=title, notes=notes, labels=TERM_LABELS, digits=digits, **kwargs)
        written.append(io.write_text(text, path))
    return written
