"""Regression-table rendering: layout, escaping, stars and exact CSV values."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from i4districts.tables.regression import ModelColumn, latex_escape, stars, to_csv, to_html, to_latex, to_markdown

COEF = pd.DataFrame({"term": ["x_var"], "estimate": [0.123456789012345], "std_error": [0.05],
                     "t": [2.469], "p": [0.0141], "ci_low": [0.02], "ci_high": [0.22]})
COL = ModelColumn("m1", "Growth (%)", COEF, {"Observations": "1,870", "Region FE": "Yes"})


@pytest.mark.parametrize(("p", "mark"), [(0.001, "***"), (0.0099, "***"), (0.01, "**"), (0.049, "**"),
                                          (0.05, "*"), (0.0999, "*"), (0.1, ""), (float("nan"), "")])
def test_stars(p, mark):
    assert stars(p) == mark


def test_latex_is_booktabs_with_escaped_text_and_notes():
    tex = to_latex([COL], title="Title & more", notes=["illustrative adoption data"], label="tab:x",
                   labels={"x_var": "Exposure_1"})
    for token in (r"\toprule", r"\midrule", r"\bottomrule", r"\caption{Title \& more}", r"\label{tab:x}",
                  r"Exposure\_1 & 0.1235** \\", r"& (0.0500) \\", r"Growth (\%)", "illustrative adoption data",
                  r"Observations & 1,870 \\"):
        assert token in tex
    assert latex_escape("a_b%c$") == r"a\_b\%c\$"
    assert latex_escape("R² × 2") == r"R\textsuperscript{2} $\times$ 2"


def test_markdown_and_html_hold_estimate_and_notes():
    md = to_markdown([COL], title="T", notes=["illustrative adoption data"], digits=3)
    assert "| x_var | 0.123** |" in md and "|  | (0.050) |" in md and "Note: illustrative adoption data" in md
    page = to_html([COL], title="T <1>", notes=["n"])
    assert "<caption>T &lt;1&gt;</caption>" in page and "0.1235**" in page


def test_csv_keeps_full_precision():
    back = pd.read_csv(io.StringIO(to_csv([COL], title="T", notes=["a", "b"])))
    assert back.loc[0, "estimate"] == COEF.loc[0, "estimate"]
    assert back.loc[0, "model"] == "m1" and back.loc[0, "notes"] == "a | b"


def test_two_models_align_terms():
    other = ModelColumn("m2", "Other", COEF.assign(term="z"), {"Observations": "10"})
    md = to_markdown([COL, other], title="T")
    assert "| x_var | 0.1235** |  |" in md and "| z |  | 0.1235** |" in md


def test_missing_coefficient_columns_are_refused():
    with pytest.raises(ValueError, match="std_error"):
        ModelColumn("m", "m", COEF.drop(columns="std_error"))


def test_intercept_is_listed_last():
    with_const = ModelColumn("m3", "LD", pd.concat([COEF.assign(term="const"), COEF.assign(term="z")]), {})
    md = to_markdown([with_const, COL], title="T")
    rows = [line.split("|")[1].strip() for line in md.splitlines() if line.startswith("| ") and "(" not in line[:4]]
    assert rows.index("const") > rows.index("x_var") and rows.index("const") > rows.index("z")


def test_etable_from_records_of_both_kinds():
    """etable takes result records (to_dict() / JSON) as well as result objects."""
    from i4districts.tables.etable import etable, model_column

    panel = {"model_id": "p", "kind": "panel", "estimator": "within", "outcome": "growth", "nobs": 1870,
             "inference": {"type": "clustered", "correction": "cr1_nested", "clusters": ["region"],
                           "n_clusters": [107]},
             "coefficients": COEF.to_dict("records"), "fixed_effects": ["region", "year"], "r2_within": 0.25}
    ss = {"model_id": "s", "kind": "shiftshare", "estimator": "ols", "outcome": "growth", "nobs": 107,
          "inference": {"type": "akm", "label": "AKM", "clusters": ["sector"], "n_clusters": 80},
          "coefficients": COEF.assign(term="exposure").to_dict("records"), "n_sectors": 80}
    col = model_column(panel)
    assert col.statistics["Clusters"] == "107" and col.statistics["region FE"] == "Yes"
    df = etable([panel, ss], type="df", labels={"growth": "Employment growth"})
    assert list(df.columns) == ["(1) Employment growth", "(2) Employment growth"]
    assert df.loc["x_var"].tolist() == ["0.1235**", ""] and df.loc["exposure"].tolist() == ["", "0.1235**"]
    assert df.loc["Std. errors"].tolist() == ["Clustered by region (cr1_nested)", "AKM"]
    back = pd.read_csv(io.StringIO(etable([panel, ss], type="csv")))
    assert back.loc[0, "estimate"] == COEF.loc[0, "estimate"]


def test_no_stars_without_valid_inference():
    for render in (to_markdown, to_html, to_latex):
        text = render([COL], title="T", notes=["illustrative adoption data"], show_stars=False)
        assert "0.1235" in text and "0.1235*" not in text and "No significance stars" in text
        assert "p<0.05" not in text


def test_csv_neutralises_spreadsheet_formulas_but_keeps_numbers():
    coef = COEF.assign(term=["=HYPERLINK(\"http://x\")"], estimate=[-0.5])
    text = to_csv([ModelColumn("@m", "l", coef, {"+stat": "-cmd|' /C calc'!A0", "N": "-3"})], title="=1+1",
                  notes=["-n"])
    df = pd.read_csv(io.StringIO(text))
    assert df.loc[0, "term"] == "'=HYPERLINK(\"http://x\")" and df.loc[0, "model"] == "'@m"
    assert df.loc[0, "estimate"] == -0.5 and df.loc[0, "title"] == "'=1+1" and df.loc[0, "notes"] == "'-n"
    assert "'+stat" in df.columns and df.loc[0, "'+stat"].startswith("'-cmd")
    assert df.loc[0, "N"] == -3  # a number stays a number


def test_markdown_escapes_markup():
    col = ModelColumn("m", "<b>bold</b>", COEF.assign(term=["<script>alert(1)</script>"]), {})
    md = to_markdown([col], title="<script>x</script>", notes=["<img src=x onerror=alert(1)>"])
    assert "<script>" not in md and "<img" not in md and "&lt;script>" in md
