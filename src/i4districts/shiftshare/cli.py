"""Command line of the shift-share package.

Stage ``exposure``: ``i4d exposure build`` (shift-share exposure, with
instruments, or level and annual change of exposure to an adoption table)
and ``i4d exposure adoption`` (the sector adoption table). Stage
``estimate``: ``i4d estimate shiftshare`` (AKM/AKM0 shift-share inference).
Handlers do not catch errors: :func:`i4districts.cli.main` reports them.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from i4districts import io
from i4districts.cliutil import add_input, add_out
from i4districts.shiftshare.adoption import SOURCES, panel_adoption
from i4districts.shiftshare.errors import ShiftShareInputError
from i4districts.shiftshare.eurostat_adoption import (
    INDICATORS,
    UNCOVERED,
    cross_section_exposure,
    read_adoption_source,
)
from i4districts.shiftshare.normalise import NORMALISATIONS, normalise_exposure

SD_NOTE = "exposure standardised: divided by its standard deviation after the base year"

_BUILD = """\
Shift-share exposure per region and year:
  exposure_{r,t} = sum_s share_{r,s,base} * shift_{s,t},
with base-year sector employment shares from the panel (-i: region, sector,
year, value) and either
  --shifts TABLE   sector shifts (sector, year, shift) -> (region, year, exposure);
                   for an instrument from other countries' adoption give a
                   country column and --leave-out COUNTRY (mean of all other
                   countries) or --countries A,B,C (mean of a named set);
  --adoption TABLE a sector adoption table (sector, year, value, unit, from
                   `i4d exposure adoption`) -> (region, year, exposure,
                   exposure_change, unit): the level sum_s share_rs * a_st and
                   the annual change sum_s share_rs * (a_st - a_s,t-1).
--design cross_section (with --adoption): a time-invariant exposure for every
                   panel year, exposure_r = sum_{s covered} share_rs * mean_t a_st
                   (e.g. Eurostat robot use 2018-2022 from `i4d exposure adoption
                   --source eurostat`); with instrument rows in the adoption table
                   also exposure_iv (same shares x leave-one-out mean of the other
                   countries, or --countries A,B,C). Uncovered sectors are left
                   out, shares not renormalised.
--normalisation sd divides by the standard deviation after the base year.
--shares-out DIR also writes the shares, the shifts and the exposure (Parquet
plus exposure.json) so that `i4d estimate shiftshare --shares DIR` uses the
exposure's own share matrix for AKM inference.
"""

_SHIFTSHARE = """\
Shift-share OLS or IV with homoskedastic, EHW, region-cluster, AKM and AKM0
inference (Adao, Kolesar and Morales 2019; reproduces R's ShiftShareSE) and
randomization inference over permutations of the shifts (ri; Borusyak and Hull
2023), the primary method when computed.

REGIONS (-i): one row per region-period with the spec's columns.
SHARES: a long table (row, sector, share), non-zero cells only, keyed by the
REGIONS column 'row'; or a directory written by `i4d exposure build
--shares-out`, matched on the REGIONS column --region (the shares of each
year are distinct columns: spec 'period', default 'year'; one column per sector
when the exposure has a single shift year or the spec says pool_periods: true).
SPEC (YAML): outcome; regressor (OLS) or endogenous + instrument (IV);
controls (string columns and those in 'categorical' become dummies);
optional intercept (default true), weights, region_cluster, sector_cluster
(a column of --sectors or an expression such as 'floor(sector/10)'), period
(sectors distinct per period), pool_periods, share_scale (a REGIONS column
multiplying each row's shares), methods (homoskedastic, ehw, cluster, akm,
akm0, ri; 'all' = the five analytic ones; default all six), ri_draws (1999),
ri_studentization (cluster|ehw), placebo_draws (500), seed (0), alpha, beta0,
model_id.
The JSON lists, per method, estimate, std_error, p, ci_low, ci_high, ci_type,
and under 'extra': ri (permutations, studentisation), placebo (rejection rate
at alpha and its Monte Carlo SE per method), diagnostics (Rotemberg weights,
shock-level regression, effective number of shocks, first-stage F for IV) and
diagnostics_summary.
"""


def register(stage: str, subparsers) -> None:
    """Add this package's commands of ``stage`` (``exposure`` or ``estimate``) to ``subparsers``."""
    if stage == "exposure":
        _register_build(subparsers)
        _register_adoption(subparsers)
    elif stage == "estimate":
        _register_shiftshare(subparsers)
    else:
        raise ValueError(f"i4districts.shiftshare.cli has no commands for stage {stage!r}")


# ------------------------------------------------------------------ exposure
def _register_build(subparsers) -> None:
    p = subparsers.add_parser("build", help="shift-share exposure (base-year shares x sector shifts or adoption)",
                              description=_BUILD, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_input(p, "employment panel (Parquet or CSV; region, sector, year, value)")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--shifts", type=Path, help="sector shift table (sector, year, shift [, country])")
    src.add_argument("--adoption", type=Path, help="sector adoption table (sector, year, value, unit)")
    add_out(p, "output Parquet: region, year, exposure [, exposure_change, unit]")
    p.add_argument("--base-year", type=int, required=True, help="year of the baseline sector shares")
    p.add_argument("--design", choices=["annual", "cross_section"], default="annual",
                   help="with --adoption: annual (level and annual change, default) or cross_section "
                        "(time-invariant exposure to the sector mean of the adoption table, plus exposure_iv)")
    p.add_argument("--normalisation", choices=list(NORMALISATIONS), default="none",
                   help="none: units of the shifts; sd: divide by the standard deviation after the base year")
    p.add_argument("--shares-out", type=Path, default=None, metavar="DIR",
                   help="also write shares, shifts and exposure (for AKM inference) into DIR")
    p.add_argument("--region", default="region", help="region column of the panel (default region)")
    p.add_argument("--sector", default="sector", help="sector column of panel and shifts (default sector)")
    p.add_argument("--time", default="year", help="year column of panel and shifts (default year)")
    p.add_argument("--value", default="value", help="employment column of the panel (default value)")
    p.add_argument("--shift", default="shift", help="shift column of --shifts (default shift)")
    p.add_argument("--country", default="country", help="country column of --shifts for instruments")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--leave-out", default=None, metavar="COUNTRY",
                   help="instrument: mean shift of all countries except COUNTRY")
    g.add_argument("--countries", default=None, metavar="A,B,C",
                   help="instrument: mean shift over the named countries")
    p.set_defaults(func=main_build)


def _notes(path: Path) -> list[str]:
    return [] if Path(path).suffix.lower() == ".csv" else io.read_notes(path)


def _instrument_shifts(shifts, args: argparse.Namespace):
    from i4districts.shiftshare.instruments import leave_one_out_shift, named_countries_shift

    keys = dict(sector="sector", time="year", shift="shift", country=args.country)
    if args.leave_out is not None:
        loo = leave_one_out_shift(shifts, **keys)
        out = loo.loc[loo[args.country] == args.leave_out].drop(columns=args.country)
        if out.empty:
            raise ShiftShareInputError("shifts table", args.country, "does not contain the left-out country",
                                       [args.leave_out])
        return out
    if args.countries is not None:
        names = [c.strip() for c in args.countries.split(",") if c.strip()]
        return named_countries_shift(shifts, names, **keys)
    return shifts


def main_build(args: argparse.Namespace) -> int:
    from i4districts.shiftshare.exposure import build_exposure, exposure_table

    """Run ``i4d exposure build``."""
    if args.design == "cross_section" and args.adoption is None:
        raise ShiftShareInputError("arguments", "--design", "cross_section needs --adoption", ["cross_section"])
    if args.leave_out is not None and args.shifts is None:
        raise ShiftShareInputError("arguments", "--leave-out", "needs --shifts with a country column (with "
                                   "--adoption the panel's country is the table's role=panel rows)")
    if args.countries is not None and args.shifts is None and args.design != "cross_section":
        raise ShiftShareInputError("arguments", "--countries", "needs --shifts with a country column, or "
                                   "--adoption with --design cross_section")
    panel = io.read_table(args.input).rename(columns={args.region: "region", args.sector: "sector",
                                                      args.time: "year", args.value: "value"})
    notes = _notes(args.input)
    if args.adoption is not None:
        adoption = io.read_table(args.adoption).rename(columns={args.sector: "sector", args.time: "year"})
        notes += _notes(args.adoption)
        if args.design == "cross_section":
            instrument = ([c.strip() for c in args.countries.split(",") if c.strip()]
                          if args.countries is not None else "leave_one_out")
            table, obj, more = cross_section_exposure(panel, adoption, base_year=args.base_year,
                                                      normalisation=args.normalisation, instrument=instrument)
            notes += more
        else:
            if "country" in adoption.columns and adoption["country"].nunique() > 1:
                raise ShiftShareInputError("adoption table", "country", "has several countries: use --design "
                                           "cross_section (annual needs one country)",
                                           sorted(adoption["country"].unique()))
            table, obj = exposure_table(panel, adoption, base_year=args.base_year,
                                        normalisation=args.normalisation)
    else:
        shifts = io.read_table(args.shifts).rename(columns={args.sector: "sector", args.time: "year",
                                                            args.shift: "shift"})
        obj = build_exposure(panel, _instrument_shifts(shifts, args), base_year=args.base_year)
        table = normalise_exposure(obj.table, columns=["exposure"], method=args.normalisation,
                                   base_year=args.base_year)
        notes += _notes(args.shifts)
    if args.normalisation == "sd":
        notes.append(SD_NOTE)
    io.write_parquet(table, args.out, notes=notes)
    if args.shares_out is not None:
        replace(obj, notes=tuple(notes)).write(args.shares_out)
    return 0


def _register_adoption(subparsers) -> None:
    p = subparsers.add_parser(
        "adoption", help="sector adoption table: Eurostat survey, a user table, or illustrative synthetic paths",
        description="--source eurostat: a fetched Eurostat ICT-usage table (--adoption-table, Parquet from "
                    "`i4d fetch get`, or the documented third-party robot fixture CSV) mapped to the panel's "
                    "sectors by the packaged crosswalk; rows of the panel's country (role panel) and of the "
                    "instrument countries (role instrument); output country, sector, year, value, unit, flag, "
                    "source, survey_sectors, role. --source table: validate a user table (sector, year, value "
                    "column; CSV or Parquet) against the panel's sectors and years. --source illustrative: NOT "
                    "REAL DATA, seeded logistic diffusion per sector (percent of enterprises). Output: sector, "
                    "year, value, unit, source.")
    add_input(p, "employment panel Parquet (gives the sectors, years and the country)")
    add_out(p, "output Parquet (sector, year, value, unit, source [, country, flag, survey_sectors, role])")
    p.add_argument("--source", choices=list(SOURCES), default="illustrative", help="default: illustrative")
    p.add_argument("--seed", type=int, default=0, help="generator seed (illustrative)")
    p.add_argument("--table", "--adoption-table", dest="table", type=Path, default=None,
                   help="user table (source table) or fetched Eurostat table (source eurostat)")
    p.add_argument("--column", default="value", help="value column of the user table (default: value)")
    p.add_argument("--unit", default="", help="unit of the user table's values, e.g. 'robots per 1000 workers'")
    p.add_argument("--indicator", choices=sorted(INDICATORS), default="robots", help="eurostat: default robots")
    p.add_argument("--country", default=None, help="eurostat: the panel's country (default: from its NUTS codes)")
    p.add_argument("--uncovered", choices=list(UNCOVERED), default="exclude",
                   help="eurostat: sectors outside the survey: exclude (default) or zero (value 0, flag not_covered)")
    p.add_argument("--sector-set", default=None, help="eurostat: crosswalk sector set (default: the panel's)")
    p.add_argument("--instrument-countries", default="eu27",
                   help="eurostat: eu27 (default; EU27 members in the table minus the panel's country), all, "
                        "none, or A,B,C")
    p.add_argument("--years", default=None, metavar="Y1,Y2", help="eurostat: survey years to keep (default all)")
    p.set_defaults(func=main_adoption)


def main_adoption(args: argparse.Namespace) -> int:
    """Run ``i4d exposure adoption``."""
    if args.source == "eurostat":
        if args.table is None:
            raise ShiftShareInputError("arguments", "--adoption-table", "is required with --source eurostat",
                                       ["eurostat"])
        panel = io.read_parquet(args.input, columns=["region", "sector", "year"])
        table, src_notes = read_adoption_source(args.table)
        ic = args.instrument_countries
        options = dict(indicator=args.indicator, country=args.country, uncovered=args.uncovered,
                       sector_set=args.sector_set,
                       instrument_countries=ic if ic in ("eu27", "all", "none") else
                       [c.strip() for c in ic.split(",") if c.strip()],
                       years=None if args.years is None else [int(y) for y in args.years.split(",") if y.strip()])
        out, notes = panel_adoption(panel, source="eurostat", table=table, table_name=args.table, eurostat=options)
        io.write_parquet(out, args.out, notes=[*src_notes, *notes])
        return 0
    panel = io.read_parquet(args.input, columns=["sector", "year"])
    table = io.read_table(args.table) if args.source == "table" and args.table is not None else None
    out, notes = panel_adoption(panel, source=args.source, seed=args.seed, table=table,
                                table_name=args.table or "table", column=args.column, unit=args.unit)
    io.write_parquet(out, args.out, notes=notes)
    return 0


# ------------------------------------------------------------------ estimate
def _register_shiftshare(subparsers) -> None:
    p = subparsers.add_parser("shiftshare", help="shift-share regression: AKM/AKM0 and randomization inference",
                              description=_SHIFTSHARE, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_input(p, "REGIONS table (Parquet or CSV; one row per region-period)")
    p.add_argument("--shares", type=Path, required=True,
                   help="SHARES.parquet (long: row, sector, share) or an exposure directory (--shares-out)")
    p.add_argument("--spec", type=Path, required=True, help="SPEC.yaml with one model")
    add_out(p, "RESULT.json to write (atomically)")
    p.add_argument("--parquet", "--table", dest="parquet", type=Path, default=None,
                   help="also write RESULT.parquet with one row per method")
    p.add_argument("--sectors", type=Path, default=None,
                   help="optional sector table (Parquet or CSV) with a 'sector' column, "
                        "for sector_cluster given as a column")
    p.add_argument("--region", default="region",
                   help="REGIONS column of region codes when --shares is an exposure directory (default region)")
    p.set_defaults(func=main_shiftshare)


def main_shiftshare(args: argparse.Namespace) -> int:
    from i4districts.shiftshare.design import fit_shiftshare
    from i4districts.shiftshare.exposure import ShiftShareExposure
    from i4districts.shiftshare.results import write_result_json, write_result_parquet
    from i4districts.shiftshare.spec import load_spec

    """Run ``i4d estimate shiftshare``."""
    spec = load_spec(args.spec)
    regions = io.read_table(args.input)
    sectors = io.read_table(args.sectors) if args.sectors else None
    if Path(args.shares).is_dir():
        result = ShiftShareExposure.read(args.shares).fit(regions, spec, region=args.region,
                                                          sector_table=sectors, diagnostics=True)
    else:
        result = fit_shiftshare(regions, io.read_table(args.shares), spec, sectors, diagnostics=True)
    write_result_json(result, args.out)
    if args.parquet is not None:
        write_result_parquet(result, args.parquet)
    return 0
