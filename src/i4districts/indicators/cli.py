"""Command line for the indicators: one subcommand per indicator family.

Every subcommand reads Parquet tables, calls one pure function of
:mod:`i4districts.indicators` and writes one Parquet table atomically
(provenance notes of the inputs are carried over). Bad input exits with
status 2 and a message naming the file, column and values.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from i4districts import io

__all__ = [
    "register",
    "main_location_quotients",
    "main_specialization_indices",
    "main_variety",
    "main_size_structure",
    "main_servitization",
    "main_districts",
    "main_concentration",
    "main_tier_shares",
    "main_spatial_polarization",
    "main_theil",
]


def _keys(p: argparse.ArgumentParser, *, sector: str = "nace", sector_help: str = "sector column") -> None:
    p.add_argument("--region", default="geo", help="region column (default: geo)")
    p.add_argument("--sector", default=sector, help=f"{sector_help} (default: {sector})")
    p.add_argument("--time", default="year", help="time column (default: year)")
    p.add_argument("--value", default="employment", help="non-negative count column (default: employment)")
    p.add_argument(
        "--missing",
        choices=("raise", "zero", "propagate"),
        default="raise",
        help="treatment of missing counts (default: raise)",
    )


def _io(p: argparse.ArgumentParser, name: str = "--emp", what: str = "long employment table") -> None:
    p.add_argument(name, required=True, type=Path, help=f"{what} (Parquet)")
    p.add_argument("--out", required=True, type=Path, help="output table (Parquet, written atomically)")


def _read(path: Path) -> pd.DataFrame:
    return io.read_parquet(path)


def _write(df: pd.DataFrame, out: Path, *inputs: Path) -> None:
    notes: list[str] = []
    for path in inputs:
        if path is not None:
            notes += io.read_notes(path)
    io.write_parquet(df, out, notes=notes)
    print(f"wrote {out} ({len(df)} rows)")


def _run(command: str, fn: Callable[[], int]) -> int:
    try:
        return fn()
    except ValueError as exc:
        print(f"i4d {command}: error: {exc}", file=sys.stderr)
        return 2


def _kw(args: argparse.Namespace) -> dict[str, object]:
    return dict(region=args.region, sector=args.sector, time=args.time, value=args.value, missing=args.missing)


def main_location_quotients(args: argparse.Namespace) -> int:
    """``i4d location-quotients``: LQ per region × sector × time."""
    from .specialization import location_quotients

    def run() -> int:
        ref = _read(args.reference) if args.reference else None
        _write(location_quotients(_read(args.emp), reference=ref, **_kw(args)), args.out, args.emp, args.reference)
        return 0

    return _run("location-quotients", run)


def main_specialization_indices(args: argparse.Namespace) -> int:
    """``i4d specialization-indices``: Krugman, Hoover, Herfindahl, entropy, Gini per region × time."""
    from .specialization import specialization_indices

    def run() -> int:
        ref = _read(args.reference) if args.reference else None
        out = specialization_indices(_read(args.emp), reference=ref, gini=not args.no_gini, **_kw(args))
        _write(out, args.out, args.emp, args.reference)
        return 0

    return _run("specialization-indices", run)


def main_variety(args: argparse.Namespace) -> int:
    """``i4d variety``: entropy, related and unrelated variety per region × time."""
    from .variety import related_unrelated_variety

    def run() -> int:
        if args.group_map:
            groups: object = json.loads(args.group_map.read_text())
        else:
            n = args.group_prefix
            groups = lambda code: str(code)[:n]  # noqa: E731
        _write(related_unrelated_variety(_read(args.emp), groups, **_kw(args)), args.out, args.emp)
        return 0

    return _run("variety", run)


def main_size_structure(args: argparse.Namespace) -> int:
    """``i4d size-structure``: employment share and LQ by size class."""
    from .size_structure import size_class_structure

    def run() -> int:
        out = size_class_structure(
            _read(args.units),
            region=args.region,
            size_class=args.sector,
            time=args.time,
            value=args.value,
            missing=args.missing,
        )
        _write(out, args.out, args.units)
        return 0

    return _run("size-structure", run)


def main_servitization(args: argparse.Namespace) -> int:
    """``i4d servitization``: KIBS per manufacturing job and LQs per region × time."""
    from .servitization import KIBS_NACE, servitization
    from .specialization import MANUFACTURING_NACE

    def run() -> int:
        kibs = args.kibs.split(",") if args.kibs else KIBS_NACE
        manu = args.manufacturing.split(",") if args.manufacturing else MANUFACTURING_NACE
        _write(servitization(_read(args.emp), kibs=kibs, manufacturing=manu, **_kw(args)), args.out, args.emp)
        return 0

    return _run("servitization", run)


def main_districts(args: argparse.Namespace) -> int:
    """``i4d districts``: ISTAT/Sforzi district identification per system (× year)."""
    from .districts import identify_districts

    def run() -> int:
        out = identify_districts(
            _read(args.units),
            system=args.system,
            sector=args.sector,
            size_class=args.size_class,
            value=args.value,
            n_units=None if args.no_units else args.units_column,
            time=None if args.no_time else args.time,
            prevalence=args.prevalence,
            manufacturing_lq_min=args.manufacturing_lq_min,
            main_industry_lq_min=args.main_industry_lq_min,
            sme_share_min=args.sme_share_min,
        )
        _write(out, args.out, args.units)
        print(f"{int(out['district'].sum())} districts, {int(out['large_firm_led'].sum())} large-firm-led systems")
        return 0

    return _run("districts", run)


def main_concentration(args: argparse.Namespace) -> int:
    """``i4d concentration``: Hoover, locational Gini (and Ellison–Glaeser) per sector × time."""
    from .concentration import concentration_indices, ellison_glaeser

    def run() -> int:
        emp = _read(args.emp)
        kw = _kw(args)
        out = (
            ellison_glaeser(emp, _read(args.plant_herfindahl), **kw)
            if args.plant_herfindahl
            else concentration_indices(emp, **kw)
        )
        _write(out, args.out, args.emp, args.plant_herfindahl)
        return 0

    return _run("concentration", run)


def main_tier_shares(args: argparse.Namespace) -> int:
    """``i4d tier-shares``: employment shares by occupation tier (GMS 2014 by default)."""
    from .polarization import occupation_tier_shares

    def run() -> int:
        mapping = json.loads(args.mapping.read_text()) if args.mapping else None
        out = occupation_tier_shares(
            _read(args.emp),
            region=args.region,
            occupation=args.sector,
            time=args.time,
            value=args.value,
            mapping=mapping,
            scheme=args.scheme,
            missing=args.missing,
        )
        _write(out, args.out, args.emp)
        return 0

    return _run("tier-shares", run)


def main_spatial_polarization(args: argparse.Namespace) -> int:
    """``i4d spatial-polarization``: population-weighted Esteban–Ray, Gini and CV across regions."""
    from .spatial import spatial_polarization

    def run() -> int:
        out = spatial_polarization(
            _read(args.table),
            value=args.value,
            weight=args.weight,
            by=args.by,
            alpha=args.alpha,
            K=args.k,
            relative=not args.absolute,
        )
        _write(out, args.out, args.table)
        return 0

    return _run("spatial-polarization", run)


def main_theil(args: argparse.Namespace) -> int:
    """``i4d theil``: Theil index across regions with its between/within-group decomposition."""
    from .spatial import theil_decomposition

    def run() -> int:
        out = theil_decomposition(_read(args.table), value=args.value, group=args.group, weight=args.weight, by=args.by)
        _write(out, args.out, args.table)
        return 0

    return _run("theil", run)


def register(subparsers) -> None:
    """Add the indicator subcommands to an ``add_subparsers(dest="command")`` object."""
    p = subparsers.add_parser(
        "location-quotients",
        help="location quotients per region × sector × time",
        description="LQ_rs = (E_rs/E_r)/(E_s/E), reference = sum over the table's regions "
        "per time or --reference (sector, time, value).",
    )
    _io(p)
    _keys(p)
    p.add_argument("--reference", type=Path, default=None, help="reference economy by sector × time (Parquet)")
    p.set_defaults(func=main_location_quotients)

    p = subparsers.add_parser(
        "specialization-indices",
        help="Krugman, Hoover, Herfindahl, entropy, Gini per region",
        description="Specialization indices per region × time (see "
        "i4districts.indicators.specialization for the formulas).",
    )
    _io(p)
    _keys(p)
    p.add_argument("--reference", type=Path, default=None, help="reference economy by sector × time (Parquet)")
    p.add_argument("--no-gini", action="store_true", help="skip the Gini of specialization (the only sorted index)")
    p.set_defaults(func=main_specialization_indices)

    p = subparsers.add_parser(
        "variety",
        help="related and unrelated variety (Frenken et al. 2007)",
        description="Entropy = related + unrelated variety per region × time; sectors "
        "nest in groups given by a code prefix or a JSON mapping.",
    )
    _io(p)
    _keys(p)
    g = p.add_mutually_exclusive_group()
    g.add_argument(
        "--group-prefix", type=int, default=1, help="group = first N characters of the sector code (default 1)"
    )
    g.add_argument("--group-map", type=Path, default=None, help="JSON object sector code -> group")
    p.set_defaults(func=main_variety)

    p = subparsers.add_parser(
        "size-structure",
        help="employment share and LQ by firm-size class",
        description="Decentralization: share and LQ of each size class (W0_9, W10_49, "
        "W50_249, W_GE250) per region × time.",
    )
    _io(p, "--units", "long table of employment by region × size class × time")
    _keys(p, sector="size_class", sector_help="size-class column")
    p.set_defaults(func=main_size_structure)

    p = subparsers.add_parser(
        "servitization",
        help="KIBS per manufacturing job and its LQ",
        description="Territorial servitization per region × time.",
    )
    _io(p)
    _keys(p)
    p.add_argument("--kibs", default=None, help="comma-separated KIBS sector codes (default: NACE 62,63,69-73)")
    p.add_argument("--manufacturing", default=None, help="comma-separated manufacturing codes (default: C, 10-33)")
    p.set_defaults(func=main_servitization)

    p = subparsers.add_parser(
        "districts",
        help="ISTAT/Sforzi industrial-district identification",
        description="Four-step ISTAT method on local labour systems, with the numbers "
        "behind every step; thresholds default to ISTAT 2011.",
    )
    _io(p, "--units", "employment (and local units) by system × activity × size class (× year)")
    p.add_argument("--system", default="sll", help="system column (default: sll)")
    p.add_argument("--sector", default="ateco", help="activity column (default: ateco)")
    p.add_argument("--size-class", default="size_class", help="size-class column (default: size_class)")
    p.add_argument("--value", default="employment", help="persons employed column (default: employment)")
    p.add_argument("--units-column", default="units", help="number of local units column (default: units)")
    p.add_argument("--no-units", action="store_true", help="no units column: skip ISTAT's single-medium-unit exception")
    p.add_argument("--time", default="year", help="time column (default: year)")
    p.add_argument("--no-time", action="store_true", help="the table has a single period and no time column")
    p.add_argument(
        "--prevalence",
        choices=("lq", "employment"),
        default="lq",
        help="step 1: manufacturing prevails over services by LQ (default) or employment",
    )
    p.add_argument("--manufacturing-lq-min", type=float, default=1.0, help="step 1 threshold (default 1)")
    p.add_argument("--main-industry-lq-min", type=float, default=1.0, help="step 3 threshold (default 1)")
    p.add_argument("--sme-share-min", type=float, default=0.5, help="step 4 threshold (default 0.5)")
    p.set_defaults(func=main_districts)

    p = subparsers.add_parser(
        "concentration",
        help="Hoover, locational Gini, Ellison–Glaeser per sector",
        description="Geographic concentration per sector × time; Ellison–Glaeser when a "
        "plant Herfindahl table (sector, time, plant_herfindahl) is given.",
    )
    _io(p)
    _keys(p)
    p.add_argument("--plant-herfindahl", type=Path, default=None, help="plant Herfindahl by sector × time (Parquet)")
    p.set_defaults(func=main_concentration)

    p = subparsers.add_parser(
        "tier-shares",
        help="employment shares by low/middle/high-paying occupation tier",
        description="Job polarization tiers, Goos–Manning–Salomons (2014) by default.",
    )
    _io(p)
    _keys(p, sector="isco", sector_help="occupation column")
    p.add_argument(
        "--scheme",
        choices=("isco88_2digit", "isco08_major"),
        default="isco88_2digit",
        help="built-in tier mapping (default: GMS ISCO-88 2-digit)",
    )
    p.add_argument("--mapping", type=Path, default=None, help="JSON object occupation code -> low/middle/high/excluded")
    p.set_defaults(func=main_tier_shares)

    p = subparsers.add_parser(
        "spatial-polarization",
        help="Esteban–Ray, Gini and CV across regions",
        description="Population-weighted polarization of a regional variable per time.",
    )
    _io(p, "--table", "one row per region (× time)")
    p.add_argument("--value", required=True, help="regional variable (rate, share, income per head)")
    p.add_argument("--weight", default="population", help="population weight column (default: population)")
    p.add_argument("--by", nargs="*", default=["year"], help="grouping columns (default: year)")
    p.add_argument("--alpha", type=float, default=1.0, help="Esteban–Ray sensitivity in (0, 1.6] (default 1)")
    p.add_argument("--k", type=float, default=1.0, help="Esteban–Ray normalisation constant K (default 1)")
    p.add_argument("--absolute", action="store_true", help="do not divide by the mean")
    p.set_defaults(func=main_spatial_polarization)

    p = subparsers.add_parser(
        "theil",
        help="Theil index with between/within-group decomposition",
        description="Theil T across regions, split between and within groups (e.g. districts vs other systems).",
    )
    _io(p, "--table", "one row per region (× time)")
    p.add_argument("--value", required=True, help="regional variable (non-negative)")
    p.add_argument("--group", required=True, help="group column (e.g. district flag)")
    p.add_argument("--weight", default="population", help="population weight column (default: population)")
    p.add_argument("--by", nargs="*", default=["year"], help="grouping columns (default: year)")
    p.set_defaults(func=main_theil)
