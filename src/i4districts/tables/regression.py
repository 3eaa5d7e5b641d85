"""Regression tables in LaTeX (booktabs), Markdown, CSV and HTML.

Pure functions from :class:`ModelColumn` records to strings. Layout follows
the usual economics table: one column per model, each term's estimate with
significance stars and its standard error in parentheses below, then model
statistics, then notes. The CSV is tidy and keeps full precision (``repr`` of
the floats) so that a test or a reader can recover the exact estimate.
"""

from __future__ import annotations

import html
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

COEFFICIENT_COLUMNS = ["term", "estimate", "std_error", "t", "p", "ci_low", "ci_high"]
STAR_LEVELS: tuple[tuple[float, str], ...] = ((0.01, "***"), (0.05, "**"), (0.10, "*"))
STAR_LEGEND = "* p<0.10, ** p<0.05, *** p<0.01"
NO_STARS_LEGEND = "No significance stars: the table rests on illustrative (synthetic) data"


def legend(show_stars: bool) -> str:
    """The last note of a table: the star convention, or why there are no stars."""
    return STAR_LEGEND if show_stars else NO_STARS_LEGEND
INTERCEPT_TERMS = ("const", "Intercept", "_cons")  # shown last


@dataclass(frozen=True)
class ModelColumn:
    """One model's column: coefficients (``COEFFICIENT_COLUMNS``) and display statistics."""

    model_id: str
    label: str
    coefficients: pd.DataFrame
    statistics: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        missing = [c for c in COEFFICIENT_COLUMNS if c not in self.coefficients.columns]
        if missing:
            raise ValueError(f"model {self.model_id!r}: coefficients lack column(s) {missing}")


def stars(p: float) -> str:
    """Significance stars for a p-value: *** < 0.01, ** < 0.05, * < 0.10."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return ""
    for level, mark in STAR_LEVELS:
        if p < level:
            return mark
    return ""


def _fmt(x: float, digits: int) -> str:
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def _grid(columns: Sequence[ModelColumn], labels: Mapping[str, str], digits: int,
          show_stars: bool = True) -> tuple[list[list[str]], list[list[str]]]:
    """Body rows (term/estimate, blank/(se)) and statistics rows as plain strings."""
    terms: list[str] = []
    for col in columns:
        for term in col.coefficients["term"]:
            if term not in terms:
                terms.append(term)
    terms.sort(key=lambda t: t in INTERCEPT_TERMS)  # stable: first-seen order, intercepts last
    body: list[list[str]] = []
    for term in terms:
        est_row, se_row = [labels.get(term, term)], [""]
        for col in columns:
            hit = col.coefficients[col.coefficients["term"] == term]
            if hit.empty:
                est_row.append("")
                se_row.append("")
            else:
                r = hit.iloc[0]
                est_row.append(_fmt(float(r["estimate"]), digits) + (stars(float(r["p"])) if show_stars else ""))
                se_row.append(f"({_fmt(float(r['std_error']), digits)})")
        body += [est_row, se_row]
    stat_names: list[str] = []
    for col in columns:
        for name in col.statistics:
            if name not in stat_names:
                stat_names.append(name)
    stats = [[name, *[str(col.statistics.get(name, "")) for col in columns]] for name in stat_names]
    return body, stats


_LATEX_SPECIAL = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
                  "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}",
                  "²": r"\textsuperscript{2}", "×": r"$\times$"}


def latex_escape(text: str) -> str:
    """Escape LaTeX's special characters in plain text."""
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text)


def to_latex(columns: Sequence[ModelColumn], *, title: str, notes: Sequence[str] = (), label: str = "",
             labels: Mapping[str, str] | None = None, digits: int = 4, show_stars: bool = True) -> str:
    """A ``table`` environment with a booktabs ``tabular`` (needs ``\\usepackage{booktabs}``)."""
    body, stats = _grid(columns, labels or {}, digits, show_stars)
    k = len(columns)
    lines = [r"\begin{table}[htbp]", r"\centering", rf"\caption{{{latex_escape(title)}}}"]
    if label:
        lines.append(rf"\label{{{label}}}")
    lines += [rf"\begin{{tabular}}{{l{'c' * k}}}", r"\toprule"]
    lines.append(" & " + " & ".join(f"({i + 1})" for i in range(k)) + r" \\")
    lines.append(" & " + " & ".join(latex_escape(c.label) for c in columns) + r" \\")
    lines.append(r"\midrule")
    lines += [" & ".join(latex_escape(cell) for cell in row) + r" \\" for row in body]
    if stats:
        lines.append(r"\midrule")
        lines += [" & ".join(latex_escape(cell) for cell in row) + r" \\" for row in stats]
    lines += [r"\bottomrule", r"\end{tabular}"]
    all_notes = [*notes, legend(show_stars)]
    lines.append(r"\par\smallskip\begin{minipage}{0.9\linewidth}\footnotesize Notes: "
                 + latex_escape(" ".join(n.rstrip(".") + "." for n in all_notes)) + r"\end{minipage}")
    lines.append(r"\end{table}")
    return "\n".join(lines) + "\n"


def _md_cell(text: str) -> str:
    """Markdown cell text: pipes escaped, and ``<`` as ``&lt;`` so that no markup (``<script>``) passes through."""
    return text.replace("<", "&lt;").replace("|", r"\|")


def to_markdown(columns: Sequence[ModelColumn], *, title: str, notes: Sequence[str] = (),
                labels: Mapping[str, str] | None = None, digits: int = 4, show_stars: bool = True) -> str:
    """A GitHub-flavoured Markdown table with the title above and notes below."""
    body, stats = _grid(columns, labels or {}, digits, show_stars)
    header = ["", *[f"({i + 1}) {c.label}" for i, c in enumerate(columns)]]
    lines = [f"**{_md_cell(title)}**", "", "| " + " | ".join(map(_md_cell, header)) + " |",
             "|" + "---|" + "---:|" * len(columns)]
    lines += ["| " + " | ".join(map(_md_cell, row)) + " |" for row in [*body, *stats]]
    lines += ["", *[f"Note: {_md_cell(n)}" for n in notes], f"Note: {legend(show_stars)}"]
    return "\n".join(lines) + "\n"


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``) gets a leading ``'``.

    Numbers are left alone (a negative estimate stays numeric). OWASP, "CSV Injection".
    """
    if not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return value
    try:
        float(value)
        return value
    except ValueError:
        return "'" + value


def to_csv(columns: Sequence[ModelColumn], *, title: str, notes: Sequence[str] = ()) -> str:
    """Tidy CSV, one row per (model, term), full float precision; title and notes in columns.

    Text cells that would start a spreadsheet formula are neutralised (:func:`csv_safe`).
    """
    frames = []
    for col in columns:
        f = col.coefficients[COEFFICIENT_COLUMNS].copy()
        f.insert(0, "model", col.model_id)
        for name, value in col.statistics.items():
            f[name] = value
        frames.append(f)
    out = pd.concat(frames, ignore_index=True)
    out["title"] = title
    out["notes"] = " | ".join(notes)
    for name in out.columns:
        if out[name].dtype == object or pd.api.types.is_string_dtype(out[name]):
            out[name] = out[name].map(csv_safe)
    out.columns = [csv_safe(c) for c in out.columns]
    buf = io.StringIO()
    out.to_csv(buf, index=False, float_format="%.17g")
    return buf.getvalue()


def to_html(columns: Sequence[ModelColumn], *, title: str, notes: Sequence[str] = (),
            labels: Mapping[str, str] | None = None, digits: int = 4, show_stars: bool = True) -> str:
    """A self-contained HTML ``<table>`` with caption and notes in ``<tfoot>``."""
    body, stats = _grid(columns, labels or {}, digits, show_stars)
    e = html.escape
    k = len(columns)
    head = "".join(f"<th>({i + 1}) {e(c.label)}</th>" for i, c in enumerate(columns))
    rows = "\n".join("<tr>" + "".join(f"<td>{e(x)}</td>" for x in row) + "</tr>" for row in body)
    srows = "\n".join("<tr class='stat'>" + "".join(f"<td>{e(x)}</td>" for x in row) + "</tr>" for row in stats)
    foot = "".join(f"<tr><td colspan='{k + 1}'>Note: {e(n)}</td></tr>" for n in [*notes, legend(show_stars)])
    return (f"<table class='regression'>\n<caption>{e(title)}</caption>\n<thead><tr><th></th>{head}</tr></thead>\n"
            f"<tbody>\n{rows}\n{srows}\n</tbody>\n<tfoot>{foot}</tfoot>\n</table>\n")


RENDERERS = {"tex": to_latex, "md": to_markdown, "html": to_html}
