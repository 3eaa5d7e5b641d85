"""The README's replication section, generated from the workflow (AEA / Social Science Data Editors template).

The section sits between :data:`START` and :data:`END` in the README and has the template's parts:
data availability and provenance (every input the run names, with its source, licence and attribution
from the ledger and :file:`sources.yaml`, and the embedded sample's ``PROVENANCE.md``), computational
requirements (Python and the dependencies of ``pyproject.toml``, the machine and the measured run
times given as JSON), instructions (the commands of the README's quick start) and the list of tables
and figures with the rule and file that make each, taken from the workflow's report manifest and/or
``snakemake --detailed-summary`` (never written by hand). Everything in it is deterministic, so
``--check`` can tell a stale README from a current one.

Run times JSON (``workflow/report/runtimes.json``)::

    {"machine": "Debian 12 container, 2 CPUs, 23 GiB", "measured": "2026-12-02",
     "runs": [{"step": "default run", "command": "snakemake", "seconds": 31.2}]}
"""

from __future__ import annotations

import csv
import io
import json
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from i4districts.errors import InputError
from i4districts.report.manifest import PACKAGE_PREFIX, Manifest, load_manifest
from i4districts.report.sources import SourceRecord, resolve_inputs

__all__ = ["END", "MANIFEST_NAME", "START", "TableEntry", "entries_from_detailed_summary", "entries_from_manifest",
           "load_runtimes", "read_summaries", "render_section", "update_readme"]

MANIFEST_NAME = "report_manifest.json"  # results/<scenario>/report_manifest.json, written by the workflow
START = "<!-- replication:start -->"
END = "<!-- replication:end -->"
KIND_NAMES = {"table": "Table", "figure": "Figure", "diagnostics": "Diagnostics"}
#: directories below results/<scenario>/ whose files are tables or figures in a detailed summary
SUMMARY_KINDS = {"tables": "table", "figures": "figure"}


@dataclass(frozen=True)
class TableEntry:
    """One row of the list of tables and figures."""

    kind: str
    title: str
    rule: str
    files: tuple[str, ...]


def entries_from_manifest(manifest: Manifest) -> list[TableEntry]:
    """One entry per item, tables first, then figures, then diagnostics (the report's order)."""
    from i4districts.report.page import item_title

    order = {k: n for n, k in enumerate(KIND_NAMES)}
    items = sorted(manifest.items, key=lambda i: order.get(i.kind, len(order)))
    return [TableEntry(kind=i.kind, title=item_title(i, manifest.base_dir), rule=i.rule or "?", files=i.path)
            for i in items]


def entries_from_detailed_summary(text: str, *, source: str = "summary") -> list[TableEntry]:
    """Rows of ``snakemake --detailed-summary`` whose output lies in a ``tables/`` or ``figures/`` directory,
    grouped per rule and file stem (one table written in several formats is one entry)."""
    reader = csv.DictReader(io.StringIO(text), delimiter="\t")
    if not reader.fieldnames or "output_file" not in reader.fieldnames or "rule" not in reader.fieldnames:
        raise InputError(f"{source}: not a `snakemake --detailed-summary` table (no output_file and rule columns)")
    groups: dict[tuple[str, str, str], list[str]] = {}
    for row in reader:
        out = Path(row["output_file"])
        kind = SUMMARY_KINDS.get(out.parent.name)
        if kind is None:
            continue
        stem = out.name.split(".")[0]
        groups.setdefault((kind, row["rule"], str(out.parent / stem)), []).append(str(out))
    return [TableEntry(kind=k, title=Path(stem).name.replace("_", " "), rule=rule, files=tuple(sorted(files)))
            for (k, rule, stem), files in sorted(groups.items(), key=lambda kv: (kv[0][0] != "table", kv[0][2]))]


def read_summaries(paths: Sequence[str | Path], *, base_dir: Path | None = None
                   ) -> tuple[list[TableEntry], list[Manifest]]:
    """Entries from every summary (a manifest JSON or a detailed-summary TSV), manifests' entries first."""
    manifests, from_summary = [], []
    for path in paths:
        p = Path(path)
        if not p.is_file():
            raise InputError(f"{p}: summary not found")
        head = p.read_text(encoding="utf-8")[:200].lstrip()
        if head.startswith("{"):
            manifests.append(load_manifest(p, base_dir=base_dir))
        else:
            from_summary += entries_from_detailed_summary(p.read_text(encoding="utf-8"), source=str(p))
    entries = [e for m in manifests for e in entries_from_manifest(m)]
    listed = {f for e in entries for f in e.files}
    entries += [e for e in from_summary if not set(e.files) & listed]
    return entries, manifests


def load_runtimes(path: str | Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: run-times JSON not found")
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{p}: not JSON ({exc})") from None
    runs = doc.get("runs") if isinstance(doc, dict) else None
    if not isinstance(runs, list) or not all(isinstance(r, dict) and isinstance(r.get("seconds"), (int, float))
                                             and r.get("step") for r in runs):
        raise InputError(f"{p}: field 'runs' must be a list of {{step, command, seconds}} objects")
    return doc


def _md(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.1f} min"


def quickstart_commands(readme: str) -> list[str]:
    """Commands of the first ``bash`` block under the README's "Quick start" heading (comments dropped)."""
    match = re.search(r"^##+ Quick start.*?```(?:bash|sh|console)?\n(.*?)```", readme, flags=re.M | re.S)
    if not match:
        return []
    return [ln.rstrip() for ln in match.group(1).splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


def _provenance_sections(names: Iterable[str]) -> str:
    """Sections of the package's ``data/PROVENANCE.md`` about the embedded files used (headings demoted)."""
    text = resources.files("i4districts").joinpath("data/PROVENANCE.md").read_text("utf-8")
    sections = re.split(r"(?m)^(?=# )", text)
    keep = [s.strip() for s in sections if s.strip() and any(n in s.split("\n", 1)[0] for n in names)]
    return "\n\n".join(re.sub(r"(?m)^# ", "#### ", s) for s in keep)


def _requirements(pyproject: Path) -> tuple[str, list[str]]:
    if not pyproject.is_file():
        return "", []
    doc = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    project = doc.get("project") or {}
    return str(project.get("requires-python") or ""), list(project.get("dependencies") or [])


def _data_section(sources: Sequence[SourceRecord], manifests: Sequence[Manifest]) -> list[str]:
    lines = ["### Data availability and provenance", ""]
    if not sources:
        lines += ["No input files are named in the summaries given to `i4d report replication`.", ""]
        return lines
    lines += [
        "Every dataset is public. The embedded sample (a derived copy of Eurostat data) is redistributed in the "
        "package under Eurostat's re-use policy; the other files are not redistributed: they are read in place "
        "from `../shared/data` beside the repository (see its README), or fetched from the URLs of the ledger "
        "`src/i4districts/fetch/ledger.yaml` (`i4d fetch list`). The datasets the default run reads:",
        "",
        "| Dataset | Source | Vintage | Licence | Attribution | File (sha256) |",
        "|---|---|---|---|---|---|",
    ]
    for s in sources:
        ledger = f" (ledger `{s.ledger}`)" if s.ledger and s.ledger != s.dataset else ""
        dataset = f"`{_md(s.dataset or s.name)}`{ledger}"
        source = _md(s.source or "not recorded") + (f", {_md(s.url)}" if s.url else "")
        lines.append(f"| {dataset} | {source} | {_md(s.vintage or '—')} | {_md(s.licence)} | {_md(s.attribution)} "
                     f"| `{_md(s.path)}` ({s.sha256[:12]}…; {_md(s.how)}) |")
    lines += ["", "Full checksums, how each file was obtained and the notes stored with it are in the provenance "
              "section of `results/<scenario>/report.html`."]
    embedded = sorted({ref.path[len(PACKAGE_PREFIX):].rsplit("/", 1)[-1] for m in manifests for ref in m.inputs
                       if ref.path.startswith(PACKAGE_PREFIX)})
    if embedded:
        lines += ["", "The embedded sample, from `src/i4districts/data/PROVENANCE.md`:", "",
                  _provenance_sections(embedded)]
    lines.append("")
    return lines


def _compute_section(root: Path, runtimes: Mapping[str, Any]) -> list[str]:
    python, deps = _requirements(root / "pyproject.toml")
    lines = ["### Computational requirements", ""]
    lines.append(f"- Software: Python {python or '(see pyproject.toml)'} and the packages of `pyproject.toml` "
                 "(`pip install -e \".[test]\"`; conda: `workflow/envs/`): "
                 + ", ".join(f"`{d}`" for d in deps) + ". The report's test also needs Debian's `chromium` "
                 "(`.ci/chromium.sh` installs it).")
    lines.append("- Data: no network access is needed for the default run (the embedded sample and `../shared/data`).")
    if runtimes:
        when = f" on {_md(runtimes['measured'])}" if runtimes.get("measured") else ""
        lines.append(f"- Hardware and run times, measured{when} on {_md(runtimes.get('machine', 'an unnamed machine'))}:")
        lines += ["", "| Step | Command | Wall-clock time |", "|---|---|---|"]
        for r in runtimes["runs"]:
            lines.append(f"| {_md(r['step'])} | `{_md(r.get('command', ''))}` | {_duration(float(r['seconds']))} |")
    else:
        lines.append("- Run times: not measured.")
    lines.append("")
    return lines


def _instructions(readme: str, manifests: Sequence[Manifest]) -> list[str]:
    lines = ["### Instructions to replicators", ""]
    commands = quickstart_commands(readme)
    if commands:
        lines += ["From the repository root (the commands of the quick start above):", "",
                  "```bash", *commands, "```", ""]
    scenario = next((m.scenario for m in manifests if m.scenario), "<scenario>")
    lines += [
        f"The run writes `results/{scenario}/`, including the self-contained report `results/{scenario}/report.html` "
        "(tables, figures, diagnostics and provenance); `snakemake --report report.zip` packages Snakemake's own "
        "report of the same results. This section is generated: after a change of the workflow, regenerate it with",
        "",
        "```bash",
        f"i4d report replication --summary results/{scenario}/{MANIFEST_NAME} --readme README.md "
        "--runtimes workflow/report/runtimes.json",
        "```",
        "",
        "(`--check` instead of writing exits 1 when the README is stale).",
        "",
    ]
    return lines


def _tables_section(entries: Sequence[TableEntry]) -> list[str]:
    lines = ["### List of tables and figures", "",
             "Generated from the workflow: each item of the report, the rule that makes it and its file(s).", ""]
    if not entries:
        return lines + ["No tables or figures are listed in the summaries.", ""]
    lines += ["| Table/Figure | Title | Rule | File(s) |", "|---|---|---|---|"]
    counters: dict[str, int] = {}
    for entry in entries:
        counters[entry.kind] = counters.get(entry.kind, 0) + 1
        label = f"{KIND_NAMES.get(entry.kind, entry.kind)} {counters[entry.kind]}"
        files = "<br>".join(f"`{_md(f)}`" for f in entry.files)
        lines.append(f"| {label} | {_md(entry.title)} | `{_md(entry.rule)}` | {files} |")
    lines.append("")
    return lines


def render_section(*, readme: str, summaries: Sequence[str | Path], runtimes: Mapping[str, Any] | None = None,
                   root: Path | None = None) -> str:
    """The section text, markers included (``root``: the repository, for ``pyproject.toml`` and relative paths)."""
    root = root or Path(".")
    entries, manifests = read_summaries(summaries, base_dir=root)
    sources = resolve_inputs([ref for m in manifests for ref in m.inputs], base_dir=root)
    body = [
        START,
        "<!-- Generated by `i4d report replication` from the workflow's report manifest; do not edit by hand. -->",
        "## Replication",
        "",
        "In the form of the template README of the AEA and Social Science Data Editors: data availability, "
        "computational requirements, instructions, and the list of tables and figures.",
        "",
        *_data_section(sources, manifests),
        *_compute_section(root, runtimes or {}),
        *_instructions(readme, manifests),
        *_tables_section(entries),
        END,
    ]
    return "\n".join(body)


def update_readme(readme: str, section: str) -> str:
    """The README with the section between the markers replaced (or appended at the end when absent)."""
    has_start, has_end = START in readme, END in readme
    if has_start != has_end:
        raise InputError(f"README: found {'only ' + (START if has_start else END)}; both markers or neither")
    if not has_start:
        return readme.rstrip("\n") + "\n\n" + section + "\n"
    before, rest = readme.split(START, 1)
    _, after = rest.split(END, 1)
    return before + section + after
