"""The README's replication section: generation from the workflow's manifest or detailed summary, and --check."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from i4districts.cli import main
from i4districts.errors import InputError
from i4districts.report.manifest import write_manifest
from i4districts.report.replication import END, START, entries_from_detailed_summary, render_section, update_readme

README = """# project

## Quick start (fresh machine)

```bash
# install and run
python3 -m venv .venv && . .venv/bin/activate && pip install -e ".[test]" && snakemake
python -m pytest
```

{section}
## Development

Text after the section.
"""

PYPROJECT = """[project]
name = "fixture"
requires-python = ">=3.11"
dependencies = ["numpy>=1.26", "pandas>=2.1"]
"""

RUNTIMES = {"machine": "a 2-CPU fixture machine", "measured": "2026-01-02",
            "runs": [{"step": "default run", "command": "snakemake", "seconds": 31.4},
                     {"step": "test suite", "command": "python -m pytest", "seconds": 412.0}]}

# `snakemake --detailed-summary` columns, two rows per table format, one figure, one non-table output
DETAILED_SUMMARY = (
    "output_file\tdate\trule\tlog-file(s)\tinput-file(s)\tshellcmd\tstatus\tplan\n"
    "results/x/tables/employment_exposure.md\t-\ttable\t\t\ti4d tables\tok\tno update\n"
    "results/x/tables/employment_exposure.html\t-\ttable\t\t\ti4d tables\tok\tno update\n"
    "results/x/figures/exposure_map.png\t-\tmaps\t\t\ti4d figures\tok\tno update\n"
    "results/x/data/panel.parquet\t-\tpanel\t\t\ti4d data panel\tok\tno update\n"
)


@pytest.fixture()
def repo(report_fixture) -> Path:
    root = report_fixture.root
    (root / "README.md").write_text(README.format(section=f"{START}\nold text\n{END}\n"))
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / "runtimes.json").write_text(json.dumps(RUNTIMES))
    write_manifest(report_fixture.manifest, root / "results/fixture/report_manifest.json")
    return root


def _run(repo: Path, *extra: str, summary: str = "results/fixture/report_manifest.json") -> int:
    return main(["report", "replication", "--summary", str(repo / summary), "--readme", str(repo / "README.md"),
                 "--runtimes", str(repo / "runtimes.json"), *extra])


def test_section_is_written_between_the_markers_and_check_passes(repo, report_fixture):
    assert _run(repo, "--check") == 1  # the placeholder is stale
    assert _run(repo) == 0
    text = (repo / "README.md").read_text()
    assert text.startswith("# project\n") and text.rstrip().endswith("Text after the section.")
    assert text.count(START) == 1 and text.count(END) == 1 and "old text" not in text
    section = text.split(START, 1)[1].split(END, 1)[0]
    # data availability: ledger and sources registry, sha256 computed from the file as read
    digest = hashlib.sha256(Path(report_fixture.shared_csv).read_bytes()).hexdigest()
    assert f"({digest[:12]}…; read in place)" in section
    assert "Decision 2011/833/EU" in section and "Source: Eurostat, isoc_eb_p3dn2" in section
    assert "#### Embedded default sample: `it_nama_10r_3empers.parquet`" in section  # from PROVENANCE.md
    assert "eurostat/nama_10r_3empers/1f2e3d4c5b6a7980/20261123T184501.123456Z" in section  # the pinned vintage
    # computational requirements from pyproject and the measured run times
    assert "Python >=3.11" in section and "`numpy>=1.26`, `pandas>=2.1`" in section
    assert "| default run | `snakemake` | 31 s |" in section
    assert "| test suite | `python -m pytest` | 6.9 min |" in section
    assert "measured on 2026-01-02 on a 2-CPU fixture machine:" in section
    # instructions: the quick start's commands, comments dropped
    assert "```bash\npython3 -m venv .venv && . .venv/bin/activate && pip install -e \".[test]\" && snakemake\n" \
           "python -m pytest\n```" in section
    # the list of tables and figures, from the manifest: tables, figures, then diagnostics
    lines = [ln for ln in section.splitlines() if ln.startswith("| Table ") or ln.startswith("| Figure ")
             or ln.startswith("| Diagnostics ")]
    assert lines[0] == ("| Table 1 | Fixture regression table | `table` | `results/fixture/tables/regression.html` |")
    assert lines[1].startswith("| Table 2 | Fixture markdown table | `describe` |")
    assert lines[3] == "| Figure 1 | A gradient | `maps` | `results/fixture/figures/gradient.png` |"
    assert lines[5].startswith("| Diagnostics 1 | Design diagnostics | `estimate` |")
    assert _run(repo, "--check") == 0
    before = (repo / "README.md").read_text()
    assert _run(repo) == 0 and (repo / "README.md").read_text() == before  # idempotent


def test_check_fails_when_the_workflow_changes(repo, capsys):
    assert _run(repo) == 0
    manifest = json.loads((repo / "results/fixture/report_manifest.json").read_text())
    manifest["items"][0]["rule"] = "regression_table"
    (repo / "results/fixture/report_manifest.json").write_text(json.dumps(manifest))
    assert _run(repo, "--check") == 1
    assert "replication section is stale" in capsys.readouterr().err


def test_detailed_summary_gives_the_rule_of_each_table_and_figure(repo):
    entries = entries_from_detailed_summary(DETAILED_SUMMARY)
    assert [(e.kind, e.rule, e.files) for e in entries] == [
        ("table", "table", ("results/x/tables/employment_exposure.html", "results/x/tables/employment_exposure.md")),
        ("figure", "maps", ("results/x/figures/exposure_map.png",)),
    ]
    (repo / "summary.tsv").write_text(DETAILED_SUMMARY)
    assert _run(repo, summary="summary.tsv") == 0
    section = (repo / "README.md").read_text().split(START, 1)[1]
    assert "| Figure 1 | exposure map | `maps` | `results/x/figures/exposure_map.png` |" in section
    assert "panel.parquet" not in section
    with pytest.raises(InputError, match="detailed-summary"):
        entries_from_detailed_summary("a\tb\n1\t2\n")


def test_markers_are_appended_when_absent_and_a_lone_marker_is_an_error(repo):
    readme = repo / "README.md"
    readme.write_text("# project\n")
    section = render_section(readme=readme.read_text(), summaries=[repo / "results/fixture/report_manifest.json"],
                             root=repo)
    assert update_readme("# project\n", section) == "# project\n\n" + section + "\n"
    assert "- Run times: not measured." in section
    with pytest.raises(InputError, match="both markers or neither"):
        update_readme(f"# project\n{START}\n", section)
    readme.write_text(f"# project\n{END}\n")
    assert _run(repo) == 2
