"""``i4d indicators sll-districts|district-screen`` and ``i4d data census2011`` (thin wrappers).

Library functions: :mod:`i4districts.indicators.sll_districts`,
:mod:`i4districts.indicators.district_screen`, :mod:`i4districts.harmonize.census2011`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from i4districts.cliutil import add_input, add_io, add_out

ISTAT_NOTE = ("Fonte: Istat (CC BY 4.0): sistemi locali del lavoro 2021, specializzazione produttiva prevalente "
              "2021, Frame-SBS territoriale 2023")


def main_sll_districts(args: argparse.Namespace) -> int:
    from i4districts import io
    from i4districts.indicators.sll_districts import istat_sll_outputs

    decisions = io.read_parquet(args.decisions) if args.decisions else None
    table, shares = istat_sll_outputs(args.input, decisions, nuts_version=args.nuts_version)
    basis = table["basis"].iloc[0]
    notes = [ISTAT_NOTE,
             f"SLL 2021 table: ISTAT class/group (2021), Frame-SBS 2023 totals; decisions: {basis}",
             "flags: made_in_italy = ISTAT 2021 class A; manufacturing_specialised = classes A+B"
             + ("; screen = section-level screen, not ISTAT's district list" if basis == "section_screen" else "")
             + ("; district = ISTAT/Sforzi method" if basis == "istat_sforzi" else ""),
             f"NUTS {args.nuts_version}; SLL population allocated to NUTS-3 in proportion to the SLL's persons employed"]
    io.write_parquet(table, args.out, notes=notes)
    io.write_parquet(shares, args.shares_out, notes=notes)
    print(f"{len(table)} SLLs ({basis}); {shares['region'].nunique()} NUTS-3 regions x {shares['flag'].nunique()} flags")
    return 0


def main_sll_shares(args: argparse.Namespace) -> int:
    from i4districts import io
    from i4districts.indicators.sll_districts import nuts3_sll_shares, sll_flags

    munis = io.read_parquet(args.input)
    decisions = io.read_parquet(args.decisions)
    if "year" in decisions and decisions["year"].nunique() > 1:
        decisions = decisions[decisions["year"] == decisions["year"].max()]
    need = {"municipality", "sll", "nuts3", "employment"} - set(munis.columns)
    if need:
        raise ValueError(f"{args.input}: municipalities table lacks columns {sorted(need)}")
    main = munis.sort_values("centre", ascending=False) if "centre" in munis else munis
    main = main.drop_duplicates("sll").set_index("sll")
    table = decisions.rename(columns={"region": "sll"}).copy()
    table.insert(1, "nuts3", table["sll"].map(main["nuts3"]))
    table["population"] = table["sll"].map(munis.groupby("sll")["population"].sum()) if "population" in munis \
        else float("nan")
    table["basis"] = "istat_sforzi"
    shares = nuts3_sll_shares(munis.rename(columns={"employment": "weight"}), sll_flags(table, ["district"]))
    notes = [*io.read_notes(args.input), "district SLLs: ISTAT/Sforzi method (i4districts.indicators.districts)"]
    io.write_parquet(table, args.out, notes=notes)
    io.write_parquet(shares, args.shares_out, notes=notes)
    if args.traits_out:
        traits = shares[shares["flag"] == "district"][["region", "employment_share"]].rename(
            columns={"employment_share": "district_share"})
        io.write_parquet(traits, args.traits_out, notes=notes)
    print(f"{int(table['district'].sum())} district SLLs of {len(table)}; {shares['region'].nunique()} NUTS-3 regions")
    return 0


def main_district_screen(args: argparse.Namespace) -> int:
    from i4districts import io
    from i4districts.indicators.district_screen import SCREEN_LABEL, asia_sll_units, manufacturing_sme_screen

    fetched = io.read_parquet(args.input)
    units = asia_sll_units(fetched, source=str(args.input))
    out = manufacturing_sme_screen(units)
    if args.year is not None:
        out = out[out["year"] == args.year]
    io.write_parquet(out, args.out, notes=[f"{SCREEN_LABEL}. Source: ISTAT, {args.input.name}"])
    print(f"{int(out['screen_pass'].sum())} of {len(out)} SLL-years pass the screen ({SCREEN_LABEL})")
    return 0


def main_census2011(args: argparse.Namespace) -> int:
    from i4districts import io
    from i4districts.harmonize.census2011 import read_census2011

    table = read_census2011(args.input)
    io.write_parquet(table, args.out, notes=["Source: ISTAT, 9th Census of industry and services 2011 "
                                             f"(CC BY 4.0), {Path(args.input).name}"])
    print(f"{len(table)} cells: {table['region'].nunique()} municipalities x {table['sector'].nunique()} "
          f"ATECO codes x {table['size_class'].nunique()} size classes")
    return 0


def register(stage: str, subparsers: argparse._SubParsersAction) -> None:
    """Add the district commands of ``stage`` (indicators or data)."""
    if stage == "indicators":
        p = subparsers.add_parser(
            "sll-districts", help="SLL 2021 table with district decisions, and NUTS-3 shares in flagged SLLs",
            description="One row per local labour system (ISTAT 2021 class and group, Frame-SBS 2023 totals, "
                        "the decision at each step when --decisions is given), and each NUTS-3 region's share of "
                        "employment and population in flagged SLLs.")
        add_io(p, "directory holding istat_sll/ (ISTAT's SLL 2021 and Frame-SBS 2023 files)", "SLL table (Parquet)")
        p.add_argument("--shares-out", type=Path, required=True, help="NUTS-3 shares (Parquet)")
        p.add_argument("--decisions", type=Path, default=None,
                       help="decisions per SLL 2021 code: `i4d indicators districts` or `district-screen` output")
        p.add_argument("--nuts-version", type=int, default=2016, choices=[2016, 2021], help="NUTS version (2016)")
        p.set_defaults(func=main_sll_districts)

        p = subparsers.add_parser(
            "sll-shares", help="SLL table and NUTS-3 shares from district decisions and a municipality table",
            description="From `i4d indicators districts` decisions per SLL and municipalities (municipality, sll, "
                        "nuts3, employment, population): the SLL table and each NUTS-3 region's share of "
                        "employment and population in district SLLs (synthetic worlds, census inputs).")
        add_io(p, "municipalities (Parquet: municipality, sll, nuts3, employment[, population, centre])",
               "SLL table (Parquet)")
        p.add_argument("--decisions", type=Path, required=True, help="`i4d indicators districts` output")
        p.add_argument("--shares-out", type=Path, required=True, help="NUTS-3 shares (Parquet)")
        p.add_argument("--traits-out", type=Path, default=None,
                       help="region traits for the model frames: region, district_share (Parquet)")
        p.set_defaults(func=main_sll_shares)

        p = subparsers.add_parser(
            "district-screen", help="section-level screen for manufacturing SME systems (a screen, not districts)",
            description="Steps 1-2 of the ISTAT/Sforzi method and the SME share of manufacturing on ISTAT's SLL "
                        "local-unit flow (ATECO sections x size classes). A screen, not ISTAT's district list.")
        add_io(p, "fetched ISTAT flow (i4d fetch get istat_asia_ul_sll2021)", "screen per SLL (Parquet)")
        p.add_argument("--year", type=int, default=None, help="keep one year (default: all)")
        p.set_defaults(func=main_district_screen)
    elif stage == "data":
        p = subparsers.add_parser(
            "census2011", help="tidy ISTAT's census 2011 local units by municipality x ATECO x size class",
            description="Read the .Stat CSV export of ISTAT's 2011 census of industry and services (local units "
                        "and persons employed by municipality x ATECO 2007 x size class) into the tidy vocabulary.")
        add_input(p, "the census CSV (i4d fetch get istat_cis2011_ul_comuni)")
        add_out(p, "tidy Parquet (region = municipality, sector, size_class, year, value, units)")
        p.set_defaults(func=main_census2011)
