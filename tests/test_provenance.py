"""The code fingerprint (a param of every rule): a change of package code or embedded data changes it,
timestamps and byte-code caches do not."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from i4districts.provenance import package_fingerprint, package_root


def test_fingerprint_follows_code_and_embedded_data_not_timestamps(tmp_path: Path):
    copy = tmp_path / "i4districts"
    shutil.copytree(package_root(), copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = package_fingerprint(copy)
    for p in copy.rglob("*"):
        os.utime(p, (1, 1))  # a fresh clone's (or an old archive's) timestamps
    (copy / "__pycache__").mkdir(exist_ok=True)
    (copy / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"cache")
    assert package_fingerprint(copy) == before
    sample = copy / "data" / "it_nama_10r_3empers.parquet"
    sample.write_bytes(sample.read_bytes() + b"\0")  # the embedded data changed
    assert package_fingerprint(copy) != before
    sample.write_bytes(sample.read_bytes()[:-1])
    assert package_fingerprint(copy) == before
    (copy / "frame.py").write_text((copy / "frame.py").read_text() + "\n# edited\n")
    assert package_fingerprint(copy) != before
