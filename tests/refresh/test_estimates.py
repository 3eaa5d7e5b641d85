"""Moved estimates between two runs' model records (hand-built records in the run layout)."""

from __future__ import annotations

import copy
import csv
import io
import json
import math

import pytest

from i4districts.errors import InputError
from i4districts.refresh.estimates import MODEL_TERM, compare_runs, model_quantities, moved_estimates, read_run
from i4districts.refresh.writers import write_estimates


def shiftshare_record(model_id="ld_robots", estimate=-0.8153643064256190):
    """A record in the layout of ResultProtocol.to_dict for a shift-share model (values hand-made)."""
    return {
        "model_id": model_id, "kind": "shiftshare", "estimator": "ols", "outcome": "d_ln_employment",
        "regressor": "exposure", "nobs": 110, "inference": {"method": "ri"},
        "coefficients": [{"term": "exposure", "estimate": estimate, "std_error": 0.4617, "t": -1.7658,
                          "p": 0.5417, "ci_low": None, "ci_high": None}],
        "methods": {"akm": {"estimate": estimate, "std_error": 0.4974, "p": 0.1012, "ci_low": -1.79,
                            "ci_high": 0.16, "ci_type": "interval"},
                    "ehw": {"estimate": estimate, "std_error": 0.4617, "p": 0.0774, "ci_low": -1.72,
                            "ci_high": 0.09, "ci_type": "interval"}},
        "extra": {"diagnostics_summary": {"effective_shocks": 3.372, "top_sector": "C", "placebo_rejection": 0.058}},
    }


def panel_record():
    return {"model_id": "fe", "kind": "panel", "estimator": "within", "outcome": "ln_employment", "nobs": 1980,
            "r2": 0.41, "r2_within": 0.12, "first_stage_f": None, "inference": {},
            "coefficients": [{"term": "exposure", "estimate": 0.5, "std_error": 0.1, "t": 5.0, "p": 1e-6,
                              "ci_low": 0.3, "ci_high": 0.7},
                             {"term": "ln_pop", "estimate": 1.0, "std_error": 0.2, "t": 5.0, "p": 1e-6,
                              "ci_low": 0.6, "ci_high": 1.4}]}


def write_run(root, records):
    (root / "models").mkdir(parents=True)
    for r in records:
        (root / "models" / f"{r['model_id']}.json").write_text(json.dumps(r))
    return root


def test_quantities_of_a_record():
    q = model_quantities(shiftshare_record())
    got = {(t, k): v for t, k, v in zip(q["term"], q["quantity"], q["value"])}
    assert got[("exposure", "estimate")] == -0.815364306425619
    assert got[("exposure", "akm.std_error")] == 0.4974
    assert math.isnan(got[("exposure", "ci_low")])  # None in JSON
    assert got[(MODEL_TERM, "nobs")] == 110
    assert got[(MODEL_TERM, "diagnostics.effective_shocks")] == 3.372
    assert (MODEL_TERM, "diagnostics.top_sector") not in got  # text: not a number
    assert len(q) == 6 + 2 * 5 + 1 + 2


def test_one_perturbed_coefficient_moves_exactly_one_quantity(tmp_path):
    old = shiftshare_record()
    new = copy.deepcopy(old)
    new["coefficients"][0]["estimate"] = -0.80  # perturbed by hand: +0.015364306425619
    moved = compare_runs(write_run(tmp_path / "a", [old, panel_record()]),
                         write_run(tmp_path / "b", [new, panel_record()]))
    assert moved[["model", "term", "quantity", "status"]].values.tolist() == [
        ["ld_robots", "exposure", "estimate", "moved"]]
    row = moved.iloc[0]
    assert (row["old"], row["new"]) == (-0.815364306425619, -0.80)
    assert row["abs_change"] == pytest.approx(0.015364306425619, abs=1e-15)
    assert row["rel_change"] == pytest.approx(0.015364306425619 / 0.815364306425619, rel=1e-12)


def test_tolerance_and_statuses():
    a = model_quantities(panel_record())
    rec = panel_record()
    rec["coefficients"][0]["estimate"] = 0.5 + 1e-12  # float noise below rtol 1e-9
    rec["coefficients"][1]["std_error"] = None  # became missing
    rec["r2"] = 0.42
    b = model_quantities(rec)
    moved = moved_estimates(a, b)
    assert sorted(zip(moved["term"], moved["quantity"], moved["status"])) == [
        (MODEL_TERM, "r2", "moved"), ("ln_pop", "std_error", "became_missing")]
    assert moved_estimates(a, b, rtol=0.1).query("status == 'moved'").empty  # |0.01| <= 0.1 * 0.41
    assert set(moved_estimates(b, a)["status"]) == {"moved", "became_available"}
    assert set(moved_estimates(a[a["term"] != "ln_pop"], a)["status"]) == {"new"}
    assert set(moved_estimates(a, a[a["term"] != "ln_pop"])["status"]) == {"gone"}
    assert moved_estimates(a, a).empty


def test_bad_runs_are_refused(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_run(tmp_path / "missing")
    (tmp_path / "empty" / "models").mkdir(parents=True)
    with pytest.raises(InputError, match="no model records"):
        read_run(tmp_path / "empty")
    bad = tmp_path / "bad" / "models"
    bad.mkdir(parents=True)
    (bad / "x.json").write_text("{not json")
    with pytest.raises(InputError, match="not a JSON"):
        read_run(tmp_path / "bad")
    (bad / "x.json").write_text(json.dumps({"model_id": "x"}))
    with pytest.raises(InputError, match="coefficients"):
        read_run(tmp_path / "bad")


def test_writers_are_formula_safe(tmp_path):
    a = model_quantities(shiftshare_record(model_id="=HYPERLINK(\"http://x\")"))
    b = a.assign(value=a["value"] * 2)
    moved = moved_estimates(a, b)
    csv_path, md_path = write_estimates(moved, tmp_path, old_run="a", new_run="b", rtol=1e-9, atol=0)
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text())))
    assert {r["model"] for r in rows} == {"'=HYPERLINK(\"http://x\")"}  # neutralised by a leading quote
    est = next(r for r in rows if r["term"] == "exposure" and r["quantity"] == "estimate")
    assert float(est["old"]) == -0.815364306425619  # negative numbers stay numbers, exact round trip
    assert "quantities moved" in md_path.read_text()
