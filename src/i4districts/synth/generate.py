"""``generate``: a synthetic Italy-like economy with known truth, deterministic from a seed.

Steps (each its own module, all draws from child streams of ``numpy.random.SeedSequence(seed)``
so the same seed always gives the same world): geography (:mod:`.world`), base-year employment
by SLL cell and municipality (:mod:`.employment`), adoption paths, exposure and the outcome
model (:mod:`.outcomes`), years, then the tidy tables (:mod:`.tables`) and the truth.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from i4districts import __version__
from i4districts.errors import ConfigError

from . import employment as emp_mod
from . import outcomes as out_mod
from . import tables as tab
from .divisions import division_table
from .scale import Scale, resolve_scale
from .truth import (
    DISTRICT,
    NEAR_MISS_STEPS,
    OUTCOME_COEFFICIENTS,
    SYNTHETIC_NOTE,
    failing_step,
)
from .world import build_geography

#: Table names of a world, in writing order (file ``<name>.parquet``).
TABLES: tuple[str, ...] = (
    "municipalities", "employment", "sll_employment", "adoption", "adoption_sample_sectors", "education",
    "sample", "shares", "shifts", "outcomes",
)
_STREAMS = ("geography", "composition", "cells", "municipalities", "adoption", "outcomes", "population",
            "education")


@dataclass
class SyntheticWorld:
    """The tables of a synthetic world (:mod:`.tables` lists their keys) and its ``truth`` (JSON-ready).

    Everything here is synthetic: no figure is real data.
    """

    scale: Scale
    seed: int
    municipalities: pd.DataFrame
    employment: pd.DataFrame
    sll_employment: pd.DataFrame
    adoption: pd.DataFrame
    adoption_sample_sectors: pd.DataFrame
    education: pd.DataFrame
    sample: pd.DataFrame
    shares: pd.DataFrame
    shifts: pd.DataFrame
    outcomes: pd.DataFrame
    truth: dict[str, Any] = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in TABLES}


def _check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or int(seed) < 0:
        raise ConfigError(f"synth: seed must be a non-negative integer, got {seed!r}")
    return int(seed)


def generate(scale: str | Scale = "national", seed: int = 0) -> SyntheticWorld:
    """Generate a synthetic world; the same ``(scale, seed)`` always gives identical tables.

    ``scale``: ``"national"`` (7,900 municipalities, 600 SLLs, 110 NUTS-3, 21 NUTS-2, 88 ATECO
    divisions, 4 size classes, 15 years), ``"regional"``, ``"tiny"`` or a :class:`.Scale`.
    """
    sc = resolve_scale(scale)
    seed = _check_seed(seed)
    rngs = dict(zip(_STREAMS, (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(len(_STREAMS)))))
    years = np.arange(sc.first_year, sc.first_year + sc.n_years)
    T = years.size
    dt = division_table()
    K = len(dt)

    geo = build_geography(sc, rngs["geography"])
    R = len(geo.sll)
    comp = emp_mod.compose(geo, rngs["composition"])
    geo = replace(geo, sll=geo.sll.assign(main_group=comp["main_group"].astype(str)))
    sll_cells = emp_mod.draw_sll_cells(geo, comp, rngs["cells"])
    muni_cells = emp_mod.split_to_municipalities(geo, sll_cells, rngs["municipalities"])
    muni_sll = geo.municipalities["sll_index"].to_numpy()

    # base-year shares from the generated cells; adoption, exposure and outcomes
    base = np.zeros((R, K))
    np.add.at(base, (muni_sll[muni_cells.owner], muni_cells.division), muni_cells.employment)
    base_total = base.sum(axis=1)
    shares = base / base_total[:, None]
    manuf_cols = (dt["macro"] == "manufacturing").to_numpy()
    manufacturing = shares[:, manuf_cols].sum(axis=1)
    A = out_mod.adoption_paths(years, rngs["adoption"])
    periods = out_mod.period_bounds(sc.first_year, sc.n_years, sc.n_periods)
    pos = {int(y): j for j, y in enumerate(years)}
    shifts = np.column_stack([A[:, pos[b]] - A[:, pos[a]] for a, b in periods])
    types = geo.sll["type"].to_numpy()
    district = types == DISTRICT
    X, y, eps = out_mod.draw_outcomes(shares, shifts, district, manufacturing, rngs["outcomes"])
    G = out_mod.growth_paths(y, periods, years)

    # every year
    emp, units = emp_mod.expand_years(muni_cells, muni_sll[muni_cells.owner], G)
    codes_m = geo.municipalities["municipality"].tolist()
    codes_s = geo.sll["sll"].tolist()
    employment = tab.cell_table(muni_cells, emp, units, codes_m, years)
    agg, e_s, u_s = tab.aggregate_cells(muni_cells, emp, units, muni_sll, T)
    sll_employment = tab.cell_table(agg, e_s, u_s, codes_s, years)
    sll_div_year = tab.owner_division_year(agg, e_s, R, T)
    del emp, units, e_s, u_s
    totals = sll_div_year.sum(axis=1)
    outcomes = out_mod.outcome_frame(geo.sll, periods, totals, years, X, district, manufacturing)

    muni_base = np.bincount(muni_cells.owner, weights=muni_cells.employment, minlength=len(geo.municipalities))
    municipalities = tab.municipalities_table(geo, muni_base, rngs["population"])
    national_base = base.sum(axis=0)
    adoption, adoption_a10 = tab.adoption_tables(A, years, national_base)
    sample = tab.sample_table(sll_div_year, geo.sll["nuts3"].to_numpy(), years)
    n2 = sample[sample["nuts_level"] == 2]
    n2 = n2[n2["nace"] == "TOTAL"]
    education = tab.education_table(
        pd.DataFrame({"region": n2["geo"].astype(str).to_numpy(), "year": n2["year"].to_numpy(),
                      "value": n2["employment"].to_numpy(dtype=np.int64)}), sc.first_year, rngs["education"])

    world = SyntheticWorld(
        scale=sc, seed=seed, municipalities=municipalities, employment=employment, sll_employment=sll_employment,
        adoption=adoption, adoption_sample_sectors=adoption_a10, education=education, sample=sample,
        shares=tab.shares_table(shares, codes_s), shifts=tab.shifts_table(shifts, periods), outcomes=outcomes,
    )
    y_obs = outcomes.sort_values(["region", "period_index"])["d_ln_employment"].to_numpy().reshape(R, len(periods))
    world.truth = _truth(world, geo, comp, periods, y, y_obs, eps, years)
    return world


def _truth(world: SyntheticWorld, geo, comp, periods, y, y_obs, eps, years) -> dict[str, Any]:
    sll = geo.sll
    alpha = out_mod.period_effects(len(periods))
    planted, non = [], []
    for row in sll.itertuples(index=False):
        if row.type == DISTRICT:
            planted.append({"sll": row.sll, "main_industry": row.main_group,
                            "secondary": [row.secondary_group] if row.secondary_group else []})
        else:
            entry = {"sll": row.sll, "type": row.type, "failing_step": failing_step(row.type)}
            if row.type in NEAR_MISS_STEPS and row.main_group:
                entry["main_group"] = row.main_group
            non.append(entry)
    counts = sll["type"].value_counts().sort_index()
    return {
        "synthetic": True,
        "note": SYNTHETIC_NOTE,
        "generator": {"package": "i4districts", "version": __version__, "function": "i4districts.synth.generate"},
        "seed": world.seed,
        "scale": world.scale.to_dict(),
        "years": [int(years[0]), int(years[-1])],
        "base_year": int(years[0]),
        "periods": [list(p) for p in periods],
        "sizes": {
            "municipalities": int(len(world.municipalities)), "sll": int(len(sll)),
            "nuts3": int(sll["nuts3"].nunique()), "nuts2": int(sll["nuts2"].nunique()),
            "divisions": int(len(division_table())), "size_classes": 4, "years": int(len(years)),
            "rows": {name: int(len(df)) for name, df in world.tables().items()},
            "base_year_employment": int(world.sll_employment.loc[world.sll_employment["year"] == years[0],
                                                                 "value"].sum()),
        },
        "sll_types": {str(k): int(v) for k, v in counts.items()},
        "districts": {
            "method": "i4districts.indicators.districts.identify_districts with its defaults (ISTAT 2011), "
                      "on sll_employment (region, sector, size_class, year, value, local_units), every year",
            "planted": planted,
            "non_districts": non,
            "failing_step_meaning": "the first ISTAT step the system fails; every earlier step passes",
        },
        "outcome_model": {
            "table": "outcomes",
            "formula": "d_ln_employment = alpha[period] + beta*exposure + gamma*exposure_x_district "
                       "+ theta*district + delta*manufacturing_share + eps",
            "coefficients": {k: v for k, v in OUTCOME_COEFFICIENTS.items() if k != "sigma"},
            "alpha": {out_mod.period_label(p): float(a) for p, a in zip(periods, alpha)},
            "error": {"distribution": "normal, i.i.d. over SLL and period", "sigma": OUTCOME_COEFFICIENTS["sigma"]},
            "exposure": "sum_k share_rk(base year) * (adoption_k,end - adoption_k,start), percentage points",
            "units": {"d_ln_employment": "log points (100 x change in ln persons employed)",
                      "exposure": "percentage points", "manufacturing_share": "share 0-1"},
            "rounding": {"max_abs_observed_minus_model": float(np.abs(y_obs - y).max()),
                         "note": "d_ln_employment is computed from the employment table (whole persons); each "
                                 "SLL total is rounded once, so it equals the model outcome up to that rounding"},
            "error_sample_sd": float(eps.std(ddof=1)),
        },
        "calibration": {
            "national_manufacturing_share_latent": float(comp["national_manufacturing_share"]),
        },
    }
