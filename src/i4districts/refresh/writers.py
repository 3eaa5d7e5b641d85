"""CSV and Markdown writers of revision reports and moved-estimates tables (atomic, via :mod:`i4districts.io`).

Layout under the report directory ``out``::

    summary.csv                      one row per dataset (RevisionReport.summary)
    revisions.md                     every dataset: summary, structure, largest revisions, flags
    <dataset>/revised.csv            one file per table of the dataset's report
    <dataset>/added.csv, removed.csv, flags_changed.csv, structure.csv
    estimates_moved.csv / .md        moved estimates (when two runs were compared)

Text cells that a spreadsheet would run as a formula are neutralised with
:func:`i4districts.tables.render.csv_safe`; floats are written as their
shortest round-trip text (``repr``), so no precision is lost.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from i4districts.io import write_text
from i4districts.refresh.revisions import RevisionReport
from i4districts.tables.render import csv_safe

__all__ = ["MD_ROWS", "csv_text", "dataset_dirname", "estimates_markdown", "report_markdown",
           "write_estimates", "write_reports"]

#: Rows of a detail table shown in Markdown (the CSV has them all).
MD_ROWS = 50
TABLES = ("revised", "added", "removed", "flags_changed", "structure")


def csv_text(df: pd.DataFrame) -> str:
    """``df`` as CSV text: formula-safe text cells, floats that round-trip exactly, empty cell for missing."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].astype(object).where(out[c].notna(), None).map(csv_safe)
    out.columns = [csv_safe(str(c)) for c in out.columns]
    buf = io.StringIO()
    out.to_csv(buf, index=False, lineterminator="\n")  # floats as repr: shortest text that round-trips
    return buf.getvalue()


def dataset_dirname(name: str) -> str:
    """A safe directory name for a dataset (letters, digits, ``._-``; nothing else, never ``..``)."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", str(name)).strip("._") or "dataset"
    return safe


def _md(x: object) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA:
        return ""
    if isinstance(x, float):
        return f"{x:.6g}"
    return str(x).replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def _md_table(df: pd.DataFrame, limit: int = MD_ROWS) -> list[str]:
    if df.empty:
        return ["(none)"]
    shown = df.head(limit)
    lines = ["| " + " | ".join(_md(c) for c in shown.columns) + " |",
             "|" + "---|" * len(shown.columns)]
    lines += ["| " + " | ".join(_md(v) for v in row) + " |" for row in shown.itertuples(index=False)]
    if len(df) > limit:
        lines.append(f"\n{limit} of {len(df)} rows shown; all in the CSV.")
    return lines


def _pct(x: float) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.2f} %"


def report_markdown(report: RevisionReport) -> str:
    """The Markdown section of one dataset."""
    s = report.summary.iloc[0]
    if not report.keys:  # a file dataset (no table): changed or not, by sha256
        return "\n".join([f"## {_md(report.dataset)}", "", f"- Old vintage: {_md(s['old_vintage'])}",
                          f"- New vintage: {_md(s['new_vintage'])}", *[f"- Note: {_md(n)}" for n in report.notes],
                          "", *(_md_table(report.structure) if len(report.structure) else ["File unchanged."])]) + "\n"
    unit = report.unit or "the units of the table's unit column"
    rule = (f"|new − old| > {report.tolerance:g} {_md(report.unit)}" if report.unit
            else f"|new − old| > {report.tolerance:g} (in the units of the table's unit column)")
    kinds_add = report.added["kind"].value_counts()
    kinds_rem = report.removed["kind"].value_counts()
    nuts = ("not checked" if s["nuts_old"] is None or pd.isna(s["nuts_old"])
            else f"{s['nuts_old']} → {s['nuts_new']}" + (f" ({s['nuts_links_changed']} changed links)"
                                                          if s["nuts_old"] != s["nuts_new"] else " (unchanged)"))
    lines = [
        f"## {_md(report.dataset)}", "",
        f"- Old vintage: {_md(s['old_vintage'])}",
        f"- New vintage: {_md(s['new_vintage'])}",
        f"- Values in {_md(unit)}; a shared cell is revised when {rule}.",
        f"- Cell keys: {', '.join(report.keys)}.",
        *[f"- Note: {_md(n)}" for n in report.notes], "",
        "| measure | value |", "|---|---:|",
        f"| cells old / new / shared | {s['cells_old']} / {s['cells_new']} / {s['cells_shared']} |",
        f"| revised cells | {s['cells_revised']} ({_pct(s['share_revised'])} of shared) |",
        f"| max \\|relative change\\| of revised cells | {_md(float(s['max_abs_rel_change']))} |",
        f"| cells added (new series / new period / cell) | {s['cells_added']} ({kinds_add.get('new_series', 0)} / "
        f"{kinds_add.get('new_period', 0)} / {kinds_add.get('cell', 0)}) |",
        f"| cells removed (series removed / period removed / cell) | {s['cells_removed']} "
        f"({kinds_rem.get('series_removed', 0)} / {kinds_rem.get('period_removed', 0)} / {kinds_rem.get('cell', 0)}) |",
        f"| series old / new / shared | {s['series_old']} / {s['series_new']} / {s['series_shared']} |",
        f"| flags changed | {s['flags_changed']}" + ("" if s["flags_compared"] else " (not compared)") + " |",
        f"| flagged cells old / new | {s['flagged_old']} / {s['flagged_new']} |",
        f"| unpublished rows old / new | {s['unpublished_old']} / {s['unpublished_new']} |",
        f"| dimensions added / removed | {s['dimensions_added']} / {s['dimensions_removed']} |",
        f"| codes added / removed | {s['codes_added']} / {s['codes_removed']} |",
        f"| NUTS version | {_md(nuts)} |", "",
        "### Structure", "",
    ]
    st = report.structure
    other = st[~st["change"].isin(["code_added", "code_removed"])]
    lines += _md_table(other, limit=len(other) or 1) if len(other) else ["No dimension or NUTS version change."]
    for change, label in (("code_added", "Codes added"), ("code_removed", "Codes removed")):
        part = st[st["change"] == change]
        if part.empty:
            continue
        lines += ["", f"{label}:", ""]
        col = "new" if change == "code_added" else "old"
        for dim, grp in part.groupby("dimension", sort=False):
            codes = grp[col].astype(str).tolist()
            more = f" … ({len(codes)} in all)" if len(codes) > 30 else ""
            lines.append(f"- {_md(dim)} ({len(codes)}): {_md(', '.join(codes[:30]))}{more}")
    rev = report.revised.reindex(report.revised["rel_change"].abs().sort_values(ascending=False).index)
    lines += ["", "### Revised cells (largest |relative change| first)", "", *_md_table(rev)]
    lines += ["", "### Flags changed", "", *_md_table(report.flags_changed)]
    return "\n".join(lines) + "\n"


def write_reports(reports: Sequence[RevisionReport], out: str | Path, *, title: str = "Revision report") -> Path:
    """Write every report's tables as CSV, ``summary.csv`` and ``revisions.md`` under ``out``; returns ``out``."""
    out = Path(out)
    names = [dataset_dirname(r.dataset) for r in reports]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ValueError(f"two reports write to the same directory {dup}; give the datasets distinct names")
    for r, name in zip(reports, names, strict=True):
        for t in TABLES:
            write_text(csv_text(getattr(r, t)), out / name / f"{t}.csv")
    summary = pd.concat([r.summary for r in reports], ignore_index=True) if reports else pd.DataFrame()
    write_text(csv_text(summary), out / "summary.csv")
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    head = [f"# {title}", "", f"Written {stamp}. Per dataset: `summary.csv` (one row each) and "
            "`<dataset>/{revised,added,removed,flags_changed,structure}.csv` hold every row.", ""]
    body = [report_markdown(r) for r in reports] or ["No dataset compared.\n"]
    write_text("\n".join(head) + "\n" + "\n".join(body), out / "revisions.md")
    return out


def estimates_markdown(moved: pd.DataFrame, *, old_run: str, new_run: str, rtol: float, atol: float) -> str:
    """Markdown of the moved-estimates table."""
    lines = ["# Estimates moved", "", f"- Old run: {_md(old_run)}", f"- New run: {_md(new_run)}",
             f"- An estimate moved when |new − old| > {atol:g} + {rtol:g}·|old| (or it appears, disappears or "
             "becomes missing).", "", f"{len(moved)} quantities moved.", ""]
    lines += _md_table(moved, limit=200)
    return "\n".join(lines) + "\n"


def write_estimates(moved: pd.DataFrame, out: str | Path, *, old_run: str, new_run: str, rtol: float,
                    atol: float) -> tuple[Path, Path]:
    """Write ``estimates_moved.csv`` and ``estimates_moved.md`` under ``out``."""
    out = Path(out)
    csv_path = write_text(csv_text(moved), out / "estimates_moved.csv")
    md_path = write_text(estimates_markdown(moved, old_run=old_run, new_run=new_run, rtol=rtol, atol=atol),
                         out / "estimates_moved.md")
    return csv_path, md_path
