"""Untrusted content: XXE, entity expansion, zip slip, symlinks, zip and gzip bombs."""

from __future__ import annotations

import gzip
import io
import resource
import stat
import struct
import tracemalloc
import zipfile
import zlib

import pytest

from i4districts.fetch.decode import derive_table, unpack_body
from i4districts.fetch.errors import ParseError, UnsafeContent
from i4districts.fetch.parsers import parse_body
from i4districts.fetch.safety import (
    GZIP_CHUNK,
    GZIP_RATIO_FLOOR,
    check_size,
    gunzip_capped,
    parse_xml,
    read_zip_members,
    safe_extract_zip,
)


def test_xxe_reads_no_local_file(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-42")
    payload = (
        f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        "<m:StructureSpecificData xmlns:m='m'><DataSet><Series geo='&xxe;'>"
        "<Obs TIME_PERIOD='2020' OBS_VALUE='1'/></Series></DataSet></m:StructureSpecificData>"
    ).encode()
    with pytest.raises(UnsafeContent) as info:
        parse_body(payload, "sdmx-ml", what="xxe")
    assert "TOP-SECRET-42" not in str(info.value)


def test_billion_laughs_refused_with_bounded_memory():
    lol = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    ]
    payload = f'<?xml version="1.0"?><!DOCTYPE lolz [{"".join(lol)}]><lolz>&lol9;</lolz>'.encode()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(UnsafeContent, match="refused unsafe XML"):
        parse_xml(payload, what="lol")
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kib < 50_000  # a full expansion would need ~3 GB


def test_external_dtd_refused():
    payload = b'<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://127.0.0.1:9/x.dtd"><x/>'
    with pytest.raises(UnsafeContent):
        parse_xml(payload, what="dtd")


def test_size_cap():
    with pytest.raises(UnsafeContent, match="exceeds the cap"):
        check_size(b"x" * 11, what="body", max_bytes=10)
    with pytest.raises(UnsafeContent):
        parse_xml(b"<a>" + b"x" * 100 + b"</a>", what="big", max_bytes=50)


def _zip(members: dict[str, bytes], symlink: str | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, "/etc/passwd")
    return buf.getvalue()


@pytest.mark.parametrize("name", ["../evil.xml", "a/../../evil.xml", "/etc/evil.xml", "C:/evil.xml", "a\\..\\evil"])
def test_zip_with_unsafe_member_refused(tmp_path, name):
    data = _zip({"ok.xml": b"<a/>", name: b"<evil/>"})
    with pytest.raises(UnsafeContent, match="unsafe path"):
        safe_extract_zip(data, tmp_path / "out", what="zip")
    assert not (tmp_path / "evil.xml").exists()
    assert not (tmp_path / "out" / "ok.xml").exists()  # nothing extracted at all


def test_zip_symlink_refused(tmp_path):
    with pytest.raises(UnsafeContent, match="symbolic link"):
        read_zip_members(_zip({"ok.xml": b"<a/>"}, symlink="link"), what="zip")


def test_zip_bomb_ratio_refused():
    with pytest.raises(UnsafeContent, match="compression ratio"):
        read_zip_members(_zip({"bomb.xml": b"0" * 5_000_000}), what="zip")


def test_safe_zip_extracts(tmp_path, shared_data):
    written = safe_extract_zip((shared_data / "sdmx/estat/footer2.zip").read_bytes(), tmp_path, what="f2")
    assert [p.name for p in written] == ["DataResponse-7JUdWyAy4fmjBSWT.xml"]
    assert written[0].stat().st_size == 9759


def _gzip_bomb(gib: int = 1) -> bytes:
    """One gzip member expanding to ``gib`` GiB of zeros, about 1 MB per GiB, built streamed.

    Deflate blocks ending in a full flush reset the compressor, so the block coding
    1 MiB of zeros is the same bytes every time: compress it once, repeat it, close
    with an empty final block and the real CRC32/ISIZE trailer. Nothing of size 1 GiB
    is ever allocated (the CRC is accumulated 1 MiB at a time).
    """
    mib = bytes(1 << 20)
    raw = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = raw.compress(mib) + raw.flush(zlib.Z_FULL_FLUSH)
    assert raw.compress(mib) + raw.flush(zlib.Z_FULL_FLUSH) == block
    n = 1024 * gib
    crc = 0
    for _ in range(n):
        crc = zlib.crc32(mib, crc)
    final = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS).flush()  # empty last block
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    return header + block * n + final + struct.pack("<II", crc, (n << 20) & 0xFFFFFFFF)


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    return _gzip_bomb(1)


def test_gzip_bomb_is_well_formed():
    # the same construction at 4 MiB decompresses exactly (so the 1 GiB one is a real bomb)
    mib = bytes(1 << 20)
    raw = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = raw.compress(mib) + raw.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(4):
        crc = zlib.crc32(mib, crc)
    small = (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + block * 4
             + zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS).flush() + struct.pack("<II", crc, 4 << 20))
    assert gzip.decompress(small) == mib * 4
    assert gunzip_capped(small, what="small", max_bytes=4 << 20) == mib * 4


@pytest.mark.parametrize("cap", [1 << 20, 8 << 20, None], ids=["1MiB", "8MiB", "default-512MiB"])
def test_gzip_bomb_refused_after_the_cap(gzip_bomb, cap):
    """~1 MB of gzip expanding to 1 GiB: refused with UnsafeContent, memory a few times the cap.

    Under the default 512 MiB cap the ratio check (200:1 past 16 MiB) stops it first.
    """
    assert len(gzip_bomb) < 1_100_000
    kw = {} if cap is None else {"max_bytes": cap}
    tracemalloc.start()
    try:
        with pytest.raises(UnsafeContent, match="gzip bomb"):
            unpack_body(gzip_bomb, what="bulk.tsv.gz", **kw)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    limit = 3 * (cap if cap is not None else GZIP_RATIO_FLOOR) + 4 * GZIP_CHUNK
    assert peak < limit, f"peak {peak / 2**20:.0f} MiB"
    with pytest.raises(UnsafeContent):
        derive_table(gzip_bomb, "tsv", what="bulk.tsv.gz", **kw)


def test_gzip_multi_member_bomb_refused():
    member = gzip.compress(bytes(1 << 20), mtime=0)  # ~1 KB each
    with pytest.raises(UnsafeContent, match="cap of 4194304"):
        gunzip_capped(member * 64, what="multi", max_bytes=4 << 20)


def test_gzip_real_bulk_tsv_under_the_cap(shared_data):
    body = (shared_data / "lfs/lfst_r_lfe2emp.tsv.gz").read_bytes()
    out = gunzip_capped(body, what="lfs")
    assert out == gzip.decompress(body) and out.startswith(b"unit,sex,age,geo\\time")
    with pytest.raises(UnsafeContent, match="cap of 1000000"):
        gunzip_capped(body, what="lfs", max_bytes=1_000_000)


@pytest.mark.parametrize(
    "body,match",
    [
        (gzip.compress(b"a\\TIME_PERIOD\t2020\nx\t1\n", mtime=0)[:-5], "truncated gzip"),
        (gzip.compress(b"abc", mtime=0) + b"junk", "not a gzip member"),
        (b"\x1f\x8b\x08\x00" + b"\x00" * 20, "corrupt gzip"),
        (b"\x1f\x8b", "truncated gzip"),
    ],
)
def test_gzip_corrupt_bodies_raise_parse_error(body, match):
    with pytest.raises(ParseError, match=match):
        unpack_body(body, what="bulk")


def test_gzip_members_and_zero_padding_accepted():
    body = gzip.compress(b"a\\TIME_PERIOD\t2020\n", mtime=0) + gzip.compress(b"x\t1\n", mtime=0) + b"\x00" * 8
    assert unpack_body(body, what="bulk") == b"a\\TIME_PERIOD\t2020\nx\t1\n"
