"""Data structure definitions (DSD) and validation of query keys.

A key is validated before it is sent: every filtered dimension must exist in
the DSD (or the ledger's dimension list), and every code must belong to the
dimension's codelist when the structure message (or the offline catalog of
actual constraints) provides it. Dimension ids are compared case-insensitively
(Eurostat writes ``geo`` in new DSDs and ``GEO`` in old ones).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from i4districts.fetch.errors import ParseError, QueryError
from i4districts.fetch.safety import parse_xml

#: Explicit "all codes" in a filter (an empty key position).
WILDCARD = "*"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


@dataclass(frozen=True)
class DataStructure:
    """The parts of a DSD needed to build and check keys."""

    id: str
    agency: str
    dimensions: tuple[str, ...]
    time_dimension: str | None
    attributes: tuple[str, ...]
    codelist_of: Mapping[str, str] = field(default_factory=dict)
    codelists: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def codes_by_dimension(self) -> dict[str, frozenset[str]]:
        """Valid codes per dimension, for dimensions whose codelist is in the message."""
        return {
            d: self.codelists[cl] for d, cl in self.codelist_of.items() if cl in self.codelists
        }


def parse_structure(data: bytes, *, what: str) -> DataStructure:
    """Parse the first DataStructure (and any Codelists) of an SDMX-ML 2.1 structure message."""
    root = parse_xml(data, what=what)
    dsds = [e for e in root.iter() if _local(e.tag) == "DataStructure" and e.get("id")]
    if not dsds:
        raise ParseError(f"{what}: no DataStructure in structure message ({_local(root.tag)})")
    dsd = dsds[0]
    dims: list[tuple[int, str]] = []
    codelist_of: dict[str, str] = {}
    time_dim = None
    attributes: list[str] = []
    for el in dsd.iter():
        tag = _local(el.tag)
        if tag in ("Dimension", "TimeDimension") and el.get("id"):
            if tag == "TimeDimension":
                time_dim = el.get("id")
                continue
            dims.append((int(el.get("position", len(dims) + 1)), el.get("id")))
            for ref in el.iter():
                if _local(ref.tag) == "Ref" and ref.get("class") == "Codelist":
                    codelist_of[el.get("id")] = ref.get("id")
        elif tag == "Attribute" and el.get("id"):
            attributes.append(el.get("id"))
    codelists: dict[str, frozenset[str]] = {}
    for cl in root.iter():
        if _local(cl.tag) == "Codelist" and cl.get("id"):
            codes = frozenset(c.get("id") for c in cl if _local(c.tag) == "Code" and c.get("id"))
            codelists[cl.get("id")] = codelists.get(cl.get("id"), frozenset()) | codes
    return DataStructure(
        id=dsd.get("id"),
        agency=dsd.get("agencyID", ""),
        dimensions=tuple(d for _, d in sorted(dims)),
        time_dimension=time_dim,
        attributes=tuple(attributes),
        codelist_of=codelist_of,
        codelists=codelists,
    )


def load_catalog_constraints(path: Path, dataflow: str) -> dict[str, frozenset[str]]:
    """Valid codes per dimension of ``dataflow`` from a ``df_id,dimension_id,code_id`` CSV.

    ``TIME_PERIOD`` is left out (periods are checked by the server). Returns an
    empty dict when the flow is not in the catalog.
    """
    out: dict[str, set[str]] = {}
    want = dataflow.upper()
    with open(path, newline="") as fh:
        reader = csv.DictReader(fh)
        need = {"df_id", "dimension_id", "code_id"}
        if not need <= set(reader.fieldnames or ()):
            raise ParseError(f"{path}: catalog needs columns {sorted(need)}, has {reader.fieldnames}")
        for rec in reader:
            if rec["df_id"].upper() == want and rec["dimension_id"] != "TIME_PERIOD":
                out.setdefault(rec["dimension_id"], set()).add(rec["code_id"])
    return {k: frozenset(v) for k, v in out.items()}


def _few(values, n: int = 5) -> str:
    vals = sorted(values)
    return ", ".join(vals[:n]) + (f", ... ({len(vals)} in all)" if len(vals) > n else "")


def validate_filters(
    filters: Mapping[str, Sequence[str]],
    dimensions: Sequence[str],
    codes: Mapping[str, frozenset[str]] | None = None,
    *,
    what: str,
    require_all: bool = False,
) -> dict[str, list[str]]:
    """Check ``filters`` against the dimensions and codelists; return them keyed by DSD spelling.

    Raises :class:`QueryError` naming the dataset, the dimension and the
    offending codes. With ``require_all`` every dimension needs >= 1 code
    (ISTAT wants fully specified keys).
    """
    by_lower = {d.lower(): d for d in dimensions}
    unknown = [k for k in filters if k.lower() not in by_lower]
    if unknown:
        raise QueryError(f"{what}: unknown dimension(s) {unknown}; the DSD has {list(dimensions)}")
    out = {by_lower[k.lower()]: [str(c) for c in v] for k, v in filters.items()}
    empty = [d for d, v in out.items() if not v or any(not c for c in v)]
    if empty:
        raise QueryError(f"{what}: empty code in filter of dimension(s) {empty}")
    if require_all:
        missing = [d for d in dimensions if d not in out]
        if missing:
            raise QueryError(
                f"{what}: the key must be fully specified; no codes for dimension(s) {missing}"
            )
    codes_lower = {k.lower(): v for k, v in (codes or {}).items()}
    for dim, vals in out.items():
        valid = codes_lower.get(dim.lower())
        if valid is None:
            continue
        bad = [c for c in vals if c not in valid and c != WILDCARD]
        if bad:
            raise QueryError(
                f"{what}: dimension {dim!r} has code(s) not in its codelist: {bad[:5]}; "
                f"valid codes include {_few(valid)}"
            )
    return out


def build_key(dimensions: Sequence[str], filters: Mapping[str, Sequence[str]]) -> str:
    """SDMX REST key: codes joined by ``+`` per dimension, dimensions by ``.`` in DSD order.

    A dimension without filter, or filtered by the explicit wildcard ``*``, is
    left empty, e.g. ``A..B1GQ.LU``.
    """
    lower = {k.lower(): [c for c in v if c != WILDCARD] for k, v in filters.items()}
    return ".".join("+".join(lower.get(d.lower(), ())) for d in dimensions)
