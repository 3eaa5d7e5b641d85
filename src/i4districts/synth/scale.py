"""Sizes of a synthetic world: the named scales and the :class:`Scale` dataclass for custom ones."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from i4districts.errors import ConfigError


@dataclass(frozen=True)
class Scale:
    """How big the synthetic world is.

    ``nuts2``: the (real, NUTS 2016) NUTS-2 codes whose NUTS-3 regions make the world's
    geography (empty = all 21 Italian NUTS-2 regions and their 110 NUTS-3 regions).
    ``n_districts`` planted industrial districts and ``n_near_misses`` planted near-misses
    of **each** kind (:data:`i4districts.synth.truth.NEAR_MISS_STEPS`); every other local labour
    system is a background non-district. ``n_periods`` stacked periods split the years
    ``first_year .. first_year + n_years - 1``.
    """

    name: str
    n_municipalities: int
    n_sll: int
    n_districts: int
    n_near_misses: int
    n_years: int = 15
    first_year: int = 2008
    n_periods: int = 3
    nuts2: tuple[str, ...] = field(default_factory=tuple)
    median_sll_employment: float = 10000.0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["nuts2"] = list(self.nuts2)
        return d


SCALES: dict[str, Scale] = {
    "national": Scale("national", n_municipalities=7900, n_sll=600, n_districts=140, n_near_misses=10),
    "regional": Scale("regional", n_municipalities=900, n_sll=80, n_districts=14, n_near_misses=2,
                      nuts2=("ITH3", "ITH5")),
    "tiny": Scale("tiny", n_municipalities=200, n_sll=36, n_districts=6, n_near_misses=1, n_years=6,
                  nuts2=("ITI1", "ITI3"), median_sll_employment=5000.0),
}

#: Number of kinds of planted near-misses (see :data:`i4districts.synth.truth.NEAR_MISS_STEPS`).
N_NEAR_MISS_KINDS = 5


def resolve_scale(scale: str | Scale) -> Scale:
    """A named scale (``national``, ``regional``, ``tiny``) or a :class:`Scale`, checked for consistency."""
    if isinstance(scale, str):
        if scale not in SCALES:
            raise ConfigError(f"synth: unknown scale {scale!r}; choose one of {sorted(SCALES)} or pass a Scale")
        scale = SCALES[scale]
    if not isinstance(scale, Scale):
        raise ConfigError(f"synth: scale must be a name or a Scale, not {type(scale).__name__}")
    planted = scale.n_districts + N_NEAR_MISS_KINDS * scale.n_near_misses
    problems = []
    if scale.n_years < 2:
        problems.append(f"n_years={scale.n_years} (need at least 2)")
    if not 1 <= scale.n_periods <= scale.n_years - 1:
        problems.append(f"n_periods={scale.n_periods} (need 1 .. n_years - 1)")
    if scale.n_municipalities < scale.n_sll:
        problems.append(f"n_municipalities={scale.n_municipalities} < n_sll={scale.n_sll}")
    if planted > 0.6 * scale.n_sll:
        problems.append(f"{planted} planted systems (districts + {N_NEAR_MISS_KINDS} x near-misses) exceed 60% "
                        f"of n_sll={scale.n_sll}: the background would not set the national reference")
    if scale.n_districts < 1 or scale.n_near_misses < 0:
        problems.append("n_districts must be >= 1 and n_near_misses >= 0")
    if scale.median_sll_employment < 1000:
        problems.append(f"median_sll_employment={scale.median_sll_employment} (need >= 1000)")
    if problems:
        raise ConfigError(f"synth: scale {scale.name!r}: " + "; ".join(problems))
    return scale
