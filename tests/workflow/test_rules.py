"""Rule level: one rule on tiny data in a temporary directory."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from i4districts import io

from .conftest import results, snakemake

pytestmark = pytest.mark.workflow


def test_specialization_rule_on_a_tiny_panel(workdir: Path):
    # Two regions, two sectors, one year. Nation: X 30, Y 70 (shares 0.3, 0.7).
    # R1: X 10, Y 10 -> LQ_X = 0.5/0.3, LQ_Y = 0.5/0.7; Krugman = |0.5-0.3| + |0.5-0.7| = 0.4.
    # R2: X 20, Y 60 -> shares 0.25, 0.75; Krugman = 0.05 + 0.05 = 0.1.
    panel = pd.DataFrame({"region": ["R1", "R1", "R2", "R2"], "sector": ["X", "Y", "X", "Y"], "year": [2015] * 4,
                          "value": [10.0, 10.0, 20.0, 60.0], "unit": ["persons"] * 4, "flag": [""] * 4})
    io.write_parquet(panel, results(workdir) / "data" / "panel.parquet")
    target = results(workdir) / "indicators" / "specialization.parquet"
    snakemake(workdir, str(target.relative_to(workdir)), "--allowed-rules", "specialization")
    out = pd.read_parquet(target)
    v = out.set_index(["region", "sector", "indicator"])["value"]
    assert v[("R1", "X", "lq")] == pytest.approx(0.5 / 0.3, rel=1e-14)
    assert v[("R1", "Y", "lq")] == pytest.approx(0.5 / 0.7, rel=1e-14)
    assert v[("R1", "ALL", "krugman")] == pytest.approx(0.4, rel=1e-14)
    assert v[("R2", "ALL", "krugman")] == pytest.approx(0.1, rel=1e-14)
    assert v[("R1", "ALL", "herfindahl")] == pytest.approx(0.5, rel=1e-14)
    assert not (results(workdir) / "data" / "sample.parquet").exists()  # only the one rule ran
