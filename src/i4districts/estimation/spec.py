"""Declarative model specification (``ModelSpec``), validated by a JSON Schema.

A spec holds one model: outcome, regressors, interactions, fixed effects,
weights, declarative sample filters (no ``eval``), estimator and covariance.
Load it from YAML with :meth:`ModelSpec.from_yaml` or from a mapping with
:meth:`ModelSpec.from_dict`; both validate against :data:`SPEC_SCHEMA`.

A spec may give ``formula:`` (fixest style, :mod:`i4districts.estimation.formula`)
instead of ``outcome``/``regressors``/``interactions``/``effects``/``endogenous``/
``instruments``; it is expanded into those fields (which, if also given, must agree).
``entity`` and ``time`` default to the first and second single-column effects of the
formula when not given.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Mapping

import jsonschema

from i4districts.errors import SpecError
from i4districts.safeyaml import load_yaml

__all__ = ["SPEC_SCHEMA", "ModelSpec", "SpecError", "ESTIMATORS", "COV_TYPES", "CORRECTIONS"]


ESTIMATORS = ("auto", "within", "pooled", "first_difference", "long_difference", "random_effects")
COV_TYPES = ("homoskedastic", "robust", "clustered", "driscoll_kraay")
#: Small-sample corrections, documented in :mod:`i4districts.estimation.covariance`.
CORRECTIONS = ("none", "dof", "linearmodels", "cr1", "cr1_nested", "cluster_only")
FILTER_OPS = ("==", "!=", "<", "<=", ">", ">=", "in", "not_in", "notna", "isna")

_NAME = {"type": "string", "minLength": 1}

SPEC_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "i4districts estimation model spec",
    "type": "object",
    "additionalProperties": False,
    "anyOf": [{"required": ["outcome"]}, {"required": ["formula"]}],
    "properties": {
        "kind": {"const": "panel", "description": "Model family (see i4districts.specs): 'panel' (this schema) "
                 "or 'shiftshare'; optional, inferred from the fields when absent."},
        "model_id": _NAME,
        "description": {"type": "string"},
        "formula": {
            "description": "fixest-style formula 'y ~ x1 + x2 + x1:x2 | fe1 + fe2 | endog ~ instr' expanding "
            "to outcome, regressors, interactions, effects, endogenous and instruments; entity and time "
            "default to the first two single-column effects.",
            "type": "string",
            "minLength": 3,
        },
        "outcome": _NAME,
        "regressors": {"type": "array", "items": _NAME, "uniqueItems": True, "default": []},
        "interactions": {
            "description": "Products of numeric columns, e.g. [[exposure, district]] adds "
            "the term 'exposure:district'.",
            "type": "array",
            "items": {"type": "array", "items": _NAME, "minItems": 2, "uniqueItems": True},
        },
        "entity": _NAME,
        "time": _NAME,
        "event_study": {
            "description": "Event-time dummies event[k] = 1{time - event_time = k} for k in "
            "window (endpoints binned), the reference period omitted; event_time missing = never treated.",
            "type": "object",
            "additionalProperties": False,
            "required": ["event_time", "window"],
            "properties": {
                "event_time": _NAME,
                "window": {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2},
                "reference": {"type": "integer"},
                "bin_endpoints": {"type": "boolean"},
            },
        },
        "effects": {
            "description": "Fixed effects: 'entity', 'time', a column name, or a list of "
            "columns whose combination is one effect (e.g. [region, sector]).",
            "type": "array",
            "items": {
                "oneOf": [
                    _NAME,
                    {"type": "array", "items": _NAME, "minItems": 1, "uniqueItems": True},
                ]
            },
        },
        "estimator": {"enum": list(ESTIMATORS)},
        "constant": {"type": "boolean"},
        "weights": _NAME,
        "endogenous": {"type": "array", "items": _NAME, "uniqueItems": True},
        "instruments": {"type": "array", "items": _NAME, "uniqueItems": True},
        "long_difference": {
            "type": "object",
            "additionalProperties": False,
            "required": ["start", "end"],
            "properties": {
                "start": {},
                "end": {},
                "levels": {
                    "description": "Regressors taken in levels at 'start' (baseline exposure or controls, as in "
                    "Acemoglu and Restrepo 2020) instead of differenced.",
                    "type": "array", "items": _NAME, "uniqueItems": True,
                },
            },
        },
        "filters": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["column", "op"],
                "properties": {
                    "column": _NAME,
                    "op": {"enum": list(FILTER_OPS)},
                    "value": {},
                },
            },
        },
        "drop_singletons": {"type": "boolean"},
        "demean": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "method": {"enum": ["auto", "exact", "iterative"]},
                "tol": {"type": "number", "exclusiveMinimum": 0},
                "max_iter": {"type": "integer", "minimum": 1},
            },
        },
        "cov": {
            "type": "object",
            "additionalProperties": False,
            "required": ["type"],
            "properties": {
                "type": {"enum": list(COV_TYPES)},
                "cluster": {
                    "oneOf": [_NAME, {"type": "array", "items": _NAME, "minItems": 1, "maxItems": 2}]
                },
                "bandwidth": {"type": "number", "minimum": 0},
                "correction": {"enum": list(CORRECTIONS)},
            },
        },
        "inference": {"enum": ["t", "normal"]},
        "alpha": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
    },
}

_VALIDATOR = jsonschema.Draft202012Validator(SPEC_SCHEMA)


def _expand_formula(data: dict[str, Any], source: str) -> dict[str, Any]:
    """Fill outcome/regressors/... from ``data['formula']``; fields also given must agree."""
    from .formula import parse_formula

    try:
        parsed = parse_formula(data["formula"])
    except SpecError as exc:
        raise SpecError(f"{source}: field 'formula': {exc}") from None
    fields = parsed.spec_fields()
    for key, value in fields.items():
        if key in data and data[key] != value:
            raise SpecError(f"{source}: field '{key}' ({data[key]!r}) disagrees with the formula "
                            f"{data['formula']!r} ({value!r}); give one or the other")
    out = {**data, **fields}
    singles = [e for e in parsed.effects if isinstance(e, str)]
    if "entity" not in out and singles:
        out["entity"] = singles[0]
    if "time" not in out and len(singles) > 1:
        out["time"] = singles[1]
    return out


def _freeze(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


@dataclass(frozen=True)
class ModelSpec:
    """One model, immutable. Build with :meth:`from_dict` or :meth:`from_yaml`."""

    kind: ClassVar[str] = "panel"  # model family (i4districts.specs)

    outcome: str
    entity: str
    time: str
    regressors: tuple[str, ...] = ()
    interactions: tuple[tuple[str, ...], ...] = ()
    effects: tuple[str | tuple[str, ...], ...] = ()
    estimator: str = "auto"
    constant: bool | None = None
    weights: str | None = None
    endogenous: tuple[str, ...] = ()
    instruments: tuple[str, ...] = ()
    long_difference: tuple[Any, Any] | None = None
    long_difference_levels: tuple[str, ...] = ()
    filters: tuple[tuple[str, str, Any], ...] = ()
    drop_singletons: bool = True
    demean_method: str = "auto"
    demean_tol: float = 1e-10
    demean_max_iter: int = 10_000
    cov_type: str = "homoskedastic"
    cluster: tuple[str, ...] = ()
    bandwidth: float | None = None
    correction: str | None = None
    inference: str = "t"
    alpha: float = 0.05
    event_study: tuple[str, int, int, int, bool] | None = None
    model_id: str = "model"
    raw: str = field(default="{}", compare=False, repr=False)

    # ------------------------------------------------------------------ build
    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "<dict>") -> "ModelSpec":
        """Validate ``data`` against :data:`SPEC_SCHEMA` and build the spec."""
        if not isinstance(data, Mapping):
            raise SpecError(f"{source}: a model spec must be a mapping, got {type(data).__name__}")
        data = copy.deepcopy(dict(data))
        errors = sorted(_VALIDATOR.iter_errors(data), key=lambda e: list(e.path))
        if errors:
            msgs = "; ".join(
                f"field '{'/'.join(map(str, e.path)) or '<root>'}': {e.message}" for e in errors[:5]
            )
            raise SpecError(f"{source}: invalid model spec: {msgs}")
        if "formula" in data:
            data = _expand_formula(data, source)
        for key in ("entity", "time"):
            if key not in data:
                raise SpecError(f"{source}: field '{key}' is required (or give a formula whose fixed effects name it)")
        cov = data.get("cov", {"type": "homoskedastic"})
        cluster = cov.get("cluster", ())
        cluster = (cluster,) if isinstance(cluster, str) else tuple(cluster)
        ctype = cov["type"]
        if ctype == "clustered" and not cluster:
            raise SpecError(f"{source}: field 'cov/cluster' is required when cov/type is 'clustered'")
        if ctype != "clustered" and cluster:
            raise SpecError(f"{source}: field 'cov/cluster' given ({list(cluster)}) but cov/type is '{ctype}'")
        if "bandwidth" in cov and ctype != "driscoll_kraay":
            raise SpecError(f"{source}: field 'cov/bandwidth' is only used with cov/type 'driscoll_kraay'")
        endog = tuple(data.get("endogenous", ()))
        instr = tuple(data.get("instruments", ()))
        if bool(endog) != bool(instr):
            raise SpecError(f"{source}: fields 'endogenous' and 'instruments' must be given together")
        if len(instr) < len(endog):
            raise SpecError(
                f"{source}: field 'instruments': {len(instr)} instruments for {len(endog)} "
                f"endogenous regressors ({list(endog)}); the model is under-identified"
            )
        estimator = data.get("estimator", "auto")
        ld = data.get("long_difference")
        if estimator == "long_difference" and ld is None:
            raise SpecError(f"{source}: field 'long_difference' (start, end) is required by estimator 'long_difference'")
        if ld is not None and estimator != "long_difference":
            raise SpecError(f"{source}: field 'long_difference' given but estimator is '{estimator}'")
        if endog and estimator in ("first_difference", "long_difference", "random_effects"):
            raise SpecError(f"{source}: field 'endogenous': IV is supported with estimators auto/within/pooled, not '{estimator}'")
        regs = tuple(data.get("regressors", ()))
        inter = tuple(tuple(i) for i in data.get("interactions", ()))
        es = data.get("event_study")
        if es is not None:
            lo, hi = es["window"]
            ref = es.get("reference", -1)
            if not lo <= ref <= hi or lo >= hi:
                raise SpecError(f"{source}: field 'event_study': need window[0] < window[1] and the reference "
                                f"period {ref} inside the window {es['window']}")
            es = (es["event_time"], int(lo), int(hi), int(ref), bool(es.get("bin_endpoints", True)))
        if not regs and not inter and not endog and es is None:
            raise SpecError(f"{source}: the model has no regressors (fields 'regressors', 'interactions', 'endogenous')")
        overlap = set(endog) & (set(regs) | set(instr))
        if overlap:
            raise SpecError(f"{source}: fields 'endogenous' and 'regressors'/'instruments' overlap: {sorted(overlap)}")
        dm = data.get("demean", {})
        filters_raw = data.get("filters", ())
        for f in filters_raw:
            col, op = f["column"], f["op"]
            if op not in ("notna", "isna") and "value" not in f:
                raise SpecError(f"{source}: filter on column '{col}' with op '{op}' needs a 'value'")
            if op in ("in", "not_in") and not isinstance(f["value"], list):
                raise SpecError(f"{source}: filter on column '{col}' with op '{op}' needs a list value, got {f['value']!r}")
        filters = tuple((f["column"], f["op"], _freeze(f.get("value"))) for f in filters_raw)
        return cls(
            outcome=data["outcome"],
            entity=data["entity"],
            time=data["time"],
            regressors=regs,
            interactions=inter,
            effects=tuple(e if isinstance(e, str) else tuple(e) for e in data.get("effects", ())),
            estimator=estimator,
            constant=data.get("constant"),
            weights=data.get("weights"),
            endogenous=endog,
            instruments=instr,
            long_difference=(ld["start"], ld["end"]) if ld is not None else None,
            long_difference_levels=tuple(ld.get("levels", ())) if ld is not None else (),
            filters=filters,
            drop_singletons=data.get("drop_singletons", True),
            demean_method=dm.get("method", "auto"),
            demean_tol=float(dm.get("tol", 1e-10)),
            demean_max_iter=int(dm.get("max_iter", 10_000)),
            cov_type=ctype,
            cluster=cluster,
            bandwidth=cov.get("bandwidth"),
            correction=cov.get("correction"),
            inference=data.get("inference", "t"),
            alpha=float(data.get("alpha", 0.05)),
            event_study=es,
            model_id=data.get("model_id", "model"),
            raw=json.dumps(data, sort_keys=True, default=str),
        )

    @classmethod
    def from_yaml(cls, path: str | Path) -> "ModelSpec":
        """Read one model spec from a YAML file and validate it."""
        path = Path(path)
        return cls.from_dict(load_yaml(path, error=SpecError), source=str(path))

    def to_dict(self) -> dict[str, Any]:
        """The validated input mapping (JSON-serialisable)."""
        return json.loads(self.raw)

    # -------------------------------------------------------------- derived
    @property
    def interaction_names(self) -> tuple[str, ...]:
        """Term names of the interactions, ``a:b``."""
        return tuple(":".join(i) for i in self.interactions)

    @property
    def exog_terms(self) -> tuple[str, ...]:
        """Exogenous terms in order: regressors then interactions."""
        return self.regressors + self.interaction_names

    @property
    def resolved_effects(self) -> tuple[tuple[str, ...], ...]:
        """Effects as tuples of column names ('entity'/'time' resolved)."""
        alias = {"entity": self.entity, "time": self.time}
        out = []
        for e in self.effects:
            cols = (e,) if isinstance(e, str) else e
            out.append(tuple(alias.get(c, c) for c in cols))
        return tuple(out)

    @property
    def resolved_estimator(self) -> str:
        """'within' if effects are declared, else 'pooled', unless set explicitly."""
        if self.estimator != "auto":
            return self.estimator
        return "within" if self.effects else "pooled"

    @property
    def resolved_correction(self) -> str:
        """Default small-sample correction per covariance type (see covariance module)."""
        if self.correction is not None:
            return self.correction
        return {"homoskedastic": "dof", "robust": "dof", "clustered": "cr1_nested", "driscoll_kraay": "dof"}[
            self.cov_type
        ]

    def used_columns(self) -> list[str]:
        """Every column the model reads from the panel."""
        cols: list[str] = [self.outcome, self.entity, self.time, *self.regressors]
        for inter in self.interactions:
            cols.extend(inter)
        for eff in self.resolved_effects:
            cols.extend(eff)
        cols.extend(self.endogenous)
        cols.extend(self.instruments)
        cols.extend(self.cluster)
        if self.weights:
            cols.append(self.weights)
        return list(dict.fromkeys(cols))
