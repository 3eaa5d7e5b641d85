"""`i4d validate` and `i4d golden record|update|drop|show` on hand-built runs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .conftest import edit_record, i4d, shiftshare_record, write_run


def _validate(run: Path, golden: Path, capsys, *extra: object) -> tuple[int, str, str]:
    return i4d("validate", "--run", run, "--golden", golden, *extra, capsys=capsys)


def test_unchanged_run_passes_with_a_summary(run_dir, golden_dir, tmp_path, capsys):
    code, out, _ = _validate(run_dir, golden_dir, capsys, "--summary", tmp_path / "s.json")
    assert code == 0, out
    assert "validate demo: PASS" in out
    s = json.loads((tmp_path / "s.json").read_text())
    assert s["status"] == "pass" and s["exact"] is True and s["scenario"] == "demo"
    assert s["counts"]["checks"] == s["counts"]["ok"] == s["counts"]["identical"] == len(s["checks"])
    assert {c["status"] for c in s["checks"]} == {"ok"}
    assert any(c["model"] == "m1" and c["term"] == "exposure" and c["quantity"] == "estimate" for c in s["checks"])


def test_perturbed_estimate_fails_naming_model_term_quantity_and_move(run_dir, golden_dir, tmp_path, capsys):
    edit_record(run_dir, "m1", lambda r: r["coefficients"][0].update(estimate=-0.497))
    code, out, _ = _validate(run_dir, golden_dir, capsys, "--summary", tmp_path / "s.json")
    assert code == 1
    assert "m1 exposure estimate: golden -0.5, run -0.497, moved +0.003 (tolerance abs 1e-10, rel 1e-09)" in out
    assert "validate demo: FAIL -- 1 problem(s) (1 moved)" in out
    s = json.loads((tmp_path / "s.json").read_text())
    assert s["status"] == "fail" and s["counts"]["moved"] == 1
    (moved,) = [c for c in s["checks"] if c["status"] == "moved"]
    assert (moved["model"], moved["term"], moved["quantity"]) == ("m1", "exposure", "estimate")
    assert moved["moved"] == pytest.approx(0.003) and moved["relative"] == pytest.approx(0.006)
    assert moved["tolerance"] == {"abs": 1e-10, "rel": 1e-9}


def test_count_and_label_moves(run_dir, golden_dir, capsys):
    def edit(r):
        r["nobs"] = 99
        r["extra"]["placebo"]["rejection"]["ri"] = 0.055
    edit_record(run_dir, "m2", edit)
    code, out, _ = _validate(run_dir, golden_dir, capsys, "-q")
    assert code == 1
    assert "m2 (model) nobs: golden 100, run 99, moved -1 (tolerance exact)" in out
    assert "m2 (design) placebo_rejection[ri]: golden 0.05, run 0.055, moved +0.005 (tolerance abs 0, rel 0)" in out


def test_move_within_tolerance_passes_but_not_in_exact_mode(run_dir, golden_dir, capsys):
    # std_error tolerance: 1e-12 + 1e-8 * 0.25 = 2.5e-9; move by 1e-9
    edit_record(run_dir, "m1", lambda r: r["coefficients"][0].update(std_error=0.25 + 1e-9))
    code, out, _ = _validate(run_dir, golden_dir, capsys)
    assert code == 0, out
    assert "m1: " in out and "identical" in out
    code, out, _ = _validate(run_dir, golden_dir, capsys, "--exact")
    assert code == 1
    assert re.search(r"m1 exposure std_error: golden 0.25, run 0.250000001, moved \+1e-09 \(tolerance exact\)", out)


def test_missing_and_extra_models_terms_and_quantities(run_dir, golden_dir, capsys):
    (run_dir / "models" / "m2.json").unlink()
    write_run(run_dir, [shiftshare_record("m3")])

    def edit(r):
        r["coefficients"][0]["term"] = "exposure_x_share"
        r["regressor"] = "exposure_x_share"
        del r["extra"]["diagnostics"]["shock_level"]["hhi"]
    edit_record(run_dir, "m1", edit)
    code, out, _ = _validate(run_dir, golden_dir, capsys, "-q")
    assert code == 1
    assert "m2: model missing from the run (golden has" in out
    assert "m3: model not in the golden results (record it with `i4d golden record`)" in out
    assert "m1 exposure: term missing from the run" in out
    assert "m1 exposure_x_share: term not in the golden results" in out
    assert "m1 (design) hhi: golden 0.4, run missing" in out


def test_sample_vintage_is_checked(run_dir, golden_dir, capsys):
    (run_dir / "data" / "panel_report.json").write_text(json.dumps({"vintage": "embedded:test@sha256:9999"}))
    code, out, _ = _validate(run_dir, golden_dir, capsys, "-q")
    assert code == 1
    assert "(inputs) sample vintage: golden 'embedded:test@sha256:0123', run 'embedded:test@sha256:9999'" in out


@pytest.mark.parametrize("case", ["no_models", "no_golden_scenario", "bad_tolerances", "bad_json"])
def test_bad_input_exits_2(run_dir, golden_dir, tmp_path, capsys, case):
    run, golden = run_dir, golden_dir
    if case == "no_models":
        run = tmp_path / "empty"
        run.mkdir()
    elif case == "no_golden_scenario":
        golden = tmp_path / "other"
        golden.mkdir()
    elif case == "bad_tolerances":
        (golden / "tolerances.yaml").write_text("default: {abs: -1}\n")
    else:
        (run / "models" / "m1.json").write_text("{not json")
    code, _, err = _validate(run, golden, capsys)
    assert code == 2
    assert err.startswith("i4d validate: error: ") and len(err.strip().splitlines()) == 1


def test_update_refused_without_reason(run_dir, golden_dir, capsys):
    before = {p.name: p.read_bytes() for p in golden_dir.rglob("*") if p.is_file()}
    edit_record(run_dir, "m1", lambda r: r["coefficients"][0].update(estimate=-0.497))
    for reason in ([], ["--reason", "  "]):
        code, _, err = i4d("golden", "update", "--run", run_dir, "--golden", golden_dir, *reason, capsys=capsys)
        assert code == 2 and "--reason is required" in err
    assert {p.name: p.read_bytes() for p in golden_dir.rglob("*") if p.is_file()} == before


def test_update_with_reason_rewrites_and_appends_a_dated_changelog_line(run_dir, golden_dir, capsys):
    log = golden_dir / "CHANGELOG.md"
    lines_before = log.read_text().splitlines()
    edit_record(run_dir, "m1", lambda r: r["coefficients"][0].update(estimate=-0.497))
    code, out, err = i4d("golden", "update", "--run", run_dir, "--golden", golden_dir,
                         "--reason", "robot data revised (Eurostat 2026 release)", capsys=capsys)
    assert code == 0, err
    new = log.read_text().splitlines()
    assert new[:len(lines_before)] == lines_before and len(new) == len(lines_before) + 1
    assert re.fullmatch(r"- \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \| demo \| update \| robot data revised "
                        r"\(Eurostat 2026 release\) \| m1: 1 quantities \(exposure estimate\) "
                        r"\| i4districts-[^ ]+\+sha256:[0-9a-f]{16}", new[-1]), new[-1]
    golden_m1 = json.loads((golden_dir / "demo" / "m1.json").read_text())
    assert golden_m1["quantities"]["exposure"]["estimate"] == -0.497
    assert _validate(run_dir, golden_dir, capsys)[0] == 0
    # a second update with nothing new records nothing
    code, out, _ = i4d("golden", "update", "--run", run_dir, "--golden", golden_dir, "--reason", "again",
                       capsys=capsys)
    assert code == 0 and "nothing recorded" in out and len(log.read_text().splitlines()) == len(new)


def test_record_adds_only_new_models(run_dir, golden_dir, capsys):
    write_run(run_dir, [shiftshare_record("m3", 1.5, 0.5)])
    code, _, err = i4d("golden", "record", "--run", run_dir, "--golden", golden_dir, "--reason", "new", "--model",
                       "m1", capsys=capsys)
    assert code == 2 and "already recorded" in err and "golden update" in err
    code, out, _ = i4d("golden", "update", "--run", run_dir, "--golden", golden_dir, "--reason", "r", "--model", "m3",
                       capsys=capsys)
    assert code == 2
    code, out, err = i4d("golden", "record", "--run", run_dir, "--golden", golden_dir, "--reason",
                         "new column: the by-district interaction", capsys=capsys)
    assert code == 0, err
    assert "recorded m3" in out
    assert "| demo | record | new column: the by-district interaction | new model m3 (" in out
    assert (golden_dir / "demo" / "m3.json").is_file()
    assert _validate(run_dir, golden_dir, capsys)[0] == 0


def test_model_gone_from_the_run_needs_drop(run_dir, golden_dir, capsys):
    (run_dir / "models" / "m2.json").unlink()
    code, _, err = i4d("golden", "update", "--run", run_dir, "--golden", golden_dir, "--reason", "r", capsys=capsys)
    assert code == 2 and "['m2']" in err and "--drop-missing" in err
    code, out, err = i4d("golden", "update", "--run", run_dir, "--golden", golden_dir, "--reason",
                         "m2 retired from the table", "--drop-missing", capsys=capsys)
    assert code == 0, err
    assert not (golden_dir / "demo" / "m2.json").exists()
    assert "removed model m2" in (golden_dir / "CHANGELOG.md").read_text()
    code, out, err = i4d("golden", "drop", "--golden", golden_dir, "--scenario", "demo", "--model", "m1",
                         "--reason", "gone", capsys=capsys)
    assert code == 0 and not (golden_dir / "demo" / "m1.json").exists()


def test_show_lists_quantities_with_tolerances(golden_dir, capsys):
    code, out, _ = i4d("golden", "show", "--golden", golden_dir, "--model", "m1", capsys=capsys)
    assert code == 0
    assert "demo/m1  (shiftshare, outcome d_ln_employment)" in out
    assert re.search(r"exposure\s+estimate\s+-0\.5\s+abs 1e-10, rel 1e-09", out)
    assert re.search(r"\(model\)\s+nobs\s+100\s+exact", out)
    assert re.search(r"\(design\)\s+rotemberg_top_sector\s+'C'\s+exact", out)
    assert "| demo | record | initial |" in out
