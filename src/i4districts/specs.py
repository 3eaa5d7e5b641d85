"""One entry point for model specifications of either family.

A model-spec YAML is either a **panel** model (:class:`i4districts.estimation.spec.ModelSpec`:
outcome or formula, entity, time, effects, cov ...) or a **shift-share** model
(:class:`i4districts.shiftshare.spec.ShiftShareSpec`: outcome, regressor or
endogenous + instrument, controls, AKM methods ...). The optional field ``kind``
(``panel`` | ``shiftshare``) names the family; without it the family is inferred
from the fields (``regressor``/``instrument``/``methods``/``sector_cluster`` mean
shift-share). Both validate against their JSON Schema and raise the one
:class:`~i4districts.errors.SpecError` naming the file and the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Union

from i4districts.errors import SpecError
from i4districts.estimation.spec import ModelSpec
from i4districts.safeyaml import load_yaml
from i4districts.shiftshare.spec import ShiftShareSpec, parse_spec

AnySpec = Union[ModelSpec, ShiftShareSpec]
KINDS = ("panel", "shiftshare")
_SHIFTSHARE_FIELDS = frozenset({"regressor", "instrument", "methods", "sector_cluster", "region_cluster", "beta0",
                                "share_scale", "pool_periods", "ri_draws", "ri_studentization", "placebo_draws"})


def spec_kind(raw: Mapping[str, Any], *, source: str = "spec") -> str:
    """``"panel"`` or ``"shiftshare"``: the ``kind`` field, else inferred from the fields present."""
    if not isinstance(raw, Mapping):
        raise SpecError(f"{source}: a model spec must be a mapping, got {type(raw).__name__}")
    kind = raw.get("kind")
    if kind is None:
        return "shiftshare" if _SHIFTSHARE_FIELDS & set(raw) else "panel"
    if kind not in KINDS:
        raise SpecError(f"{source}: field 'kind': {kind!r} is not one of {list(KINDS)}")
    return str(kind)


def model_spec_from_dict(raw: Mapping[str, Any], *, source: str = "<dict>") -> AnySpec:
    """Validate a mapping as a spec of its family (see :func:`spec_kind`)."""
    if spec_kind(raw, source=source) == "shiftshare":
        return parse_spec(dict(raw), source=source)
    return ModelSpec.from_dict(raw, source=source)


def load_model_spec(path: str | Path) -> AnySpec:
    """Read a model-spec YAML (no anchors/aliases) and validate it as a spec of its family."""
    p = Path(path)
    return model_spec_from_dict(load_yaml(p, error=SpecError), source=str(p))


__all__ = ["AnySpec", "KINDS", "load_model_spec", "model_spec_from_dict", "spec_kind"]
