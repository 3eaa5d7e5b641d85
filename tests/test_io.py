from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from i4districts import io


def test_parquet_round_trip_keeps_notes_and_leaves_no_temp_files(tmp_path: Path):
    df = pd.DataFrame({"geo": ["A", "B"], "value": [1.5, 2.0]})
    out = io.write_parquet(df, tmp_path / "sub" / "t.parquet", notes=["b note", "a note", "a note"])
    pd.testing.assert_frame_equal(io.read_parquet(out), df)
    assert io.read_notes(out) == ["a note", "b note"]
    assert [p.name for p in out.parent.iterdir()] == ["t.parquet"]


def test_failed_write_keeps_the_old_file(tmp_path: Path):
    target = tmp_path / "x.json"
    io.write_json({"v": 1}, target)
    with pytest.raises(RuntimeError):
        with io.atomic_path(target) as tmp:
            tmp.write_text("partial")
            raise RuntimeError("crash mid-write")
    assert json.loads(target.read_text()) == {"v": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]


def test_read_errors_name_file_and_columns(tmp_path: Path):
    with pytest.raises(io.InputFileError, match="missing.parquet"):
        io.read_parquet(tmp_path / "missing.parquet")
    path = io.write_parquet(pd.DataFrame({"a": [1]}), tmp_path / "t.parquet")
    with pytest.raises(io.InputFileError, match=r"\['b'\]"):
        io.read_parquet(path, columns=["a", "b"])
