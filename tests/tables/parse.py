"""Read the cells back from rendered tables (Markdown, LaTeX, HTML, CSV), independently of the renderers."""

from __future__ import annotations

import html
import io
import re
from html.parser import HTMLParser

import pandas as pd


def md_rows(text: str) -> list[list[str]]:
    """Body rows of the first pipe table (header and rule skipped), cells unescaped."""
    lines = [line for line in text.splitlines() if line.startswith("|")]
    rows = []
    for line in lines[2:]:
        cells = re.split(r"(?<!\\)\|", line.strip()[1:-1])
        rows.append([html.unescape(c.strip().replace("\\|", "|")) for c in cells])
    return rows


def md_header(text: str) -> list[str]:
    line = next(line for line in text.splitlines() if line.startswith("|"))
    return [html.unescape(c.strip().replace("\\|", "|")) for c in re.split(r"(?<!\\)\|", line.strip()[1:-1])]


def tex_rows(text: str) -> list[list[str]]:
    """Body rows of the tabular: between the first \\midrule and \\bottomrule, rules and headings skipped."""
    lines = text.splitlines()
    start = lines.index(r"\midrule") + 1
    end = lines.index(r"\bottomrule")
    rows = []
    for line in lines[start:end]:
        if line in (r"\midrule",) or line.startswith(r"\multicolumn"):
            continue
        assert line.endswith(r" \\"), line
        rows.append([c.strip() for c in re.split(r"(?<!\\)&", line[:-3])])
    return rows


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.in_body = False
        self.cell: list[str] | None = None
        self.classes: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tbody":
            self.in_body = True
        elif self.in_body and tag == "tr":
            self.rows.append([])
            self.classes.append("")
        elif self.in_body and tag in ("td", "th"):
            self.cell = []
            if "gt_right" in (a.get("class") or "") and tag == "td":
                self.classes[-1] += "R"
            elif tag == "td":
                self.classes[-1] += "L"

    def handle_endtag(self, tag):
        if tag == "tbody":
            self.in_body = False
        elif tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def html_rows(text: str) -> tuple[list[list[str]], list[str]]:
    """Body rows (stub and data cells) and, per row, the alignment of its data cells (R/L)."""
    p = _Cells()
    p.feed(text)
    return p.rows, p.classes


def csv_cells(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""],
                       dtype={"text": str, "row": str, "column": str, "label": str, "stars": str})


NUMBER = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?")


def number_of(text: str) -> tuple[float, int] | None:
    """The first number in a cell and its decimals (``"-0.8154***"`` → ``(-0.8154, 4)``)."""
    m = NUMBER.search(text.replace("−", "-"))
    if not m:
        return None
    s = m.group(0).replace(",", "")
    return float(s), len(s.split(".")[1]) if "." in s else 0
