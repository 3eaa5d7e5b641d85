"""Geography of a synthetic world: NUTS regions, local labour systems (SLLs) and municipalities.

Data-generating process (all draws from one seeded generator, in this order):

* **NUTS.** The NUTS-3 regions are the real Italian NUTS 2016 codes of the package's
  province table (``harmonize/data/istat_province_nuts.csv``, 110 codes in 21 NUTS-2
  regions), restricted to ``scale.nuts2``; they are labels only, every value is synthetic.
* **SLL types.** ``n_districts`` districts, ``n_near_misses`` of each near-miss type
  (:mod:`.truth`) and background systems (``urban`` for the largest 2%, the others ``service``,
  ``rural``, ``tourist`` with probabilities 0.5, 0.35, 0.15).
* **SLL size** (target persons employed in the base year): ``E_r ~ max(800, LogNormal(ln median,
  1.2))`` for every system (a few large systems, many small); the largest 2% become ``urban`` and
  are multiplied by 3. Planted types are then assigned at random among the free systems whose
  size fits the type (:data:`SIZE_RANGES`, e.g. room for a 250+ plant); when too few fit, the
  closest ones are taken and their size clipped into the range. Finally the planted sizes are
  multiplied by a common factor so that planted systems hold 35% of employment (clipped to the
  type ranges): the background, with manufacturing LQs below 1, must not outweigh them.
* **Groups.** A district's main ISTAT group is drawn with :data:`DISTRICT_GROUPS` probabilities;
  a district of 15,000+ persons has a secondary group with probability 0.25. A large-firm
  system's dominant group comes from :data:`TYPE_GROUPS`; the main group of large_main and
  single_medium systems is chosen later (:func:`.employment.compose`).
* **Nesting.** Each SLL lies in one NUTS-3 region (real SLLs may cross provinces): the first
  ``n_nuts3`` SLLs of a random order cover every region once, the rest go to region ``j`` with
  probability proportional to ``LogNormal(0, 0.6)`` weights.
* **Municipalities.** SLL ``r`` gets ``n_r`` municipalities, ``n_r ∝ E_r^0.6`` (largest-remainder
  apportionment of ``n_municipalities``, at least one each). Within an SLL, the centre holds a
  share ``c_r ~ U(0.25, 0.55)`` of the weight and the others ``LogNormal(0, 1)`` weights
  (normalised to ``1 - c_r``); services locate by ``w^1.1`` (concentrated), manufacturing,
  agriculture, construction and utilities by ``w^0.5`` (dispersed), each renormalised.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from i4districts.errors import ConfigError

from .scale import Scale
from .truth import DISTRICT, NEAR_MISS_STEPS

#: Type -> (low, high) target base-year employment of a planted SLL (log-uniform).
SIZE_RANGES: dict[str, tuple[float, float]] = {
    DISTRICT: (3000.0, 150000.0),
    "services_prevail": (5000.0, 100000.0),
    "large_firm": (15000.0, 200000.0),
    "catch_all": (20000.0, 80000.0),
    "large_main": (45000.0, 150000.0),
    "single_medium": (2500.0, 6000.0),
}
MIN_SIZE = 800.0
SIZE_SIGMA = 1.2
URBAN_SHARE = 0.02
URBAN_FACTOR = 3.0
#: Planted systems' share of base-year employment (their sizes are rescaled to it, within their ranges).
PLANTED_SHARE = 0.35
#: ISTAT district groups of planted districts and their probabilities (roughly ISTAT 2011's mix).
DISTRICT_GROUPS: dict[str, float] = {
    "MAC": 0.27, "TEX": 0.23, "HOU": 0.19, "LEA": 0.12, "FOO": 0.12, "JEW": 0.04, "PAP": 0.015,
    "MET": 0.01, "CHE": 0.005,
}
#: Dominant groups allowed for large-firm systems.
TYPE_GROUPS: dict[str, tuple[str, ...]] = {
    "large_firm": ("TRA", "CHE", "MET", "MAC"),
}
SECONDARY_PROBABILITY = 0.25
SECONDARY_MIN_SIZE = 15000.0
BACKGROUND_MIX: dict[str, float] = {"service": 0.5, "rural": 0.35, "tourist": 0.15}


@dataclass(frozen=True)
class Geography:
    """The systems (one row per SLL) and municipalities of a world, with their location weights."""

    sll: pd.DataFrame             # sll, nuts3, nuts2, type, target_employment, main_group, secondary_group
    municipalities: pd.DataFrame  # municipality, sll, sll_index, nuts3, nuts2, centre
    weight_concentrated: np.ndarray  # per municipality, sums to 1 within its SLL
    weight_dispersed: np.ndarray


@lru_cache(maxsize=1)
def italian_nuts3() -> tuple[str, ...]:
    """The 110 Italian NUTS 2016 NUTS-3 codes of the package's province table (sorted)."""
    path = resources.files("i4districts.harmonize").joinpath("data", "istat_province_nuts.csv")
    with path.open(encoding="utf-8") as fh:
        t = pd.read_csv(fh, comment="#", dtype=str)
    return tuple(sorted(t["nuts2016"].dropna().unique()))


def select_nuts3(scale: Scale) -> list[str]:
    """NUTS-3 codes of the world: all Italian ones, or those of ``scale.nuts2``."""
    codes = italian_nuts3()
    if not scale.nuts2:
        return list(codes)
    known = sorted({c[:4] for c in codes})
    bad = [n for n in scale.nuts2 if n not in known]
    if bad:
        raise ConfigError(f"synth: scale {scale.name!r}: nuts2 {bad} are not Italian NUTS 2016 NUTS-2 codes "
                          f"(choose among {known})")
    return [c for c in codes if c[:4] in set(scale.nuts2)]


def _apportion(weights: np.ndarray, total: int, minimum: int = 1) -> np.ndarray:
    """Integers ``>= minimum`` summing to ``total``, proportional to ``weights`` (largest remainder)."""
    n = weights.size
    rest = total - minimum * n
    raw = rest * weights / weights.sum()
    out = np.floor(raw).astype(np.int64)
    short = rest - int(out.sum())
    if short > 0:
        out[np.argsort(-(raw - out), kind="stable")[:short]] += 1
    return out + minimum


def _assign(size: np.ndarray, taken: np.ndarray, k: int, lo: float, hi: float, rng: np.random.Generator) -> np.ndarray:
    """Pick ``k`` free systems with size in [lo, hi] at random; if too few, the closest ones, clipped into the range."""
    free = np.flatnonzero(~taken)
    ok = free[(size[free] >= lo) & (size[free] <= hi)]
    if ok.size >= k:
        pick = rng.choice(ok, size=k, replace=False)
    else:
        rest = np.setdiff1d(free, ok)
        dist = np.abs(np.log(np.clip(size[rest], lo, hi)) - np.log(size[rest]))
        pick = np.concatenate([ok, rest[np.argsort(dist, kind="stable")[: k - ok.size]]])
        size[pick] = np.clip(size[pick], lo, hi)
    taken[pick] = True
    return np.sort(pick)


def build_geography(scale: Scale, rng: np.random.Generator) -> Geography:
    """Draw the NUTS nesting, the SLL types and sizes, and the municipalities (module docstring)."""
    nuts3 = select_nuts3(scale)
    if scale.n_sll < len(nuts3):
        raise ConfigError(f"synth: scale {scale.name!r}: n_sll={scale.n_sll} is smaller than the {len(nuts3)} "
                          "NUTS-3 regions to cover")
    n = scale.n_sll
    size = np.maximum(MIN_SIZE, np.exp(np.log(scale.median_sll_employment) + SIZE_SIGMA * rng.standard_normal(n)))
    tarr = np.full(n, "", dtype=object)
    taken = np.zeros(n, dtype=bool)
    n_urban = max(1, round(URBAN_SHARE * n))
    urban = np.argsort(-size, kind="stable")[:n_urban]
    size[urban] *= URBAN_FACTOR
    tarr[urban], taken[urban] = "urban", True
    for typ in (*NEAR_MISS_STEPS, DISTRICT):
        k = scale.n_districts if typ == DISTRICT else scale.n_near_misses
        tarr[_assign(size, taken, k, *SIZE_RANGES[typ], rng)] = typ
    free = np.flatnonzero(~taken)
    tarr[free] = rng.choice(list(BACKGROUND_MIX), size=free.size, p=list(BACKGROUND_MIX.values()))
    planted = np.isin(tarr, list(SIZE_RANGES))
    phi = PLANTED_SHARE / (1 - PLANTED_SHARE) * size[~planted].sum() / size[planted].sum()
    for typ, (lo, hi) in SIZE_RANGES.items():
        idx = tarr == typ
        size[idx] = np.clip(size[idx] * phi, lo, hi)
    # main / secondary groups
    main = np.full(n, "", dtype=object)
    secondary = np.full(n, "", dtype=object)
    groups = list(DISTRICT_GROUPS)
    probs = np.array(list(DISTRICT_GROUPS.values()))
    probs = probs / probs.sum()
    for i in np.flatnonzero(tarr == DISTRICT):
        g = str(rng.choice(groups, p=probs))
        main[i] = g
        if rng.uniform() < SECONDARY_PROBABILITY:
            others = [x for x in groups if x != g]
            p2 = np.array([DISTRICT_GROUPS[x] for x in others])
            secondary[i] = str(rng.choice(others, p=p2 / p2.sum()))
    for t, allowed in TYPE_GROUPS.items():
        for i in np.flatnonzero(tarr == t):
            main[i] = str(rng.choice(list(allowed)))
    secondary[size < SECONDARY_MIN_SIZE] = ""  # too small for a second group that is not lumpy
    # shuffle the systems (codes carry no type information), then nest in NUTS-3
    perm = rng.permutation(n)
    tarr, size, main, secondary = tarr[perm], size[perm], main[perm], secondary[perm]
    region_w = np.exp(0.6 * rng.standard_normal(len(nuts3)))
    region = np.empty(n, dtype=np.int64)
    cover = rng.permutation(n)
    region[cover[: len(nuts3)]] = np.arange(len(nuts3))
    region[cover[len(nuts3):]] = rng.choice(len(nuts3), size=n - len(nuts3), p=region_w / region_w.sum())
    # order systems by region so codes read geographically
    order = np.lexsort((np.arange(n), region))
    tarr, size, main, secondary, region = tarr[order], size[order], main[order], secondary[order], region[order]
    width = max(4, len(str(n)))
    sll_codes = [f"S{i + 1:0{width}d}" for i in range(n)]
    n3 = np.asarray(nuts3, dtype=object)[region]
    sll = pd.DataFrame({
        "sll": sll_codes, "nuts3": n3, "nuts2": [c[:4] for c in n3], "type": tarr.astype(str),
        "target_employment": np.round(size), "main_group": main.astype(str), "secondary_group": secondary.astype(str),
    })
    # municipalities
    n_muni = _apportion(size ** 0.6, scale.n_municipalities)
    sll_index = np.repeat(np.arange(n), n_muni)
    first = np.r_[0, np.cumsum(n_muni)[:-1]]
    centre = np.zeros(sll_index.size, dtype=bool)
    centre[first] = True
    raw = np.exp(rng.standard_normal(sll_index.size))
    c_share = rng.uniform(0.25, 0.55, n)
    other_sum = np.bincount(sll_index, weights=np.where(centre, 0.0, raw), minlength=n)
    w = np.where(centre, c_share[sll_index],
                 (1 - c_share[sll_index]) * raw / np.where(other_sum > 0, other_sum, 1.0)[sll_index])
    w[first[n_muni == 1]] = 1.0

    def renorm(x: np.ndarray) -> np.ndarray:
        return x / np.bincount(sll_index, weights=x, minlength=n)[sll_index]

    wmuni = max(5, len(str(scale.n_municipalities)))
    munis = pd.DataFrame({
        "municipality": [f"M{i + 1:0{wmuni}d}" for i in range(sll_index.size)],
        "sll": np.asarray(sll_codes, dtype=object)[sll_index], "sll_index": sll_index,
        "nuts3": n3[sll_index], "nuts2": [c[:4] for c in n3[sll_index]], "centre": centre,
    })
    return Geography(sll=sll, municipalities=munis, weight_concentrated=renorm(w ** 1.1),
                     weight_dispersed=renorm(w ** 0.5))
