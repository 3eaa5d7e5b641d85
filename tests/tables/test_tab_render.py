"""One tidy source, four formats: the cells read back from Markdown, LaTeX, HTML and CSV agree.

Cells are parsed back with this suite's own readers (:mod:`.parse`), not with the renderers, and
every number shown is checked against the full-precision value it was formatted from.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess

import pandas as pd
import pytest

from i4districts.tables.latex import check_balanced, latex_escape
from i4districts.tables.render import Cells, Column, Table, csv_safe, grid, has_stub, render, write_table

from .builders import build_tables
from .parse import csv_cells, html_rows, md_rows, number_of, tex_rows

TABLES = build_tables()
NAMES = sorted(TABLES)


def _expected(table: Table) -> list[list[str]]:
    g = grid(table)
    keys = [c.key for c in table.columns]
    stub = has_stub(table)
    return [([r["label"]] if stub else []) + [r[k] for k in keys] for _, r in g.iterrows()]


def _without_headings(rows: list[list[str]], table: Table) -> list[list[str]]:
    if not table.show_blocks:
        return rows
    headings = {f"*{h}*" for h in table.blocks.values() if h}
    return [r for r in rows if r[0] not in headings]


@pytest.mark.parametrize("name", NAMES)
def test_markdown_shows_exactly_the_grid(name):
    table = TABLES[name]
    assert _without_headings(md_rows(render(table, "md")), table) == _expected(table)


@pytest.mark.parametrize("name", NAMES)
def test_latex_shows_exactly_the_grid(name):
    table = TABLES[name]
    expected = [[latex_escape(c) for c in row] for row in _expected(table)]
    assert tex_rows(render(table, "tex")) == expected


@pytest.mark.parametrize("name", NAMES)
def test_html_shows_exactly_the_grid_with_numbers_right_aligned(name):
    table = TABLES[name]
    rows, aligns = html_rows(render(table, "html"))
    if table.show_blocks:  # great-tables puts each block heading in a row of its own
        headings = {h for h in table.blocks.values() if h}
        keep = [i for i, r in enumerate(rows) if not (len(r) == 1 and r[0] in headings)]
        rows, aligns = [rows[i] for i in keep], [aligns[i] for i in keep]
    assert rows == _expected(table)
    want = "".join("R" if c.align == "right" else "L" for c in table.columns)
    assert all(a == want for a in aligns)


@pytest.mark.parametrize("name", NAMES)
def test_csv_holds_the_grid_and_the_full_precision_values(name):
    table = TABLES[name]
    back = csv_cells(render(table, "csv"))
    assert back.iloc[0]["block"] == "title" and back.iloc[0]["text"] == table.title
    notes = back[back["block"] == "note"]["text"].tolist()
    assert notes == [str(csv_safe(n)) for n in table.notes]
    cells = back[~back["block"].isin(["title", "note"])]
    g = grid(table)
    keys = [c.key for c in table.columns]
    shown = [(r["row"], r["statistic"], k, r[k]) for _, r in g.iterrows() for k in keys if r[k] != ""]
    got = [(r["row"], r["statistic"], r["column"], r["text"]) for _, r in cells.iterrows() if r["text"] == r["text"]]
    assert got == shown
    merged = cells.merge(table.cells, on=["block", "row", "statistic", "column"], suffixes=("", "_src"))
    both = merged["value_src"].notna()
    assert (merged.loc[both, "value"] == merged.loc[both, "value_src"]).all()  # exact: 17 significant digits
    assert merged.loc[~both, "value"].isna().all()


@pytest.mark.parametrize("name", NAMES)
def test_every_number_shown_rounds_its_value(name):
    cells = TABLES[name].cells
    checked = 0
    for _, c in cells.iterrows():
        if math.isnan(c["value"]) or c["statistic"] in ("ci",):
            continue
        parsed = number_of(c["text"])
        if parsed is None:
            continue
        number, decimals = parsed
        scale = 1
        share = re.search(r"\((-?\d+(?:\.\d+)?)%\)$", c["text"])  # "C (123%)", "A2 ... (100%)": the share
        if share:
            number, decimals = number_of(share.group(1))
            scale = 100
        elif re.match(r"-?[\d.]+%", c["text"]):  # "5.8% of 500", "87%"
            scale = 100
        assert abs(number - scale * c["value"]) <= 0.5 * 10 ** -decimals + 1e-9, (c["text"], c["value"])
        checked += 1
    assert checked > 0


def test_ci_cells_hold_both_bounds():
    cells = TABLES["regression_ci"].cells
    ci = cells[(cells["statistic"] == "ci") & cells["value"].notna()]
    assert len(ci) >= 3
    for _, c in ci.iterrows():
        lo, hi = (float(x) for x in re.findall(r"-?\d+\.\d+", c["text"]))
        assert abs(lo - c["value"]) <= 5e-5 and abs(hi - c["value_hi"]) <= 5e-5


def test_latex_is_booktabs_with_notes_and_a_standalone_document_that_compiles(tmp_path):
    table = TABLES["regression"]
    tex = render(table, "tex")
    for token in (r"\toprule", r"\midrule", r"\bottomrule", r"\caption{Employment and exposure}",
                  r"\label{tab:regression}", r"\multicolumn{2}{c}{Panel}", r"\cmidrule(lr){2-3}",
                  r"\textit{Notes:}", r"Control \textbar{} x2 & -1.5000*", r"(1) & (2) & (3) & (4)",
                  r"$\Delta$ employment (100 $\times$ log points)", r"p\textless{}0.05"):
        assert token in tex, token
    assert check_balanced(tex) == []
    paths = write_table(table, tmp_path, ["tex"])
    assert [p.name for p in paths] == ["regression.tex", "regression.standalone.tex"]
    doc = paths[1].read_text()
    assert doc.startswith(r"\documentclass") and r"\usepackage{booktabs}" in doc and doc.rstrip().endswith(
        r"\end{document}")
    if shutil.which("pdflatex"):
        run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", paths[1].name],
                             cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stdout[-2000:]
        assert (tmp_path / "regression.standalone.pdf").stat().st_size > 0
    else:  # no TeX engine here: the structure at least
        for name in NAMES:
            assert check_balanced(render(TABLES[name], "standalone")) == [], name


def test_check_balanced_finds_broken_latex():
    assert check_balanced(r"\begin{table}\begin{tabular}{l}x\end{table}")  # crossed environments
    assert check_balanced(r"\begin{table}") == [r"line 1: \begin{table} never closed"]
    assert check_balanced("{a}}") and check_balanced("{a") and check_balanced("$x")
    assert check_balanced(r"\{ \} \$ 50\% % a comment with { and $") == []


def test_latex_escape():
    assert latex_escape("a_b%c$&#") == r"a\_b\%c\$\&\#"
    assert latex_escape("R² × 2 – 1−α") == r"R\textsuperscript{2} $\times$ 2 -- 1$-\alpha$"
    assert latex_escape('SL del "Made in Italy"') == "SL del ``Made in Italy''"
    assert latex_escape(r"\input{x}") == r"\textbackslash{}input\{x\}"
    assert latex_escape("p<0.1 | ~^") == r"p\textless{}0.1 \textbar{} \textasciitilde{}\textasciicircum{}"


def test_html_is_styled_with_title_spanners_notes_and_a_full_page():
    table = TABLES["regression"]
    frag = render(table, "html")
    page = render(table, "html_page")
    assert "<html" not in frag and frag.lstrip().startswith("<div id=\"regression\"")
    assert page.startswith("<!DOCTYPE html>") and "<title>Employment and exposure</title>" in page
    for text in (frag, page):
        assert "Employment and exposure" in text and "gt_column_spanner" in text and ">Panel<" in text
        assert "Shift-share" in text and "gt_sourcenote" in text and "Vintage: embedded:test" in text
        assert "font-variant-numeric: tabular-nums" in text
    # great-tables' reset rules are scoped to the table, so a report embedding it keeps its own style
    assert re.search(r"(?m)^#regression thead, #regression tbody", frag)
    assert not re.search(r"(?m)^\s*tr \{", frag) and ", tbody, tfoot" not in frag


def test_markup_never_passes_through():
    cells = Cells()
    cells.add("b", "r", "c", "<script>alert(1)</script>", label="<img src=x onerror=alert(1)>")
    t = Table(name="x", title="<b>t</b>", columns=(Column("c", "<i>c</i>"),), cells=cells.frame(),
              notes=("<script>n</script>",))
    for fmt in ("md", "html", "html_page"):
        text = render(t, fmt)
        assert "<script>" not in text and "<img" not in text and "<b>t" not in text
    assert r"\textless{}script\textgreater{}" in render(t, "tex")


def test_csv_neutralises_spreadsheet_formulas_but_keeps_numbers():
    cells = Cells()
    cells.add("b", "=HYPERLINK(\"http://x\")", "@m", "-cmd|' /C calc'!A0", label="+x", value=-0.5)
    cells.add("b", "n", "@m", "-0.5000***", value=-0.5)
    cells.add("b", "s", "@m", "-72%", value=-0.72)
    t = Table(name="x", title="=1+1", columns=(Column("@m", "-l"),), cells=cells.frame(), notes=("-n",))
    back = csv_cells(render(t, "csv"))
    assert back["text"].tolist() == ["'=1+1", "'-cmd|' /C calc'!A0", "-0.5000***", "-72%", "'-n"]
    assert back.loc[1, "row"] == "'=HYPERLINK(\"http://x\")" and back.loc[1, "column"] == "'@m"
    assert back.loc[1, "label"] == "'+x" and back.loc[1, "value"] == -0.5
    assert csv_safe(-3) == -3 and csv_safe("12") == "12" and csv_safe("+1") == "+1"


def test_table_refuses_inconsistent_layouts():
    cells = Cells()
    cells.add("b", "r", "a", "1")
    frame = cells.frame()
    with pytest.raises(ValueError, match="not contiguous"):
        Table("t", "t", (Column("a", "a", "G"), Column("b", "b"), Column("c", "c", "G")), frame)
    with pytest.raises(ValueError, match="unknown column"):
        Table("t", "t", (Column("z", "z"),), frame)
    with pytest.raises(ValueError, match="lack"):
        Table("t", "t", (Column("a", "a"),), frame.drop(columns="stars"))
    cells.add("b", "r", "a", "2")
    with pytest.raises(ValueError, match="two cells"):
        grid(Table("t", "t", (Column("a", "a"),), cells.frame()))
    with pytest.raises(ValueError, match="format"):
        render(Table("t", "t", (Column("a", "a"),), frame), "xlsx")


def test_write_table_names_files_and_refuses_unknown_formats(tmp_path):
    paths = write_table(TABLES["sll"], tmp_path)
    assert sorted(p.name for p in paths) == ["sll.csv", "sll.fragment.html", "sll.html", "sll.md", "sll.standalone.tex",
                                             "sll.tex"]
    with pytest.raises(ValueError, match="formats"):
        write_table(TABLES["sll"], tmp_path, ["pdf"])
    assert pd.read_csv(tmp_path / "sll.csv")["table"].eq("sll").all()
