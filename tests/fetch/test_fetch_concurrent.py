"""Two ``i4d fetch get`` processes filling one vintage cache at the same time.

Offline, from the mirror: both processes miss the cache, so both may store a vintage
and append a manifest row concurrently (``manifest.lock`` serialises the appends,
vintage directories appear by atomic rename). Afterwards the manifest must be whole
(no torn or interleaved rows), list exactly the vintages on disk, and every vintage
must verify (``i4d fetch verify -i <cache>`` exits 0).
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

from i4districts.fetch.vintage import MANIFEST_COLUMNS


def _i4d(*argv: str) -> list[str]:
    exe = Path(sys.executable).with_name("i4d")
    return [str(exe), *argv] if exe.exists() else [sys.executable, "-m", "i4districts.cli", *argv]


def test_two_processes_fetch_into_one_cache(tmp_path, shared_data):
    cache = tmp_path / "cache"
    env = {k: v for k, v in os.environ.items() if k != "I4D_CACHE"}
    env.update(I4D_MIRROR=str(shared_data), I4D_FETCH_MODE="offline")
    procs = [
        subprocess.Popen(
            _i4d("fetch", "get", "nama_10r_3empers", "-o", str(tmp_path / f"out{i}"), "--cache", str(cache)),
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for i in range(2)
    ]
    results = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    for rc, out, err in results:
        assert rc == 0, f"exit {rc}\nstdout: {out}\nstderr: {err}"

    # the manifest: one header, then whole rows of the declared width, one per vintage
    text = (cache / "manifest.csv").read_text(encoding="utf-8")
    assert text.endswith("\n")
    rows = list(csv.reader(text.splitlines()))
    assert tuple(rows[0]) == MANIFEST_COLUMNS
    body = rows[1:]
    assert 1 <= len(body) <= 2, body
    assert all(len(r) == len(MANIFEST_COLUMNS) for r in body), body
    man = pd.DataFrame(body, columns=list(MANIFEST_COLUMNS))
    assert man["vintage_id"].is_unique
    assert set(man["dataset"]) == {"nama_10r_3empers"} and set(man["rows"]) == {"476"}
    assert man["sha256"].nunique() == 1  # same mirror file, same raw bytes
    on_disk = {
        str(p.relative_to(cache)) for p in cache.glob("*/*/*/*") if p.is_dir() and not p.name.startswith(".")
    }
    assert on_disk == set(man["vintage_id"])
    assert not list(cache.glob("*/*/*/.tmp-*"))  # no half-written vintage left behind

    # both outputs hold the same observations; every vintage verifies
    tables = [pd.read_parquet(tmp_path / f"out{i}" / "nama_10r_3empers.parquet") for i in range(2)]
    assert len(tables[0]) == len(tables[1]) == 476
    pd.testing.assert_frame_equal(tables[0].drop(columns="vintage_id"), tables[1].drop(columns="vintage_id"))
    ver = subprocess.run(_i4d("fetch", "verify", "-i", str(cache)), env=env, capture_output=True, text=True,
                         timeout=120)
    assert ver.returncode == 0, ver.stdout + ver.stderr
    assert f"{len(man)}/{len(man)} vintages verified" in ver.stdout
