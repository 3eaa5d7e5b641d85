"""A synthetic Italy-like economy with known truth, deterministic from a seed (tests, Monte Carlo, placebo).

>>> from i4districts import synth                                   # doctest: +SKIP
>>> world = synth.generate("tiny", seed=1)                          # doctest: +SKIP
>>> world.sll_employment.head(); world.truth["outcome_model"]       # doctest: +SKIP
>>> synth.write_world(world, "out/synthetic")                       # doctest: +SKIP

Municipalities nested in local labour systems (SLLs) and real NUTS 2016 NUTS-3/NUTS-2 codes
(labels only); persons employed and local units by municipality × ATECO 2007 division × size
class × year; sector robot-adoption paths; employment by education tier; a NUTS × A*10 sample
in the embedded sample's layout; and an SLL × period outcome frame drawn from a declared
shift-share model. Planted industrial districts and near-misses (:mod:`.truth`) let tests check
the ISTAT district method; the planted coefficients let them check the estimators. The
data-generating process is stated in the docstrings of :mod:`.world`, :mod:`.employment`,
:mod:`.outcomes` and :mod:`.tables`. Nothing generated here is real data.
"""

from .generate import TABLES, SyntheticWorld, generate
from .io import write_world
from .outcomes import expected_outcome, stacked_share_matrix
from .scale import SCALES, Scale, resolve_scale
from .truth import BACKGROUND_TYPES, NEAR_MISS_STEPS, OUTCOME_COEFFICIENTS, SYNTHETIC_NOTE, failing_step

__all__ = [
    "BACKGROUND_TYPES", "NEAR_MISS_STEPS", "OUTCOME_COEFFICIENTS", "SCALES", "SYNTHETIC_NOTE", "TABLES", "Scale",
    "SyntheticWorld", "expected_outcome", "failing_step", "generate", "resolve_scale", "stacked_share_matrix",
    "write_world",
]
