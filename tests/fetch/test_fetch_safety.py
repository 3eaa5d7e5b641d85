"""Untrusted content: XXE, entity expansion, zip slip, symlinks, zip bombs."""

from __future__ import annotations

import io
import resource
import stat
import zipfile

import pytest

from i4districts.fetch.errors import UnsafeContent
from i4districts.fetch.parsers import parse_body
from i4districts.fetch.safety import check_size, parse_xml, read_zip_members, safe_extract_zip


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
