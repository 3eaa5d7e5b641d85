"""Safe handling of untrusted bytes: XML without entities, size caps, zip checks.

* XML is parsed with :mod:`defusedxml` and ``forbid_dtd=True``: SDMX messages
  never carry a DTD, so any ``<!DOCTYPE`` (the vehicle of XXE and of the
  "billion laughs" entity expansion) is refused before anything is expanded,
  which keeps memory bounded and reads no local file or URL.
* Bodies are capped in size (``DEFAULT_MAX_BYTES``) before parsing.
* Gzip bodies (bulk TSV) are decompressed in bounded steps and refused as
  soon as the output passes the cap (gzip bombs), see :func:`gunzip_capped`.
* Zip archives are read member by member after checking every name: no
  absolute paths, no ``..`` components, no drive letters, no symbolic links,
  and a cap on the total uncompressed size and the compression ratio (zip
  bombs).
"""

from __future__ import annotations

import io
import os
import stat
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from xml.etree.ElementTree import Element, ParseError as _XmlParseError

import defusedxml.ElementTree as _det
from defusedxml import DefusedXmlException

from i4districts.fetch.errors import ParseError, UnsafeContent

DEFAULT_MAX_BYTES = 512 * 1024 * 1024
MAX_ZIP_RATIO = 200.0
#: Output produced per decompression step of a gzip body (bounds the overshoot past the cap).
GZIP_CHUNK = 1024 * 1024
#: Output size from which the gzip compression ratio is checked.
GZIP_RATIO_FLOOR = 16 * 1024 * 1024


def check_size(data: bytes, *, what: str, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
    """Raise :class:`UnsafeContent` if ``len(data) > max_bytes``."""
    if len(data) > max_bytes:
        raise UnsafeContent(f"{what}: {len(data)} bytes exceeds the cap of {max_bytes} bytes")


def parse_xml(data: bytes, *, what: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Element:
    """Parse untrusted XML with DTDs, entities and external references forbidden."""
    check_size(data, what=what, max_bytes=max_bytes)
    try:
        return _det.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise UnsafeContent(f"{what}: refused unsafe XML ({type(exc).__name__}: {exc})") from exc
    except (_XmlParseError, LookupError, UnicodeError) as exc:  # LookupError: unknown declared encoding
        head = data[:80].decode("utf-8", "replace")
        raise ParseError(f"{what}: malformed XML ({exc}); body starts {head!r}") from exc


def _check_member(info: zipfile.ZipInfo, what: str) -> None:
    name = info.filename
    mode = info.external_attr >> 16
    posix = PurePosixPath(name.replace("\\", "/"))
    if (
        name.startswith(("/", "\\"))
        or (len(name) > 1 and name[1] == ":")
        or ".." in posix.parts
        or "\\" in name
    ):
        raise UnsafeContent(f"{what}: refused zip member with unsafe path {name!r}")
    if stat.S_ISLNK(mode):
        raise UnsafeContent(f"{what}: refused zip member {name!r}: symbolic link")


def _checked_infos(zf: zipfile.ZipFile, what: str, max_bytes: int) -> list[zipfile.ZipInfo]:
    infos = zf.infolist()
    total = 0
    for info in infos:
        _check_member(info, what)
        total += info.file_size
        if info.compress_size and info.file_size / info.compress_size > MAX_ZIP_RATIO:
            raise UnsafeContent(
                f"{what}: zip member {info.filename!r} has compression ratio "
                f"{info.file_size / info.compress_size:.0f} > {MAX_ZIP_RATIO:.0f} (zip bomb?)"
            )
    if total > max_bytes:
        raise UnsafeContent(f"{what}: zip expands to {total} bytes, cap is {max_bytes}")
    return infos


def _read_capped(zf: zipfile.ZipFile, info: zipfile.ZipInfo, what: str, max_bytes: int) -> bytes:
    with zf.open(info) as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UnsafeContent(f"{what}: member {info.filename!r} exceeds {max_bytes} bytes")
    return data


def read_zip_members(
    data: bytes, *, what: str, max_bytes: int = DEFAULT_MAX_BYTES
) -> dict[str, bytes]:
    """Return ``{member name: bytes}`` of a zip after checking every member name."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ParseError(f"{what}: not a valid zip archive ({exc})") from exc
    with zf:
        infos = _checked_infos(zf, what, max_bytes)
        return {i.filename: _read_capped(zf, i, what, max_bytes) for i in infos if not i.is_dir()}


def safe_extract_zip(
    data: bytes, dest: Path, *, what: str, max_bytes: int = DEFAULT_MAX_BYTES
) -> list[Path]:
    """Extract a zip into ``dest`` after path checks; returns the written files."""
    dest = Path(dest).resolve()
    members = read_zip_members(data, what=what, max_bytes=max_bytes)
    written: list[Path] = []
    for name, payload in members.items():
        target = (dest / name).resolve()
        if dest not in target.parents:
            raise UnsafeContent(f"{what}: zip member {name!r} escapes {dest}")
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".part")
        tmp.write_bytes(payload)
        os.replace(tmp, target)
        written.append(target)
    return written


def is_gzip(data: bytes) -> bool:
    """True when the body starts with the gzip magic bytes."""
    return data[:2] == b"\x1f\x8b"


def gunzip_capped(
    data: bytes,
    *,
    what: str,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_ratio: float = MAX_ZIP_RATIO,
    chunk: int = GZIP_CHUNK,
) -> bytes:
    """Decompress a gzip body (one or more members), refusing output beyond ``max_bytes``.

    Decompression is streamed ``chunk`` bytes of output at a time, so a gzip
    bomb (a few KB expanding to gigabytes) is refused with
    :class:`UnsafeContent` after at most ``max_bytes + chunk`` bytes have been
    produced, never the whole expansion. Once the output passes
    :data:`GZIP_RATIO_FLOOR` bytes, a ratio of output to compressed input read
    so far above ``max_ratio`` is refused too, so a bomb is stopped after a few
    MB even under the default 512 MB cap (real Eurostat bulk TSV compress about
    4:1). A corrupt or truncated stream, or trailing bytes that are neither
    padding zeros nor another gzip member, raise :class:`ParseError`.
    """
    out = bytearray()
    rest = data
    members = 0
    while True:
        members += 1
        dec = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip header and trailer required
        pending = rest
        try:
            while not dec.eof:
                piece = dec.decompress(pending, chunk)
                tail = dec.unconsumed_tail
                if piece:
                    out += piece
                    if len(out) > max_bytes:
                        raise UnsafeContent(
                            f"{what}: gzip body expands beyond the cap of {max_bytes} bytes "
                            f"(refused after {len(out)} bytes; gzip bomb?)"
                        )
                    read = len(data) - len(tail)
                    if len(out) > GZIP_RATIO_FLOOR and len(out) > max_ratio * read:
                        raise UnsafeContent(
                            f"{what}: gzip body expands {len(out) / read:.0f}:1 ({read} bytes gave {len(out)}), "
                            f"more than {max_ratio:.0f}:1 (gzip bomb?)"
                        )
                elif not tail or len(tail) == len(pending):  # no input left, or no progress
                    break
                pending = tail
        except zlib.error as exc:
            raise ParseError(f"{what}: corrupt gzip body, member {members} ({exc})") from None
        if not dec.eof:
            raise ParseError(f"{what}: truncated gzip body (member {members} ends after {len(out)} bytes)")
        rest = dec.unused_data
        if not rest.strip(b"\x00"):  # end, or padding zeros (tolerated, as by gzip(1))
            return bytes(out)
        if not is_gzip(rest):
            raise ParseError(f"{what}: gzip body followed by {len(rest)} bytes that are not a gzip member")


def is_zip(data: bytes) -> bool:
    """True when the body starts with the zip local-file-header signature."""
    return data[:4] == b"PK\x03\x04"
