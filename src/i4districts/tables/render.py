"""One tidy table, four formats: the long table of display cells that every renderer reads.

A :class:`Table` holds a long DataFrame of cells (:data:`CELL_COLUMNS`): one row per
(table row, column) with the ``text`` shown and, for numbers, the full-precision ``value``
behind it (``value_hi`` for the upper end of an interval, ``p`` and ``stars`` for estimates).
Markdown, LaTeX and HTML are drawn from :func:`grid` (the same strings), and the CSV is the
long table itself with the title and notes as rows, so the formats cannot disagree.

A table row is identified by ``(block, row, statistic)``: an estimate and its standard error
are two display rows of the same ``row`` (the term). Rows appear in the order of their first
cell; blocks (coefficients, fixed effects, statistics ...) are separated by a rule
(``\\midrule`` in LaTeX, a border in HTML) and, with ``show_blocks``, headed by their label.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

__all__ = [
    "CELL_COLUMNS",
    "FORMATS",
    "Cells",
    "Column",
    "Table",
    "csv_safe",
    "fmt_int",
    "fmt_num",
    "grid",
    "has_stub",
    "header_labels",
    "render",
    "to_csv",
    "to_markdown",
    "write_table",
]

CELL_COLUMNS: list[str] = ["block", "row", "statistic", "label", "column", "text", "value", "value_hi", "p",
                           "stars"]
"""Columns of :attr:`Table.cells`."""

FORMATS: tuple[str, ...] = ("tex", "md", "csv", "html")
"""File formats of :func:`write_table` (``tex`` also writes ``<name>.standalone.tex``, ``html`` also
``<name>.fragment.html``)."""

NAN = float("nan")


@dataclass(frozen=True)
class Column:
    """One data column: ``key`` (model id or field name), header ``label``, optional spanner ``group``."""

    key: str
    label: str
    group: str | None = None
    align: str = "right"  # "right" | "left" | "center"


@dataclass(frozen=True)
class Table:
    """A publication table: title, columns, long cells and notes (see the module docstring)."""

    name: str
    title: str
    columns: tuple[Column, ...]
    cells: pd.DataFrame
    notes: tuple[str, ...] = ()
    stub: str = ""
    numbered: bool = False
    """Number the columns ``(1) (2) ...`` (regression tables)."""
    show_blocks: bool = False
    """Head each block with its label (from :attr:`blocks`)."""
    blocks: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        missing = [c for c in CELL_COLUMNS if c not in self.cells.columns]
        if missing:
            raise ValueError(f"table {self.name!r}: cells lack column(s) {missing}")
        keys = [c.key for c in self.columns]
        if len(set(keys)) != len(keys):
            raise ValueError(f"table {self.name!r}: duplicated column keys {keys}")
        unknown = sorted(set(self.cells["column"].astype(str)) - set(keys))
        if unknown:
            raise ValueError(f"table {self.name!r}: cells in unknown column(s) {unknown}")
        groups = [c.group for c in self.columns]
        seen: list[str] = []
        for i, g in enumerate(groups):
            if g is None:
                continue
            if g in seen and groups[i - 1] != g:
                raise ValueError(f"table {self.name!r}: column group {g!r} is not contiguous "
                                 f"(columns {[c.key for c in self.columns if c.group == g]})")
            if g not in seen:
                seen.append(g)

    def with_notes(self, notes: Iterable[str]) -> "Table":
        """The same table with ``notes`` appended."""
        return replace(self, notes=(*self.notes, *notes))


class Cells:
    """Collects cells row by row: ``cells.add(block, row, column, text, value=...)``."""

    def __init__(self) -> None:
        self._rows: list[dict[str, object]] = []

    def add(self, block: str, row: str, column: str, text: str, *, label: str = "", statistic: str = "value",
            value: float | None = None, value_hi: float | None = None, p: float | None = None,
            stars: str = "") -> None:
        self._rows.append({"block": block, "row": row, "statistic": statistic, "label": label, "column": column,
                           "text": text, "value": _float(value), "value_hi": _float(value_hi), "p": _float(p),
                           "stars": stars})

    def frame(self) -> pd.DataFrame:
        df = pd.DataFrame(self._rows, columns=CELL_COLUMNS)
        for c in ("value", "value_hi", "p"):
            df[c] = df[c].astype(float)
        for c in ("block", "row", "statistic", "label", "column", "text", "stars"):
            df[c] = df[c].astype(object)
        return df


def _float(x: object) -> float:
    if x is None:
        return NAN
    try:
        return float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return NAN


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def fmt_num(x: object, digits: int) -> str:
    """``x`` with ``digits`` decimals (``""`` when missing); ``-0.0000`` is shown as ``0.0000``."""
    if _missing(x):
        return ""
    text = f"{float(x):.{digits}f}"  # type: ignore[arg-type]
    return text[1:] if re.fullmatch(r"-0\.?0*", text) else text


def fmt_int(x: object) -> str:
    """A count with thousands separators (``1,870``); ``""`` when missing."""
    return "" if _missing(x) else f"{int(round(float(x))):,}"  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- the grid
def grid(table: Table) -> pd.DataFrame:
    """The display grid: one row per ``(block, row, statistic)`` in first-appearance order, columns
    ``block, row, statistic, label`` and one text column per :attr:`Table.columns` key."""
    cells = table.cells
    keys = [c.key for c in table.columns]
    ident = ["block", "row", "statistic"]
    if cells.empty:
        return pd.DataFrame(columns=[*ident, "label", *keys])
    dup = cells.duplicated([*ident, "column"])
    if dup.any():
        raise ValueError(f"table {table.name!r}: two cells for the same row and column: "
                         f"{cells.loc[dup, [*ident, 'column']].head(3).values.tolist()}")
    order = cells.drop_duplicates(ident)[[*ident, "label"]].reset_index(drop=True)
    wide = cells.pivot(index=ident, columns="column", values="text")
    out = order.join(wide, on=ident)
    for k in keys:
        if k not in out.columns:
            out[k] = ""
    out = out[[*ident, "label", *keys]]
    out[keys] = out[keys].astype(object).where(out[keys].notna(), "")
    return out.reset_index(drop=True)


def has_stub(table: Table) -> bool:
    """Whether the table has a row-label (stub) column: a stub header, block headings or any row label."""
    return bool(table.stub) or table.show_blocks or bool((table.cells["label"].astype(str) != "").any())


def header_labels(table: Table) -> list[str]:
    """Column headers as shown: ``(i) label`` for numbered tables, else the label."""
    if table.numbered:
        return [f"({i}) {c.label}".rstrip() for i, c in enumerate(table.columns, start=1)]
    return [c.label for c in table.columns]


def column_groups(table: Table) -> list[tuple[str | None, int, int]]:
    """Runs of equal ``group``: ``(group, first index, last index)`` over the data columns (0-based)."""
    runs: list[tuple[str | None, int, int]] = []
    for i, c in enumerate(table.columns):
        if runs and runs[-1][0] == c.group:
            runs[-1] = (c.group, runs[-1][1], i)
        else:
            runs.append((c.group, i, i))
    return runs


# ----------------------------------------------------------------------------- Markdown
def _md_cell(text: object) -> str:
    """Markdown cell text: pipes escaped, ``<`` as ``&lt;`` so that no markup passes through."""
    return str(text).replace("<", "&lt;").replace("|", r"\|").replace("\n", " ")


def to_markdown(table: Table) -> str:
    """A GitHub-flavoured Markdown table: bold title, column groups line, table, one ``Note:`` line per note."""
    g = grid(table)
    keys = [c.key for c in table.columns]
    lines = [f"**{_md_cell(table.title)}**", ""]
    runs = column_groups(table)
    if any(grp is not None for grp, _, _ in runs):
        spans = [f"{_md_cell(grp)}: {_span_text(table, a, b)}" for grp, a, b in runs if grp is not None]
        lines += ["Column groups: " + "; ".join(spans), ""]
    stub = has_stub(table)
    head = [table.stub, *header_labels(table)] if stub else header_labels(table)
    lines.append("| " + " | ".join(_md_cell(h) for h in head) + " |")
    lines.append("|" + ("---|" if stub else "")
                 + "".join("---:|" if c.align == "right" else ":---:|" if c.align == "center" else "---|"
                           for c in table.columns))
    block = None
    for _, r in g.iterrows():
        if table.show_blocks and r["block"] != block:
            heading = table.blocks.get(r["block"], "")
            if heading:
                lines.append("| " + " | ".join([f"*{_md_cell(heading)}*", *[""] * len(keys)]) + " |")
        block = r["block"]
        row = [r["label"], *[r[k] for k in keys]] if stub else [r[k] for k in keys]
        lines.append("| " + " | ".join(_md_cell(x) for x in row) + " |")
    lines.append("")
    lines += [f"Note: {_md_cell(n)}" for n in table.notes]
    return "\n".join(lines).rstrip("\n") + "\n"


def _span_text(table: Table, a: int, b: int) -> str:
    if table.numbered:
        return f"({a + 1})" if a == b else f"({a + 1})–({b + 1})"
    labels = [c.label for c in table.columns[a:b + 1]]
    return ", ".join(labels)


# ----------------------------------------------------------------------------- CSV
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_TEXT = re.compile(r"[-+]?[0-9][0-9.,]*\**%?")


def csv_safe(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``) gets a leading ``'``.

    Numbers, also shown with significance stars or a percent sign (``-0.8154***``, ``-72%``), are left
    alone: they hold no function name. OWASP, "CSV Injection".
    """
    if not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return value
    if _NUMBER_TEXT.fullmatch(value):
        return value
    return "'" + value


CSV_COLUMNS: list[str] = ["table", "block", "row", "statistic", "label", "column", "column_label", "column_group",
                          "text", "value", "value_hi", "p", "stars"]
"""Columns of the CSV: the cells with their table and column headers; title and notes are rows of
block ``title`` / ``note``."""


def csv_frame(table: Table) -> pd.DataFrame:
    """The long table of the CSV (:data:`CSV_COLUMNS`), rows in display order."""
    g = grid(table)
    heads = dict(zip([c.key for c in table.columns], header_labels(table)))
    groups = {c.key: c.group or "" for c in table.columns}
    ident = ["block", "row", "statistic"]
    order = g[ident].reset_index().rename(columns={"index": "_order"})
    col_order = {c.key: i for i, c in enumerate(table.columns)}
    cells = table.cells.merge(order, on=ident, how="left")
    cells["_col"] = cells["column"].map(col_order)
    cells = cells.sort_values(["_order", "_col"], kind="stable").drop(columns=["_order", "_col"])
    cells["column_label"] = cells["column"].map(heads)
    cells["column_group"] = cells["column"].map(groups)
    cells.insert(0, "table", table.name)
    head = pd.DataFrame([{"table": table.name, "block": "title", "row": "title", "statistic": "", "label": "",
                          "column": "", "column_label": "", "column_group": "", "text": table.title}])
    notes = pd.DataFrame([{"table": table.name, "block": "note", "row": f"note{i}", "statistic": "", "label": "",
                           "column": "", "column_label": "", "column_group": "", "text": n}
                          for i, n in enumerate(table.notes, start=1)])
    out = pd.concat([head, cells, notes], ignore_index=True)[CSV_COLUMNS]
    for c in ("value", "value_hi", "p"):
        out[c] = out[c].astype(float)
    for c in CSV_COLUMNS:
        if c not in ("value", "value_hi", "p"):
            out[c] = out[c].astype(object).where(out[c].notna(), "").map(csv_safe)
    return out


def to_csv(table: Table) -> str:
    """The long table (:func:`csv_frame`) as CSV; floats as their shortest exact representation (``repr``),
    so that reading the file back gives the very same numbers."""
    buf = io.StringIO()
    csv_frame(table).to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


# ----------------------------------------------------------------------------- dispatch
def render(table: Table, fmt: str) -> str:
    """``fmt``: ``md``, ``csv``, ``tex`` (fragment), ``standalone`` (compilable LaTeX document),
    ``html`` (fragment for a report) or ``html_page`` (a full page)."""
    if fmt == "md":
        return to_markdown(table)
    if fmt == "csv":
        return to_csv(table)
    if fmt in ("tex", "standalone"):
        from .latex import standalone, to_latex

        return to_latex(table) if fmt == "tex" else standalone(table)
    if fmt in ("html", "html_page"):
        from .html import to_html

        return to_html(table, page=fmt == "html_page")
    raise ValueError(f"table format must be one of {[*FORMATS, 'standalone', 'html_page']}, got {fmt!r}")


def write_table(table: Table, out_dir: str | Path, formats: Sequence[str] = FORMATS,
                name: str | None = None) -> list[Path]:
    """Write ``<name>.<fmt>`` for each format (atomic). ``tex`` also writes ``<name>.standalone.tex``
    (a document that compiles alone); ``html`` writes the full page as ``<name>.html`` and the fragment
    for a report as ``<name>.fragment.html``."""
    from i4districts import io as i4io

    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise ValueError(f"table formats must be among {list(FORMATS)}, got {bad}")
    base = Path(out_dir) / (name or table.name)
    written: list[Path] = []
    for fmt in formats:
        if fmt == "html":
            written.append(i4io.write_text(render(table, "html_page"), f"{base}.html"))
            written.append(i4io.write_text(render(table, "html"), f"{base}.fragment.html"))
            continue
        written.append(i4io.write_text(render(table, fmt), f"{base}.{fmt}"))
        if fmt == "tex":
            written.append(i4io.write_text(render(table, "standalone"), f"{base}.standalone.tex"))
    return written
