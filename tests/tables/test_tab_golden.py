"""Golden tables: fixed hand-built inputs (:mod:`.builders`) rendered to Markdown and CSV, compared exactly
with the files under ``tests/tables/golden/``.

A change of layout, label, note or number shows up here as a diff. Regenerate the golden files only
deliberately, after reading that diff::

    I4D_REGENERATE_TABLE_GOLDEN=1 python -m pytest tests/tables/test_tab_golden.py -p no:cacheprovider

(the test then rewrites the files and fails, so a regeneration is never mistaken for a pass).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from i4districts.tables.render import render

from .builders import build_tables

GOLDEN = Path(__file__).parent / "golden"
REGENERATE = os.environ.get("I4D_REGENERATE_TABLE_GOLDEN") == "1"
TABLES = build_tables()


@pytest.mark.parametrize("fmt", ["md", "csv"])
@pytest.mark.parametrize("name", sorted(TABLES))
def test_golden(name, fmt):
    path = GOLDEN / f"{name}.{fmt}"
    text = render(TABLES[name], fmt)
    if REGENERATE:
        path.write_text(text, encoding="utf-8", newline="")
        pytest.fail(f"regenerated {path.name}: review the diff, then run without I4D_REGENERATE_TABLE_GOLDEN")
    assert path.is_file(), f"{path} missing: generate it with I4D_REGENERATE_TABLE_GOLDEN=1 (see the docstring)"
    assert text == path.read_text(encoding="utf-8")
