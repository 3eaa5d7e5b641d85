"""HTML rendering of a :class:`~i4districts.tables.render.Table` with great-tables.

Styled (booktabs-like rules, tabular figures), title as the heading, column spanners for
column groups, numbers right-aligned, block headings as row groups, notes as source notes.
:func:`to_html` returns a fragment to embed in a report (a ``<div>`` whose CSS is scoped to
the table's id) or, with ``page=True``, a complete HTML page. Cell text is escaped by
great-tables (no markup passes through).
"""

from __future__ import annotations

import html as _html
import re

import pandas as pd

from .render import Table, grid, has_stub, header_labels

__all__ = ["to_html", "html_id"]

_LABEL, _BLOCK = "__label__", "__block__"
_RULE = "#333333"


def html_id(name: str) -> str:
    """A CSS id for the table (letters, digits, ``-``, ``_``; starts with a letter)."""
    ident = re.sub(r"[^A-Za-z0-9_-]", "-", name)
    return ident if ident[:1].isalpha() else f"t-{ident}"


def _gt(table: Table):
    from great_tables import GT, html, loc, style

    g = grid(table)
    keys = [c.key for c in table.columns]
    data_cols = [f"c{i}" for i in range(len(keys))]
    df = pd.DataFrame({_LABEL: g["label"].astype(str).tolist()})
    blocks = g["block"].astype(str).map(lambda b: table.blocks.get(b, "")).tolist()
    df[_BLOCK] = blocks
    for col, key in zip(data_cols, keys):
        df[col] = g[key].astype(str).tolist()
    ident = html_id(table.name)
    stub = has_stub(table)
    gt = GT(df, rowname_col=_LABEL if stub else None, groupname_col=_BLOCK if table.show_blocks else None,
            id=ident, auto_align=False)
    hidden = ([] if table.show_blocks else [_BLOCK]) + ([] if stub else [_LABEL])
    if hidden:
        gt = gt.cols_hide(hidden)
    heads = header_labels(table)
    if table.numbered:
        labels = {col: html(f"({i})<br>{_html.escape(c.label)}")
                  for i, (col, c) in enumerate(zip(data_cols, table.columns), start=1)}
    else:
        labels = {col: h for col, h in zip(data_cols, heads)}
    gt = gt.cols_label(**labels)
    for j, group in enumerate(dict.fromkeys(c.group for c in table.columns if c.group is not None)):
        cols = [col for col, c in zip(data_cols, table.columns) if c.group == group]
        gt = gt.tab_spanner(label=group, columns=cols, id=f"{ident}-group{j}")
    for align in ("right", "left", "center"):
        cols = [col for col, c in zip(data_cols, table.columns) if c.align == align]
        if cols:
            gt = gt.cols_align(align, columns=cols)
    gt = gt.tab_header(title=table.title)
    if table.stub:
        gt = gt.tab_stubhead(label=table.stub)
    for note in table.notes:
        gt = gt.tab_source_note(note)
    starts = [i for i in range(1, len(g)) if g["block"].iloc[i] != g["block"].iloc[i - 1]]
    if starts and not table.show_blocks:
        rule = style.borders(sides="top", color="#999999", weight="1px")
        gt = gt.tab_style(rule, loc.body(rows=starts))
        if stub:
            gt = gt.tab_style(rule, loc.stub(rows=starts))
    gt = gt.tab_options(
        table_font_size="14px", heading_align="left", heading_title_font_size="16px",
        heading_title_font_weight="bold", column_labels_font_weight="bold",
        table_border_top_color=_RULE, table_border_top_width="2px",
        table_border_bottom_color=_RULE, table_border_bottom_width="2px",
        heading_border_bottom_color=_RULE, column_labels_border_top_color=_RULE,
        column_labels_border_bottom_color=_RULE, column_labels_border_bottom_width="1px",
        table_body_border_bottom_color=_RULE, table_body_hlines_style="none",
        row_group_font_weight="bold", source_notes_font_size="12px", data_row_padding="3px",
    )
    gt = gt.opt_css(f"#{ident} .gt_row, #{ident} .gt_col_heading {{ font-variant-numeric: tabular-nums; }}\n"
                    f"#{ident} .gt_sourcenote {{ text-align: left; }}")
    return gt, ident


def _scope_css(text: str, ident: str) -> str:
    """Scope great-tables' unscoped reset rules (``tbody, tfoot, tr, td, th``; ``tr``) to the table's id,
    so that an embedded fragment does not restyle the rest of the report."""
    text = text.replace(f"#{ident} thead, tbody, tfoot, tr, td, th {{",
                        f"#{ident} thead, #{ident} tbody, #{ident} tfoot, #{ident} tr, #{ident} td, #{ident} th {{")
    return re.sub(r"(?m)^\s*tr \{ background-color", f" #{ident} tr {{ background-color", text)


def to_html(table: Table, *, page: bool = False) -> str:
    """HTML of ``table``: a fragment (default) or a complete page (``page=True``)."""
    gt, ident = _gt(table)
    text = _scope_css(gt.as_raw_html(make_page=page), ident)
    if page:
        text = text.replace('<meta charset="utf-8"/>',
                            f'<meta charset="utf-8"/>\n<title>{_html.escape(table.title)}</title>', 1)
    return text if text.endswith("\n") else text + "\n"
