"""Validated YAML specification of one shift-share model.

Fields (JSON schema :data:`SPEC_SCHEMA`):

``outcome``
    column of REGIONS.
``regressor`` (OLS) *or* ``endogenous`` + ``instrument`` (IV)
    the shift-share variable is ``regressor`` (OLS) or ``instrument`` (IV).
``controls``
    columns of REGIONS; string/categorical columns, and those listed in
    ``categorical``, are expanded to dummies (first level dropped, R's
    treatment contrasts); booleans become 0/1.
``intercept``
    add a constant (default true).
``weights``, ``region_cluster``
    optional columns of REGIONS.
``sector_cluster``
    a column of the sector table or an expression on ``sector`` such as
    ``floor(sector/10)`` (3-digit code); see :mod:`.expressions`.
``period``
    optional column of REGIONS: shares of the same sector in different
    periods are distinct columns of W (sector x period shifters, as in
    stacked designs; ShiftShareSE's ADH W has 770 = 375 + 395 columns).
``pool_periods``
    ``true``: one share column per sector even when the rows span several
    periods (``period`` is then ignored for the share columns): the right design
    when the same shocks apply to every period (a cross-sectional exposure).
    ``false``: split by period (``period``, or ``year`` for an exposure
    directory). Default (unset): pooled when the exposure object has a single
    shift period (:meth:`~.exposure.ShiftShareExposure.fit`), else split by
    ``period`` when it is given.
``share_scale``
    optional column of REGIONS: the shares of each row are multiplied by it, so
    that a regressor ``exposure x m_r = sum_k (s_rk m_r) g_k`` is itself a
    shift-share variable with scaled shares (heterogeneity by district status:
    ``regressor: exposure_x_made_in_italy``, ``share_scale: made_in_italy_share``).
``methods``
    subset of ``homoskedastic, ehw, cluster, akm, akm0, ri``; ``all`` means the
    five analytic methods of ShiftShareSE (write ``[all, ri]`` for all six).
    Default: all six (``cluster`` only when ``region_cluster`` is given). ``ri``
    (randomization inference over permutations of the shifts, :mod:`.ri`) is the
    primary method of the result when computed.
``ri_draws``
    random permutations when ``K! > 50,000`` (default 1999; ``K! <= 50,000``:
    all permutations, exact).
``ri_studentization``
    ``cluster`` or ``ehw``: the standard error studentising the ``ri`` statistic
    (default ``cluster`` when ``region_cluster`` is given, else ``ehw``).
``placebo_draws``
    random N(0,1) placebo shifts through the same design on the real outcome
    (default 500; 0 switches the placebo check off), reported under
    ``extra.placebo`` of the result.
``seed``
    seed of the random permutations and placebo draws (default 0).
``alpha``, ``beta0``, ``model_id``
    level, null value for p-values/AKM0/ri, optional identifier.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import jsonschema

from i4districts.safeyaml import load_yaml
from i4districts.shiftshare.errors import SpecError
from i4districts.shiftshare.methods import ALL_METHODS, METHODS, RI

_NAME = {"type": "string", "minLength": 1}

SPEC_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "i4districts shift-share model",
    "type": "object",
    "additionalProperties": False,
    "required": ["outcome"],
    "properties": {
        "kind": {"const": "shiftshare"},
        "model_id": _NAME,
        "outcome": _NAME,
        "regressor": _NAME,
        "endogenous": _NAME,
        "instrument": _NAME,
        "controls": {"type": "array", "items": _NAME, "uniqueItems": True},
        "categorical": {"type": "array", "items": _NAME, "uniqueItems": True},
        "intercept": {"type": "boolean"},
        "weights": _NAME,
        "region_cluster": _NAME,
        "sector_cluster": _NAME,
        "period": _NAME,
        "methods": {
            "oneOf": [
                {"const": "all"},
                {"type": "array", "minItems": 1, "uniqueItems": True,
                 "items": {"enum": [*ALL_METHODS, "all"]}},
            ]
        },
        "pool_periods": {"type": "boolean"},
        "share_scale": _NAME,
        "ri_draws": {"type": "integer", "minimum": 1},
        "ri_studentization": {"enum": ["cluster", "ehw"]},
        "placebo_draws": {"type": "integer", "minimum": 0},
        "seed": {"type": "integer", "minimum": 0},
        "alpha": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
        "beta0": {"type": "number"},
    },
    "oneOf": [
        {"required": ["regressor"], "not": {"anyOf": [{"required": ["endogenous"]},
                                                      {"required": ["instrument"]}]}},
        {"required": ["endogenous", "instrument"], "not": {"required": ["regressor"]}},
    ],
}


@dataclass(frozen=True)
class ShiftShareSpec:
    """A validated shift-share model specification (see module docstring)."""

    kind: ClassVar[str] = "shiftshare"  # model family (i4districts.specs)

    outcome: str
    regressor: str | None = None
    endogenous: str | None = None
    instrument: str | None = None
    controls: tuple[str, ...] = ()
    categorical: tuple[str, ...] = ()
    intercept: bool = True
    weights: str | None = None
    region_cluster: str | None = None
    sector_cluster: str | None = None
    period: str | None = None
    methods: tuple[str, ...] = ALL_METHODS
    alpha: float = 0.05
    beta0: float = 0.0
    model_id: str | None = None
    pool_periods: bool | None = None
    share_scale: str | None = None
    ri_draws: int = 1999
    ri_studentization: str | None = None
    placebo_draws: int = 500
    seed: int = 0

    def __post_init__(self) -> None:
        if "cluster" in self.methods and self.region_cluster is None:
            raise SpecError("spec", "region_cluster", "is required by method 'cluster'")
        unknown = [m for m in self.methods if m not in ALL_METHODS]
        if unknown:
            raise SpecError("spec", "methods", f"unknown (allowed {list(ALL_METHODS)})", unknown)
        if self.ri_studentization not in (None, "cluster", "ehw"):
            raise SpecError("spec", "ri_studentization", "must be 'cluster' or 'ehw'", [self.ri_studentization])
        if self.ri_studentization == "cluster" and self.region_cluster is None:
            raise SpecError("spec", "region_cluster", "is required by ri_studentization 'cluster'")
        if self.ri_draws < 1 or self.placebo_draws < 0:
            raise SpecError("spec", "ri_draws", "ri_draws must be >= 1 and placebo_draws >= 0",
                            [self.ri_draws, self.placebo_draws])
        if (self.regressor is None) == (self.endogenous is None and self.instrument is None) or \
                (self.endogenous is None) != (self.instrument is None):
            raise SpecError("spec", "regressor", "must give either 'regressor' (OLS) or both "
                            "'endogenous' and 'instrument' (IV), not both")

    @property
    def is_iv(self) -> bool:
        return self.endogenous is not None

    @property
    def shift_share_variable(self) -> str:
        return self.instrument if self.is_iv else self.regressor  # type: ignore[return-value]

    @property
    def analytic_methods(self) -> tuple[str, ...]:
        """The requested methods other than ``ri`` (computed by ``reg_ss``/``ivreg_ss``)."""
        return tuple(m for m in self.methods if m != RI)

    @property
    def studentization(self) -> str:
        """The standard error studentising ``ri``: ``ri_studentization``, else cluster when
        ``region_cluster`` is given, else EHW."""
        if self.ri_studentization is not None:
            return self.ri_studentization
        return "cluster" if self.region_cluster is not None else "ehw"


def parse_spec(raw: Any, *, source: str = "spec") -> ShiftShareSpec:
    """Validate a mapping against :data:`SPEC_SCHEMA` and build the spec."""
    if not isinstance(raw, dict):
        raise SpecError(source, "<root>", "must be a mapping", [type(raw).__name__])
    validator = jsonschema.Draft202012Validator(SPEC_SCHEMA)
    errors = sorted(validator.iter_errors(raw), key=lambda e: list(e.path))
    if errors:
        root_oneof = [e for e in errors if e.validator == "oneOf" and not e.path]
        others = [e for e in errors if e not in root_oneof]
        if others:
            err = jsonschema.exceptions.best_match(others)
            where = "/".join(str(p) for p in err.absolute_path) or "<root>"
            raise SpecError(source, where, err.message, [e.message for e in others[1:4]])
        raise SpecError(source, "regressor", "must give either 'regressor' (OLS) or both "
                        "'endogenous' and 'instrument' (IV), not both")
    methods = raw.get("methods")
    if methods is None:  # default: every method the spec can support
        methods = [m for m in ALL_METHODS if m != "cluster" or "region_cluster" in raw]
    elif methods == "all":
        methods = METHODS
    elif "all" in methods:
        methods = [*METHODS, *(m for m in methods if m not in METHODS and m != "all")]
    if "cluster" in methods and "region_cluster" not in raw:
        raise SpecError(source, "region_cluster", "is required by method 'cluster'")
    unknown_cat = [c for c in raw.get("categorical", []) if c not in raw.get("controls", [])]
    if unknown_cat:
        raise SpecError(source, "categorical", "lists columns that are not controls", unknown_cat)
    return ShiftShareSpec(
        outcome=raw["outcome"],
        regressor=raw.get("regressor"),
        endogenous=raw.get("endogenous"),
        instrument=raw.get("instrument"),
        controls=tuple(raw.get("controls", [])),
        categorical=tuple(raw.get("categorical", [])),
        intercept=bool(raw.get("intercept", True)),
        weights=raw.get("weights"),
        region_cluster=raw.get("region_cluster"),
        sector_cluster=raw.get("sector_cluster"),
        period=raw.get("period"),
        methods=tuple(m for m in ALL_METHODS if m in methods),
        alpha=float(raw.get("alpha", 0.05)),
        beta0=float(raw.get("beta0", 0.0)),
        model_id=raw.get("model_id"),
        pool_periods=raw.get("pool_periods"),
        share_scale=raw.get("share_scale"),
        ri_draws=int(raw.get("ri_draws", 1999)),
        ri_studentization=raw.get("ri_studentization"),
        placebo_draws=int(raw.get("placebo_draws", 500)),
        seed=int(raw.get("seed", 0)),
    )


def load_spec(path: str | Path) -> ShiftShareSpec:
    """Read and validate a YAML spec file (safe loader)."""
    path = Path(path)
    return parse_spec(load_yaml(path, error=SpecError), source=str(path))
