"""``i4d tables regression|descriptive|indicators|districts|diagnostics`` end to end on hand-built files."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from i4districts import io
from i4districts.cli import main
from i4districts.tables.regression import read_coefficients

from .builders import DECISIONS, SLL, SPECIALIZATION, SUMMARY
from .parse import md_rows
from .records import FRAME, PROVENANCE, RECORDS, SS_RI


@pytest.fixture
def inputs(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    paths = {}
    for i, rec in enumerate(RECORDS):
        paths[f"rec{i}"] = io.write_json(rec, d / f"{rec['model_id']}.json")
    paths["frame"] = io.write_parquet(FRAME, d / "frame.parquet", notes=PROVENANCE)
    paths["spec"] = io.write_parquet(SPECIALIZATION, d / "specialization.parquet", notes=PROVENANCE[:2])
    paths["summary"] = io.write_parquet(SUMMARY, d / "summary.parquet", notes=["Fonte: Istat (CC BY 4.0)"])
    paths["sll"] = io.write_parquet(SLL, d / "sll.parquet")
    paths["decisions"] = io.write_parquet(DECISIONS, d / "decisions.parquet", notes=PROVENANCE)
    return paths


def test_tables_stage_lists_every_command(capsys):
    with pytest.raises(SystemExit):
        main(["tables", "--help"])
    out = capsys.readouterr().out
    for cmd in ("regression", "descriptive", "indicators", "districts", "diagnostics"):
        assert cmd in out


def test_regression_command(inputs, tmp_path):
    out = tmp_path / "out"
    rc = main(["tables", "regression", "-i", *[str(inputs[f"rec{i}"]) for i in range(4)],
               "--frames", str(inputs["frame"]), "-o", str(out), "--name", "t", "--title", "My table",
               "--labels-json", json.dumps({"exposure": "Exposure"}), "--columns-json", json.dumps({"twfe": "FE"}),
               "--column-groups-json", json.dumps({"Panel": ["twfe", "iv"]}),
               "--units-json", json.dumps({"growth": "%"}), "--statistic", "ci", "--stars", "0.05", "0.01"])
    assert rc == 0
    assert sorted(p.name for p in out.iterdir()) == ["t.csv", "t.fragment.html", "t.html", "t.md",
                                                     "t.standalone.tex", "t.tex"]
    md = (out / "t.md").read_text()
    assert md.startswith("**My table**") and "Column groups: Panel: (1)–(2)" in md and "| (1) FE |" in md
    assert "| Dependent variable | growth (%) | growth (%) | d_emp | d_emp |" in md
    assert "Note: Data: Source: Eurostat, nama_10r_3empers. Vintage: embedded:test@sha256:000000000000." in md
    assert "Significance: * p&lt;0.05, ** p&lt;0.01" in md
    rows = {r[0]: r[1:] for r in md_rows(md)}
    assert rows["Exposure"] == ["0.1235**", "0.2000*", "-0.8154**", "-0.0433"]
    back = read_coefficients(out / "t.csv")
    assert back.loc[0, "estimate"] == RECORDS[0]["coefficients"][0]["estimate"] and back.loc[0, "ci_low"] == 0.0331


def test_regression_command_without_stars_and_illustrative_frames(inputs, tmp_path):
    frame = io.write_parquet(FRAME, tmp_path / "ill.parquet",
                             notes=["illustrative adoption data (synthetic, seeded; not real data)"])
    rc = main(["tables", "regression", "-i", str(inputs["rec0"]), "--frames", str(frame), "-o", str(tmp_path),
               "--name", "ill", "--formats", "md", "tex"])
    assert rc == 0
    for ext in ("md", "tex"):
        text = (tmp_path / f"ill.{ext}").read_text()
        assert "illustrative adoption data" in text and "0.1235*" not in text
    rc = main(["tables", "regression", "-i", str(inputs["rec0"]), "-o", str(tmp_path), "--name", "ns",
               "--formats", "md", "--no-stars"])
    assert rc == 0 and "No significance stars." in (tmp_path / "ns.md").read_text()


def test_descriptive_command(inputs, tmp_path):
    rc = main(["tables", "descriptive", "-i", str(inputs["frame"]), "-o", str(tmp_path), "--formats", "md", "csv",
               "--variables", "d_emp", "share", "--by", "period", "--labels-json", json.dumps({"d_emp": "Growth"}),
               "--units-json", json.dumps({"d_emp": "%"}), "--digits", "2"])
    assert rc == 0
    md = (tmp_path / "descriptive.md").read_text()
    assert "| Growth (%) | 3 | 0.75 |" in md and "*period: 2007-2017*" in md and "Vintage: embedded:test" in md


def test_indicators_command_provinces_and_sll(inputs, tmp_path, shared_data):
    groups = shared_data / "istat_sll" / "istat_sll2021_specializzazione_prevalente.csv"
    rc = main(["tables", "indicators", "-i", str(inputs["spec"]), "--summary", str(inputs["summary"]),
               "--groups", str(groups), "-o", str(tmp_path), "--name", "prov", "--top", "2", "--formats", "md"])
    assert rc == 0
    rows = md_rows((tmp_path / "prov.md").read_text())
    assert rows[0][:4] == ["1", "ITI15", "Prato", "2.33"]
    assert rows[0][4] == 'A SL del "Made in Italy" (100%)'
    assert rows[0][5] == "A2 Sistemi locali del tessile e dell'abbigliamento (100%)"
    text = (tmp_path / "prov.md").read_text()
    assert "Fonte: Istat (CC BY 4.0)" in text and "Source: Eurostat, nama_10r_3empers" in text
    rc = main(["tables", "indicators", "-i", str(inputs["sll"]), "-o", str(tmp_path), "--name", "sll",
               "--formats", "md", "csv"])
    assert rc == 0
    assert md_rows((tmp_path / "sll.md").read_text())[0][:3] == ["1", "1102", "MONTEGRANARO"]


def test_districts_and_diagnostics_commands(inputs, tmp_path):
    assert main(["tables", "districts", "-i", str(inputs["decisions"]), "-o", str(tmp_path), "--formats", "md",
                 "--districts-only"]) == 0
    rows = md_rows((tmp_path / "districts.md").read_text())
    assert [r[0] for r in rows] == ["1102", "0901"]
    rec = io.write_json(SS_RI, tmp_path / "ss.json")
    assert main(["tables", "diagnostics", "-i", str(rec), "--frames", str(inputs["frame"]), "-o", str(tmp_path),
                 "--formats", "md", "html", "--top", "2", "--columns-json", json.dumps({"ss_ri": "Long diff."})]) == 0
    md = (tmp_path / "diagnostics.md").read_text()
    assert "| (1) Long diff. |" in md and "| 2. Sector | G-I |" in md and "| 3. Sector" not in md
    assert (tmp_path / "diagnostics.html").read_text().startswith("<!DOCTYPE html>")


@pytest.mark.parametrize(("argv", "message"), [
    (["tables", "descriptive", "-i", "nope.parquet", "-o", "x"], "nope.parquet"),
    (["tables", "descriptive", "-i", "{frame}", "-o", "{out}", "--labels-json", "[1]"], "--labels-json"),
    (["tables", "descriptive", "-i", "{frame}", "-o", "{out}", "--variables", "zzz"], "zzz"),
    (["tables", "indicators", "-i", "{spec}", "-o", "{out}", "--sector", "Q"], "sector 'Q'"),
    (["tables", "districts", "-i", "{frame}", "-o", "{out}"], "missing column"),
    (["tables", "diagnostics", "-i", "{frame}", "-o", "{out}"], "not a JSON result record"),
    (["tables", "diagnostics", "-i", "{rec0}", "-o", "{out}"], "extra.diagnostics"),
    (["tables", "regression", "-i", "{rec0}", "-o", "{out}", "--name", "t", "--column-groups-json",
      '{"G": ["nope"]}'], "not a column"),
    (["tables", "regression", "-i", "{rec0}", "-o", "{out}", "--name", "t", "--column-groups-json", '{"G": 1}'],
     "--column-groups-json"),
])
def test_user_errors_exit_2_with_one_line(inputs, tmp_path, capsys, argv, message):
    fill = {k: str(v) for k, v in inputs.items()} | {"out": str(tmp_path / "o")}
    assert main([fill.get(a[1:-1], a) if a.startswith("{") and a.endswith("}") and '"' not in a else a
                 for a in argv]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("i4d tables") and message in err and "\n" not in err and "Traceback" not in err


def test_pipeline_step_pairs_distinct_frames_by_outcome(inputs, tmp_path):
    from i4districts.pipeline import steps

    other = io.write_parquet(FRAME.rename(columns={"d_emp": "other"}), tmp_path / "other.parquet", notes=PROVENANCE)
    rec = dict(SS_RI) | {"nobs": 7, "n": 7}
    path = io.write_json(rec, tmp_path / "ss.json")
    steps.table([path, inputs["rec0"]], [other, inputs["frame"], other], tmp_path, name="p", formats=["csv"])
    cells = pd.read_csv(tmp_path / "p.csv")
    mean = cells[(cells["row"] == "depvar_mean")].set_index("column")["value"]
    assert mean["ss_ri"] == pytest.approx(FRAME["d_emp"].mean()) and mean["twfe"] == 0.8123
