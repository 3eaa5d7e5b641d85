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


def test_stale_tmp_of_a_killed_writer_is_removed_at_the_next_write(tmp_path):
    import signal
    import subprocess
    import sys

    from i4districts.io import write_json

    target = tmp_path / "t.json"
    code = ("import time\nfrom i4districts.io import atomic_path\n"
            f"with atomic_path({str(target)!r}) as tmp:\n    tmp.write_text('half')\n    print(tmp, flush=True)\n"
            "    time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    stale = Path(proc.stdout.readline().strip())
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert stale.exists()
    write_json({"a": 1}, target)
    assert not stale.exists() and sorted(f.name for f in tmp_path.iterdir()) == ["t.json"]


def test_tmp_of_a_running_writer_is_kept(tmp_path):
    import os

    from i4districts.io import clean_stale_tmp

    live = tmp_path / f".t.json.{os.getpid()}.abcd.tmp"
    live.write_text("x")
    other = tmp_path / ".u.json.999999999.abcd.tmp"
    other.write_text("x")
    assert clean_stale_tmp(tmp_path, "t.json") == [] and live.exists() and other.exists()
    assert clean_stale_tmp(tmp_path) == [other]
