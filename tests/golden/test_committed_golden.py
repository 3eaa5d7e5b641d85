"""The committed golden/ folder: one file per configured model, the quantities CI relies on, and pins
that match the shared reference data and the embedded sample as they are now."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from i4districts.golden import store
from i4districts.golden.api import show
from i4districts.io import sha256_file
from i4districts.pipeline.steps import embedded_vintage

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "golden"
SHARED_PREFIX = "../shared/data/"  # how config/config.yaml names the shared data, relative to a clone


def _config() -> dict:
    return yaml.safe_load((REPO / "config" / "config.yaml").read_text())


def test_one_golden_file_per_model_of_the_default_scenario():
    cfg = _config()
    entries = store.read_golden(GOLDEN, cfg["scenario"])
    assert sorted(entries) == sorted(cfg["models"])
    for model, e in entries.items():
        q = e["quantities"]
        assert e["scenario"] == cfg["scenario"] and e["model"] == model
        coef = [t for t in q if not t.startswith("(")]
        assert coef and all({"estimate", "std_error", "p"} <= set(q[t]) for t in coef), model
        assert {"nobs", "n_clusters"} <= set(q["(model)"])
        assert {"effective_n_shocks", "rotemberg_top_sector", "placebo_rejection[ri]", "placebo_seed"} <= set(
            q["(design)"])


def test_input_pins_match_the_shared_data_and_the_embedded_sample(shared_data: Path):
    pins = store.read_pins(GOLDEN, _config()["scenario"])
    assert pins["files"]
    for path, sha in pins["files"].items():
        assert path.startswith(SHARED_PREFIX), path
        assert sha256_file(shared_data / path[len(SHARED_PREFIX):]) == sha, path
    assert pins["embedded_sample"] == embedded_vintage("IT")


def test_changelog_records_every_change_with_a_reason_and_fingerprint():
    lines = [ln for ln in (GOLDEN / store.CHANGELOG_FILE).read_text().splitlines() if ln.startswith("- ")]
    assert lines
    pattern = re.compile(r"- \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \| \w+ \| (record|update|pin|drop) \| [^|]+ \| [^|]+ "
                         r"\| i4districts-\S+\+sha256:[0-9a-f]{16}")
    assert all(pattern.fullmatch(ln) for ln in lines), lines
    for model in _config()["models"]:
        assert any(f"new model {model} " in ln for ln in lines), model


def test_show_prints_the_committed_golden_results():
    out = show(GOLDEN, scenario="italy", models=["ld_robots"])
    assert "italy/ld_robots  (shiftshare" in out and "placebo_rejection[ri]" in out
