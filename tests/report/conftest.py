"""Fixtures of the report tests (the files are built by :mod:`.fixtures`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .fixtures import Fixture, make_report_fixture


@pytest.fixture()
def report_fixture(tmp_path: Path, shared_data: Path) -> Fixture:
    """A working directory with tables, figures, a record, a config and a pin, and its manifest."""
    return make_report_fixture(tmp_path, shared_data)
