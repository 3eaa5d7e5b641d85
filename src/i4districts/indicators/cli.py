"""``i4d indicators`` commands: one per indicator family.

Every command reads its main Parquet table with ``-i/--input``, calls one
pure function of :mod:`i4districts.indicators` and writes one Parquet table
atomically with ``-o/--out`` (provenance notes of the inputs are carried
over). Key columns default to the vocabulary (``--region region --sector
sector --year year --value value``). Errors are not caught here:
:func:`i4districts.cli.main` reports them (exit status 2).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from i4districts import io
from i4districts.cliutil import add_io

__all__ = [
    "register",
    "main_specialization",
    "main_variety",
    "main_size_structure",
    "main_servitization",
    "main_districts",
    "main_concentration",
    "main_tier_shares",
    "main_spatial_polarization",
    "main_theil",
    "main_education_polarization",
]

_MAIN_TABLE = "long table of counts: region, sector, year, value (Parquet)"


def _keys(p: argparse.ArgumentParser, *, sector: str | None = "sector", sector_help: str = "sector column",
          region: str = "region", region_help: str = "region column", missing: bool = True) -> None:
    """The uniform key flags ``--region/--sector/--year/--value`` (and ``--missing``)."""
    p.add_argument("--region", default=region, help=f"{region_help} (default: {region})")
    if sector is not None:
        p.add_argument("--sector", default=sector, help=f"{sector_help} (default: {sector})")
    p.add_argument("--year", default="year", help="year column (default: year)")
    p.add_argument("--value", default="value", help="non-negative count column (default: value)")
    if missing:
        p.add_argument("--missing", choices=("raise", "zero", "propagate"), default="raise",
                       help="treatment of missing counts (default: raise)")


def _write(df: pd.DataFrame, out: Path, *inputs: Path | None) -> None:
    notes: list[str] = []
    for path in inputs:
        if path is not None:
            notes += io.read_notes(path)
    io.write_parquet(df, out, notes=notes)
    print(f"wrote {out} ({len(df)} rows)")


def _kw(args: argparse.Namespace) -> dict[str, object]:
    return dict(region=args.region, sector=args.sector, time=args.year, value=args.value, missing=args.missing)


def _read_keys_and_counts(path: Path, columns: list[str], keys: list[str]) -> pd.DataFrame:
    """The main table of ``specialization``, lean: only ``columns``, string ``keys`` as sorted categoricals.

    A national panel (10^7 rows) read whole, with its unit/flag/vintage strings, takes several
    times the memory of its four used columns. String keys are read dictionary-encoded and their
    categories sorted, so the integer codes are those a sorted factorization gives. If a column is
    missing, the whole table is read (the indicator then names the missing column and those found).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not path.is_file():
        return io.read_parquet(path)  # raises the usual "input table not found"
    schema = pq.read_schema(path)
    if any(c not in schema.names for c in columns) or len(set(columns)) < len(columns):
        return io.read_parquet(path)
    strings = [c for c in keys if _is_string(schema.field(c).type)]
    table = pq.read_table(path, columns=columns, read_dictionary=strings, use_pandas_metadata=True)
    emp = table.to_pandas(self_destruct=True, split_blocks=True)
    del table
    pa.default_memory_pool().release_unused()  # give the conversion's scratch back to the system
    if len(emp) == 0:
        return io.read_parquet(path)  # raises the usual "no rows" error
    for c in strings:
        cats = emp[c].cat.categories
        order = sorted(cats)
        if list(cats) != order:
            emp[c] = emp[c].cat.reorder_categories(order)
    return emp


def _is_string(t: object) -> bool:
    import pyarrow as pa

    return pa.types.is_string(t) or pa.types.is_large_string(t)


def _used_labels(col: pd.Series) -> pd.Series:
    """The distinct non-missing values of a key column (cheap for a categorical)."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        import numpy as np

        codes = col.cat.codes.to_numpy()
        used = np.bincount(codes[codes >= 0], minlength=len(col.cat.categories)) > 0
        return pd.Series(col.cat.categories[used])
    return pd.Series(col.dropna().unique())


def main_specialization(args: argparse.Namespace) -> int:
    """``i4d indicators specialization``: LQs and specialization indices, one long table.

    Written batch by batch from integer codes (:class:`~.specialization.LongTableBatches`),
    after the input is released: the process peaks far below a DataFrame of string columns.
    """
    from i4districts.harmonize.nuts import check_table_nuts_version

    from .specialization import specialization_long_batches

    emp = _read_keys_and_counts(args.input, list(dict.fromkeys([args.region, args.sector, args.year, args.value])),
                                keys=[args.region, args.sector])
    if args.region in emp.columns:
        check_table_nuts_version(_used_labels(emp[args.region]), version=args.nuts_version,
                                 sheets=args.correspondence or None, table=str(args.input))
    ref = io.read_parquet(args.reference) if args.reference else None
    out = specialization_long_batches(emp, reference=ref, gini=not args.no_gini, **_kw(args))
    del emp, ref
    notes: list[str] = []
    for path in (args.input, args.reference):
        if path is not None:
            notes += io.read_notes(path)
    _write_batches(out.schema, out.batches(), args.out, notes)
    print(f"wrote {args.out} ({out.num_rows} rows)")
    return 0


def _write_batches(schema, batches, out: Path, notes: list[str]) -> None:
    """Write record batches atomically as one Parquet file with provenance notes (as :func:`io.write_parquet`)."""
    import pyarrow.parquet as pq

    meta = dict(schema.metadata or {})
    meta[io.NOTES_KEY] = json.dumps(sorted(set(notes))).encode()
    schema = schema.with_metadata(meta)
    with io.atomic_path(out) as tmp:
        with pq.ParquetWriter(tmp, schema) as writer:
            for batch in batches:
                writer.write_batch(batch)


def main_variety(args: argparse.Namespace) -> int:
    """``i4d indicators variety``: entropy, related and unrelated variety per region × year."""
    from .variety import related_unrelated_variety

    if args.group_map:
        groups: object = json.loads(args.group_map.read_text())
    else:
        n = args.group_prefix
        groups = lambda code: str(code)[:n]  # noqa: E731
    _write(related_unrelated_variety(io.read_parquet(args.input), groups, **_kw(args)), args.out, args.input)
    return 0


def main_size_structure(args: argparse.Namespace) -> int:
    """``i4d indicators size-structure``: employment share and LQ by size class."""
    from .size_structure import size_class_structure

    out = size_class_structure(io.read_parquet(args.input), region=args.region, size_class=args.size_class,
                               time=args.year, value=args.value, missing=args.missing)
    _write(out, args.out, args.input)
    return 0


def main_servitization(args: argparse.Namespace) -> int:
    """``i4d indicators servitization``: KIBS per manufacturing job and LQs per region × year."""
    from .servitization import KIBS_DEFINITIONS, servitization
    from .specialization import MANUFACTURING_NACE

    kibs = args.kibs if args.kibs in KIBS_DEFINITIONS else args.kibs.split(",")
    manu = args.manufacturing.split(",") if args.manufacturing else MANUFACTURING_NACE
    out = servitization(io.read_parquet(args.input), kibs=kibs, manufacturing=manu, **_kw(args))
    _write(out, args.out, args.input)
    print(f"KIBS codes counted: {','.join(out.attrs.get('kibs_codes', []))}")
    return 0


def main_districts(args: argparse.Namespace) -> int:
    """``i4d indicators districts``: ISTAT/Sforzi district identification per system (× year)."""
    from .districts import identify_districts

    out = identify_districts(
        io.read_parquet(args.input),
        system=args.region,
        sector=args.sector,
        size_class=args.size_class,
        value=args.value,
        n_units=None if args.no_units else args.units_column,
        time=None if args.no_time else args.year,
        prevalence=args.prevalence,
        manufacturing_lq_min=args.manufacturing_lq_min,
        main_industry_lq_min=args.main_industry_lq_min,
        sme_share_min=args.sme_share_min,
    )
    _write(out, args.out, args.input)
    print(f"{int(out['district'].sum())} districts, {int(out['large_firm_led'].sum())} large-firm-led systems")
    return 0


def main_concentration(args: argparse.Namespace) -> int:
    """``i4d indicators concentration``: Hoover, locational Gini (and Ellison–Glaeser) per sector × year."""
    from .concentration import concentration_indices, ellison_glaeser

    emp = io.read_parquet(args.input)
    kw = _kw(args)
    out = (ellison_glaeser(emp, io.read_parquet(args.plant_herfindahl), **kw)
           if args.plant_herfindahl else concentration_indices(emp, **kw))
    _write(out, args.out, args.input, args.plant_herfindahl)
    return 0


def main_tier_shares(args: argparse.Namespace) -> int:
    """``i4d indicators tier-shares``: employment shares by occupation tier (GMS 2014 by default)."""
    from .polarization import occupation_tier_shares

    mapping = json.loads(args.mapping.read_text()) if args.mapping else None
    out = occupation_tier_shares(io.read_parquet(args.input), region=args.region, occupation=args.occupation,
                                 time=args.year, value=args.value, mapping=mapping, scheme=args.scheme,
                                 missing=args.missing, switch=args.switch, scheme_after=args.scheme_after)
    _write(out, args.out, args.input)
    return 0


def main_spatial_polarization(args: argparse.Namespace) -> int:
    """``i4d indicators spatial-polarization``: population-weighted Esteban–Ray, Gini and CV across regions."""
    from .spatial import spatial_polarization

    out = spatial_polarization(io.read_parquet(args.input), value=args.value, weight=args.weight, by=args.by,
                               alpha=args.alpha, K=args.k, relative=not args.absolute)
    _write(out, args.out, args.input)
    return 0


def main_theil(args: argparse.Namespace) -> int:
    """``i4d indicators theil``: Theil index across regions with its between/within-group decomposition."""
    from .spatial import theil_decomposition

    out = theil_decomposition(io.read_parquet(args.input), value=args.value, group=args.group, weight=args.weight,
                              by=args.by)
    _write(out, args.out, args.input)
    return 0


def main_education_polarization(args: argparse.Namespace) -> int:
    """``i4d indicators education-polarization``: LFS employment shares by attainment tier (and long changes)."""
    from .education import education_polarization, education_tier_shares, read_lfs_education

    table = read_lfs_education(args.input)
    countries = [c.strip() for c in args.countries.split(",") if c.strip()] if args.countries else None
    shares = education_tier_shares(table, countries=countries, nuts_level=args.nuts_level, sex=args.sex,
                                   age=args.age)
    notes_from = args.input if args.input.suffix == ".parquet" else None  # a raw TSV has no provenance notes
    _write(shares, args.out, notes_from)
    if args.changes:
        _write(education_polarization(shares, start=args.start, end=args.end), args.changes, notes_from)
    return 0


def _regional(p: argparse.ArgumentParser, value_help: str) -> None:
    """Flags of the cross-region commands (one row per region × year)."""
    add_io(p, "one row per region (× year) (Parquet)", "output table (Parquet)")
    p.add_argument("--value", default="value", help=f"{value_help} (default: value)")
    p.add_argument("--weight", default="population", help="population weight column (default: population)")
    p.add_argument("--by", nargs="*", default=["year"], help="grouping columns (default: year)")


def register(stage: str, subparsers) -> None:
    """Add the indicator commands to the ``indicators`` stage."""
    if stage != "indicators":
        return
    out_help = "output table (Parquet, written atomically)"

    p = subparsers.add_parser(
        "specialization", help="location quotients and specialization indices (one long table)",
        description="LQ_rs = (E_rs/E_r)/(E_s/E) per region × sector × year and Krugman, Hoover, Herfindahl, "
                    "entropy, Gini per region × year (sector 'ALL'), as region, sector, year, indicator, value, "
                    "unit, flag. NUTS region codes are checked to belong to one NUTS version (--nuts-version "
                    "to require one); reference economy = the table's regions or --reference.")
    add_io(p, _MAIN_TABLE, out_help)
    _keys(p)
    p.add_argument("--reference", type=Path, default=None, help="reference economy by sector × year (Parquet)")
    p.add_argument("--no-gini", action="store_true", help="skip the Gini of specialization (the only sorted index)")
    p.add_argument("--nuts-version", default=None,
                   help="require every region code to be in this NUTS version (e.g. 2016); default: detect and "
                        "refuse a table mixing versions")
    p.add_argument("--correspondence", type=Path, action="append", default=[],
                   help="Eurostat NUTS change sheet (CSV) giving the code lists; repeatable "
                        "(default: the detailed sheets in $I4D_SHARED_DATA/nuts)")
    p.set_defaults(func=main_specialization)

    p = subparsers.add_parser(
        "variety", help="related and unrelated variety (Frenken et al. 2007)",
        description="Entropy = related + unrelated variety per region × year; sectors nest in groups given by a "
                    "code prefix or a JSON mapping.")
    add_io(p, _MAIN_TABLE, out_help)
    _keys(p)
    g = p.add_mutually_exclusive_group()
    g.add_argument("--group-prefix", type=int, default=1,
                   help="group = first N characters of the sector code (default 1)")
    g.add_argument("--group-map", type=Path, default=None, help="JSON object sector code -> group")
    p.set_defaults(func=main_variety)

    p = subparsers.add_parser(
        "size-structure", help="employment share and LQ by firm-size class",
        description="Decentralization: share and LQ of each size class (W0_9, W10_49, W50_249, W_GE250) "
                    "per region × year.")
    add_io(p, "long table by region × size_class × year (Parquet)", out_help)
    _keys(p, sector=None)
    p.add_argument("--size-class", default="size_class", help="size-class column (default: size_class)")
    p.set_defaults(func=main_size_structure)

    p = subparsers.add_parser(
        "servitization", help="KIBS per manufacturing job and its LQ",
        description="Territorial servitization per region × year.")
    add_io(p, _MAIN_TABLE, out_help)
    _keys(p)
    p.add_argument("--kibs", default="core",
                   help="KIBS definition: 'core' (default: 62, 63.1, 69, 70.2, 71-73; 70.1 head offices excluded "
                        "when 3-digit codes exist), 'broad' (62-63, 69-74) or comma-separated sector codes")
    p.add_argument("--manufacturing", default=None, help="comma-separated manufacturing codes (default: C, 10-33)")
    p.set_defaults(func=main_servitization)

    p = subparsers.add_parser(
        "districts", help="ISTAT/Sforzi industrial-district identification",
        description="Four-step ISTAT method on local labour systems, with the numbers behind every step; "
                    "thresholds default to ISTAT 2011.")
    add_io(p, "employment (and local units) by system × activity × size class (× year) (Parquet)", out_help)
    _keys(p, sector_help="activity (ATECO) column", region_help="local labour system column", missing=False)
    p.add_argument("--size-class", default="size_class", help="size-class column (default: size_class)")
    p.add_argument("--units-column", default="units", help="number of local units column (default: units)")
    p.add_argument("--no-units", action="store_true",
                   help="no units column: ISTAT's single-medium-unit rule is not applied (flagged not_applicable_no_units)")
    p.add_argument("--no-time", action="store_true", help="the table has a single period and no year column")
    p.add_argument("--prevalence", choices=("excess", "lq", "employment"), default="excess",
                   help="step 1: manufacturing prevails over services by ISTAT's prevalence (excess-employment) "
                        "index (default), by LQ, or by employment")
    p.add_argument("--manufacturing-lq-min", type=float, default=1.0, help="step 1 threshold (default 1)")
    p.add_argument("--main-industry-lq-min", type=float, default=1.0, help="step 3 threshold (default 1)")
    p.add_argument("--sme-share-min", type=float, default=0.5, help="step 4 threshold (default 0.5)")
    p.set_defaults(func=main_districts)

    p = subparsers.add_parser(
        "concentration", help="Hoover, locational Gini, Ellison–Glaeser per sector",
        description="Geographic concentration per sector × year; Ellison–Glaeser when a plant Herfindahl table "
                    "(sector, year, plant_herfindahl) is given.")
    add_io(p, _MAIN_TABLE, out_help)
    _keys(p)
    p.add_argument("--plant-herfindahl", type=Path, default=None, help="plant Herfindahl by sector × year (Parquet)")
    p.set_defaults(func=main_concentration)

    p = subparsers.add_parser(
        "tier-shares", help="employment shares by low/middle/high-paying occupation tier",
        description="Job polarization tiers, Goos–Manning–Salomons (2014) by default.")
    add_io(p, "long table by region × occupation × year (Parquet)", out_help)
    _keys(p, sector=None)
    p.add_argument("--occupation", default="isco", help="occupation column (default: isco)")
    p.add_argument("--scheme", choices=("isco88_2digit", "isco08_2digit", "isco08_major"), default="isco88_2digit",
                   help="built-in tier mapping (default: GMS ISCO-88 2-digit)")
    p.add_argument("--switch", type=int, default=None,
                   help="year from which --scheme-after applies (e.g. 2011, the LFS's ISCO-88 -> ISCO-08 switch)")
    p.add_argument("--scheme-after", choices=("isco08_2digit", "isco08_major"), default="isco08_2digit",
                   help="tier mapping from --switch on (default: isco08_2digit)")
    p.add_argument("--mapping", type=Path, default=None, help="JSON object occupation code -> low/middle/high/excluded")
    p.set_defaults(func=main_tier_shares)

    p = subparsers.add_parser(
        "spatial-polarization", help="Esteban–Ray, Gini and CV across regions",
        description="Population-weighted polarization of a regional variable per year.")
    _regional(p, "regional variable (rate, share, income per head)")
    p.add_argument("--alpha", type=float, default=1.0, help="Esteban–Ray sensitivity in (0, 1.6] (default 1)")
    p.add_argument("--k", type=float, default=1.0, help="Esteban–Ray normalisation constant K (default 1)")
    p.add_argument("--absolute", action="store_true", help="do not divide by the mean")
    p.set_defaults(func=main_spatial_polarization)

    p = subparsers.add_parser(
        "theil", help="Theil index with between/within-group decomposition",
        description="Theil T across regions, split between and within groups (e.g. districts vs other systems).")
    _regional(p, "regional variable (non-negative)")
    p.add_argument("--group", required=True, help="group column (e.g. district flag)")
    p.set_defaults(func=main_theil)

    p = subparsers.add_parser(
        "education-polarization", help="LFS employment shares by attainment tier (low/middle/high) per NUTS-2",
        description="Eurostat lfst_r_lfe2eedu (bulk TSV, fetched or tidy Parquet) -> share of the employed with "
                    "known attainment in ED0-2 / ED3_4 / ED5-8 per region × year (NRP excluded; ':' and 'c' never "
                    "zero; 'u' and 'b' flagged); optionally the long changes and polarization per region.")
    add_io(p, "lfst_r_lfe2eedu: bulk TSV (.tsv/.tsv.gz) or fetched/tidy Parquet", out_help)
    p.add_argument("--countries", default="IT,ES", help="comma-separated NUTS country codes (default: IT,ES)")
    p.add_argument("--nuts-level", type=int, default=2, help="NUTS level of the regions kept (default: 2)")
    p.add_argument("--sex", default="T", help="sex code (default: T)")
    p.add_argument("--age", default="Y25-64", help="age code (default: Y25-64)")
    p.add_argument("--changes", type=Path, default=None,
                   help="also write the long changes and polarization per region (Parquet)")
    p.add_argument("--start", type=int, default=2000, help="first year of the long change (default: 2000)")
    p.add_argument("--end", type=int, default=2015, help="last year of the long change (default: 2015)")
    p.set_defaults(func=main_education_polarization)
