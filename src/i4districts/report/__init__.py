"""The self-contained HTML report with provenance, and the README's replication section.

* :mod:`~i4districts.report.manifest` — what the report shows (items with the rule that makes each,
  inputs, config), written by the workflow;
* :mod:`~i4districts.report.sources` — dataset code, URL, vintage, sha256, licence of each input;
* :mod:`~i4districts.report.provenance` — config, git, packages, machine, run time;
* :mod:`~i4districts.report.page` — the page (:func:`build_report`, :func:`write_report`);
* :mod:`~i4districts.report.replication` — the README section (AEA / Social Science Data Editors template).
"""

from i4districts.report.page import build_report, strip_runtime, write_report
from i4districts.report.manifest import InputRef, Item, Manifest, build_manifest, load_manifest, write_manifest
from i4districts.report.provenance import run_time
from i4districts.report.replication import render_section, update_readme
from i4districts.report.sources import SourceRecord, resolve_inputs

__all__ = [
    "InputRef", "Item", "Manifest", "SourceRecord", "build_manifest", "build_report", "load_manifest",
    "render_section", "resolve_inputs", "run_time", "strip_runtime", "update_readme", "write_manifest",
    "write_report",
]
