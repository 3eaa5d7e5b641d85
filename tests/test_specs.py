"""One entry point for model specs of both families, one SpecError."""

from __future__ import annotations

from pathlib import Path

import pytest

from i4districts.errors import SpecError
from i4districts.estimation.spec import ModelSpec
from i4districts.shiftshare.spec import ShiftShareSpec
from i4districts.specs import load_model_spec, model_spec_from_dict, spec_kind

REPO = Path(__file__).resolve().parents[1]


def test_shipped_specs_load_as_their_family():
    kinds = {}
    for path in sorted((REPO / "config" / "models").glob("*.yaml")):
        spec = load_model_spec(path)
        kinds[path.stem] = spec.kind
        assert isinstance(spec, ShiftShareSpec if spec.kind == "shiftshare" else ModelSpec)
    assert kinds["ld_robots"] == kinds["stacked_robots"] == "shiftshare" and kinds["growth_exposure"] == "panel"


def test_kind_inferred_or_declared():
    ss = {"outcome": "y", "regressor": "x", "methods": ["akm"]}
    assert spec_kind(ss) == "shiftshare" and spec_kind({"outcome": "y", "entity": "r", "time": "t"}) == "panel"
    spec = model_spec_from_dict({**ss, "kind": "shiftshare"})
    assert isinstance(spec, ShiftShareSpec) and spec.kind == "shiftshare"
    panel = model_spec_from_dict({"kind": "panel", "outcome": "y", "regressors": ["x"], "entity": "r", "time": "t"})
    assert isinstance(panel, ModelSpec)


def test_bad_kind_and_mixed_fields_name_the_field(tmp_path: Path):
    with pytest.raises(SpecError, match="'kind'"):
        spec_kind({"kind": "bayes"}, source="m.yaml")
    path = tmp_path / "m.yaml"
    path.write_text("kind: panel\noutcome: y\nregressor: x\nentity: r\ntime: t\n")
    with pytest.raises(SpecError, match="m.yaml.*regressor"):
        load_model_spec(path)


def test_alias_bomb_in_a_spec_is_refused(tmp_path: Path):
    path = tmp_path / "bomb.yaml"
    path.write_text('a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n'
                    'c: [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n')
    with pytest.raises(SpecError, match="bomb.yaml.*(anchor|alias)"):
        load_model_spec(path)
