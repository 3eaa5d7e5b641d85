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
``methods``
    subset of ``homoskedastic, ehw, cluster, akm, akm0`` or ``all``; default:
    all of them (``cluster`` only when ``region_cluster`` is given).
``alpha``, ``beta0``, ``model_id``
    level, null value for p-values/AKM0, optional identifier.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import jsonschema

from i4districts.safeyaml import load_yaml
from i4districts.shiftshare.errors import SpecError
from i4districts.shiftshare.results import METHODS

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
                 "items": {"enum": [*METHODS, "all"]}},
            ]
        },
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
    methods: tuple[str, ...] = METHODS
    alpha: float = 0.05
    beta0: float = 0.0
    model_id: str | None = None

    def __post_init__(self) -> None:
        if "cluster" in self.methods and self.region_cluster is None:
            raise SpecError("spec", "region_cluster", "is required by method 'cluster'")
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
        methods = [m for m in METHODS if m != "cluster" or "region_cluster" in raw]
    elif methods == "all" or "all" in methods:
        methods = METHODS
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
        methods=tuple(m for m in METHODS if m in methods),
        alpha=float(raw.get("alpha", 0.05)),
        beta0=float(raw.get("beta0", 0.0)),
        model_id=raw.get("model_id"),
    )


def load_spec(path: str | Path) -> ShiftShareSpec:
    """Read and validate a YAML spec file (safe loader)."""
    path = Path(path)
    return parse_spec(load_yaml(path, error=SpecError), source=str(path))
