"""Hand-built estimation records and run folders for the golden-results tests.

A record follows the JSON layout of ``i4d estimate shiftshare`` (see
``i4districts.results.ResultProtocol.to_dict``) with round, hand-chosen
numbers, so every expected quantity is known without running a model.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from i4districts.cli import main


def shiftshare_record(model_id: str = "m1", estimate: float = -0.5, std_error: float = 0.25) -> dict:
    """A shift-share record: one coefficient, six inference methods, shock-level and Rotemberg diagnostics."""
    methods = {
        "akm": {"estimate": estimate, "std_error": 0.3, "p": 0.095, "ci_low": -1.088, "ci_high": 0.088},
        "akm0": {"estimate": estimate, "std_error": None, "p": 0.2, "ci_low": None, "ci_high": None},
        "ri": {"estimate": estimate, "std_error": std_error, "p": 0.125, "ci_low": None, "ci_high": None},
    }
    return {
        "model_id": model_id, "kind": "shiftshare", "estimator": "ols", "outcome": "d_ln_employment",
        "regressor": "exposure", "nobs": 100, "n": 100, "rank": 4, "n_region_clusters": 100,
        "n_sector_clusters": 4, "n_sectors": 4,
        "inference": {"type": "ri", "method": "ri", "correction": "ri", "clusters": ["region"], "n_clusters": 100},
        "coefficients": [{"term": "exposure", "estimate": estimate, "std_error": std_error, "t": estimate / std_error,
                          "p": 0.125, "ci_low": None, "ci_high": None}],
        "methods": methods,
        "extra": {
            "diagnostics": {
                "shock_level": {"effective_n_shocks": 2.5, "hhi": 0.4, "max_shock_weight": 0.5, "n_shocks": 4,
                                "std_error": 0.2, "estimate": estimate},
                "rotemberg": {"sum_negative_alpha": -0.1, "top": [
                    {"sector": "C", "alpha": 1.1, "beta": -0.4, "share_of_estimate": 0.88},
                    {"sector": "F", "alpha": -0.1, "beta": 0.6, "share_of_estimate": 0.12}]},
            },
            "diagnostics_summary": {"first_stage_f": None, "placebo_rejection": 0.05},
            "placebo": {"n_draws": 200, "seed": 0, "rejection": {"akm": 0.07, "ri": 0.05}},
            "ri": {"computed": True, "exact": True, "permutations": 24},
        },
    }


def write_run(folder: Path, records: list[dict], sample_vintage: str | None = "embedded:test@sha256:0123") -> Path:
    """A run folder ``<folder>`` with ``models/<id>.json`` (and ``data/panel_report.json``)."""
    (folder / "models").mkdir(parents=True, exist_ok=True)
    for rec in records:
        (folder / "models" / f"{rec['model_id']}.json").write_text(json.dumps(rec, indent=1))
    if sample_vintage:
        (folder / "data").mkdir(exist_ok=True)
        (folder / "data" / "panel_report.json").write_text(json.dumps({"vintage": sample_vintage}))
    return folder


def edit_record(run: Path, model: str, edit) -> None:
    """Apply ``edit(record)`` to a copy of ``<run>/models/<model>.json`` written back in place."""
    path = run / "models" / f"{model}.json"
    rec = copy.deepcopy(json.loads(path.read_text()))
    edit(rec)
    path.write_text(json.dumps(rec, indent=1))


def i4d(*args: object, capsys=None) -> tuple[int, str, str]:
    """Run ``i4d`` in process; return (exit status, stdout, stderr)."""
    code = main([str(a) for a in args])
    out, err = capsys.readouterr() if capsys else ("", "")
    return code, out, err


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    """A run of scenario ``demo`` with two models."""
    return write_run(tmp_path / "results" / "demo", [shiftshare_record("m1"), shiftshare_record("m2", 0.2, 0.1)])


@pytest.fixture
def golden_dir(tmp_path: Path, run_dir: Path, capsys) -> Path:
    """Golden results recorded from :func:`run_dir` (default tolerances)."""
    golden = tmp_path / "golden"
    code, _, err = i4d("golden", "record", "--run", run_dir, "--golden", golden, "--reason", "initial", capsys=capsys)
    assert code == 0, err
    return golden
