"""Eurostat NUTS correspondence tables → a tidy link table.

Eurostat publishes each NUTS revision with a workbook (``NUTS2013-NUTS2016.xlsx``,
``NUTS2016-NUTS2021.xlsx``, ...) whose "detailed" sheet lists every region of
both versions: old code, new code and a free-text change comment (recoded,
boundary shift, split, merge, new, discontinued). This module reads a CSV copy
of that sheet (path given by the caller, never packaged) and turns it into
links ``code_from → code_to`` with a rule and a weight:

* ``whole`` link: all of ``code_from`` lies in ``code_to`` (weight 1);
* ``partial`` link: only part of ``code_from`` lies in ``code_to``; if the old
  region has several successors it is a ``split`` whose weights are unknown
  (NaN) and must be supplied (see :func:`i4districts.harmonize.nuts.weights_from_parts`);
  a single partial successor is a ``boundary_shift`` (weight 1, approximate).

Rules (``rule`` column): ``unchanged``, ``recode``, ``merge``, ``split``,
``boundary_shift``, ``new`` (no source; ``code_from`` null), ``discontinued``
(no successor; ``code_to`` null).

Reference: Eurostat, *NUTS – history* (correspondence tables NUTS 2013–2016,
2016–2021), https://ec.europa.eu/eurostat/web/nuts/history.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from i4districts.harmonize import HarmonizeError
from i4districts.harmonize.hierarchy import nuts_level

__all__ = [
    "LINK_COLUMNS",
    "RULES",
    "Correspondence",
    "find_change_sheets",
    "links_from_change_rows",
    "nuts_level",
    "read_change_sheets",
    "read_eurostat_changes",
    "resolve_links",
]

LINK_COLUMNS = ["code_from", "code_to", "level", "link", "rule", "weight", "note"]
RULES = ("unchanged", "recode", "merge", "split", "boundary_shift", "new", "discontinued")
_CODE = re.compile(r"\b[A-Z]{2}[0-9A-Z]{1,3}\b")
_SOURCES = re.compile(r"(merge of|made of|made from|equals|identical to|consisting of)", re.I)


@dataclass(frozen=True, eq=False)
class Correspondence:
    """Links between two NUTS versions plus the full code list of each version."""

    from_version: str
    to_version: str
    links: pd.DataFrame
    codes_from: frozenset[str]
    codes_to: frozenset[str]
    source: str | None = None
    parse_notes: tuple[str, ...] = field(default=())

    def at_level(self, level: int) -> Correspondence:
        """Only the links and codes of one NUTS level."""
        lv = self.links["level"] == level
        return Correspondence(
            self.from_version, self.to_version, self.links[lv].reset_index(drop=True),
            frozenset(c for c in self.codes_from if nuts_level(c) == level),
            frozenset(c for c in self.codes_to if nuts_level(c) == level), self.source, self.parse_notes,
        )

    def changes(self) -> pd.DataFrame:
        """The links whose rule is not ``unchanged``."""
        return self.links[self.links["rule"] != "unchanged"].reset_index(drop=True)

    def then(self, other: Correspondence) -> Correspondence:
        """Chain two revisions (e.g. 2013→2016 then 2016→2021 gives 2013→2021).

        A chained link ``a → c`` is ``whole`` when ``a → b`` and ``b → c`` are
        both whole, else ``partial``; rules and weights are then re-derived by
        :func:`resolve_links` (weights stay unknown wherever a split occurs).
        """
        if self.to_version != other.from_version:
            raise HarmonizeError(f"cannot chain NUTS {self.from_version}->{self.to_version} with "
                                 f"{other.from_version}->{other.to_version}")
        a = self.links.dropna(subset=["code_from", "code_to"])[["code_from", "code_to", "link", "note"]]
        b = other.links.dropna(subset=["code_from", "code_to"])[["code_from", "code_to", "link", "note"]]
        m = a.merge(b, left_on="code_to", right_on="code_from", suffixes=("_a", "_b"))
        raw = pd.DataFrame({
            "code_from": m["code_from_a"], "code_to": m["code_to_b"],
            "link": np.where((m["link_a"] == "whole") & (m["link_b"] == "whole"), "whole", "partial"),
            "note": [" | ".join(x for x in (na, nb) if x) for na, nb in zip(m["note_a"], m["note_b"])],
        })
        links = resolve_links(raw, self.codes_from, other.codes_to)
        return Correspondence(self.from_version, other.to_version, links, self.codes_from, other.codes_to,
                              f"{self.source} + {other.source}", self.parse_notes + other.parse_notes)

    def inverse(self) -> Correspondence:
        """The correspondence read backwards (``to_version`` → ``from_version``).

        An inverse link ``X → A`` is ``whole`` when ``A`` is the only source of
        ``X`` and the forward link was whole or part of a split (``X`` lies
        inside ``A``); a single-link boundary shift stays partial.
        """
        fw = self.links.dropna(subset=["code_from", "code_to"])
        n_in = fw.groupby("code_to")["code_from"].nunique()
        n_out = fw.groupby("code_from")["code_to"].nunique()
        raw = []
        for r in fw.itertuples(index=False):
            single_source = n_in[r.code_to] == 1
            inside = r.link == "whole" or n_out[r.code_from] > 1
            raw.append((r.code_to, r.code_from, "whole" if single_source and inside else "partial", r.note))
        links = resolve_links(pd.DataFrame(raw, columns=["code_from", "code_to", "link", "note"]),
                              self.codes_to, self.codes_from)
        return Correspondence(self.to_version, self.from_version, links, self.codes_to, self.codes_from,
                              self.source, self.parse_notes)


def resolve_links(raw: pd.DataFrame, codes_from, codes_to) -> pd.DataFrame:
    """Assign ``rule`` and ``weight`` to raw links (``code_from, code_to, link, note``).

    Duplicate pairs keep the strongest link (``whole`` over ``partial``). For each
    old code: one whole successor → weight 1; one partial successor →
    ``boundary_shift`` with weight 1 (approximate); several successors →
    ``split`` with weight NaN (unknown). Old codes without successor become
    ``discontinued`` rows, new codes without source ``new`` rows.
    """
    raw = raw.copy()
    if "note" not in raw:
        raw["note"] = ""
    raw["note"] = raw["note"].fillna("")
    raw["_rank"] = (raw["link"] == "whole").astype(int)
    raw = (raw.sort_values("_rank", ascending=False, kind="stable")
           .drop_duplicates(["code_from", "code_to"]).drop(columns="_rank"))
    n_out = raw.groupby("code_from")["code_to"].nunique()
    n_in = raw.groupby("code_to")["code_from"].nunique()
    rules, weights = [], []
    for r in raw.itertuples(index=False):
        no, ni = n_out[r.code_from], n_in[r.code_to]
        if no > 1:
            rule, w = "split", np.nan
        elif r.link == "partial":
            rule, w = "boundary_shift", 1.0
        elif ni > 1:
            rule, w = "merge", 1.0
        elif r.code_from == r.code_to:
            rule, w = "unchanged", 1.0
        else:
            rule, w = "recode", 1.0
        rules.append(rule)
        weights.append(w)
    raw["rule"], raw["weight"] = rules, weights
    gone = sorted(set(codes_from) - set(raw["code_from"]))
    born = sorted(set(codes_to) - set(raw["code_to"]))
    extra = pd.DataFrame(
        [(c, None, "none", "discontinued", np.nan, "no successor in the new version") for c in gone]
        + [(None, c, "none", "new", np.nan, "no source in the old version") for c in born],
        columns=["code_from", "code_to", "link", "rule", "weight", "note"],
    )
    out = pd.concat([raw, extra], ignore_index=True) if len(extra) else raw
    code = out["code_from"].where(out["code_from"].notna(), out["code_to"])
    out["level"] = code.map(nuts_level).astype(int)
    out = out[LINK_COLUMNS].sort_values(["level", "code_from", "code_to"], na_position="last", kind="stable")
    out["code_from"] = out["code_from"].astype(object).where(out["code_from"].notna(), None)
    out["code_to"] = out["code_to"].astype(object).where(out["code_to"].notna(), None)
    out["weight"] = out["weight"].astype(float)
    return out.reset_index(drop=True)


def _segments_with_codes(text: str, country: str) -> list[tuple[str, str]]:
    """(code, link) for the codes named in ``text``; ``partial`` after "part(s) of"."""
    found = []
    for seg in re.split(r",|;|\band\b|\bplus\b", text):
        link = "partial" if re.search(r"\bparts?\b", seg, re.I) else "whole"
        for c in _CODE.findall(seg):
            if c.startswith(country):
                found.append((c, link))
    return found


def links_from_change_rows(rows: pd.DataFrame, codes_from, codes_to) -> tuple[pd.DataFrame, list[str]]:
    """Raw links from change rows (``code_from``, ``code_to``, ``comment``); pure.

    Parsing of the comment (Eurostat wording):
    * both codes: the row link is ``partial`` when the comment mentions a
      boundary change, else ``whole``; "merge of / made of / made from ex-A, B,
      parts of C" adds sources into ``code_to``; "lost ... X" adds a partial
      link ``code_from → X``;
    * only the new code: the same source phrases;
    * only the old code: "now part of X" (whole), "split into new A, B" (partial).
    Links naming codes absent from the version lists or across levels are
    ignored and returned as notes.
    """
    codes_from, codes_to = set(codes_from), set(codes_to)
    links: list[tuple[str, str, str, str]] = []
    notes: list[str] = []

    def add(a: str, b: str, link: str, note: str) -> None:
        if a not in codes_from or b not in codes_to or nuts_level(a) != nuts_level(b):
            notes.append(f"ignored link {a} -> {b} from comment {note!r}")
            return
        links.append((a, b, link, note))

    for r in rows.itertuples(index=False):
        a = r.code_from if isinstance(r.code_from, str) and r.code_from else None
        b = r.code_to if isinstance(r.code_to, str) and r.code_to else None
        text = r.comment.strip() if isinstance(r.comment, str) else ""
        low = text.lower()
        if a and b:
            add(a, b, "partial" if "boundar" in low else "whole", text)
        if b:
            m = _SOURCES.search(text)
            if m:
                tail = text[m.end():]
                minus = "minus" in tail.lower()
                tail = re.split(r"\bminus\b", tail, flags=re.I)[0]
                for c, link in _segments_with_codes(tail, b[:2]):
                    if c != b:
                        add(c, b, "partial" if minus else link, text)
            if a and "lost" in low:
                for c, _ in _segments_with_codes(text[low.index("lost"):], a[:2]):
                    if c not in (a, b):
                        add(a, c, "partial", text)
        elif a:
            m = re.search(r"now part of", text, re.I)
            if m:
                for c, _ in _segments_with_codes(text[m.end():], a[:2]):
                    add(a, c, "whole", text)
            m = re.search(r"split into", text, re.I)
            if m:
                for c, _ in _segments_with_codes(text[m.end():], a[:2]):
                    add(a, c, "partial", text)
    df = pd.DataFrame(links, columns=["code_from", "code_to", "link", "note"])
    return df, notes


def _clean(cell: str) -> str:
    return cell.replace("\xa0", " ").strip()


def read_eurostat_changes(path: str | Path, from_version: int | str, to_version: int | str) -> Correspondence:
    """Read a CSV copy of Eurostat's detailed NUTS change sheet.

    Works for ``NUTS2013-NUTS2016__NUTS2013-NUTS2016.csv`` (columns
    ``Code 2013``, ``Code 2016``, ``Change``) and
    ``NUTS2016-NUTS2021__Changes_detailed_NUTS_2016-2021.csv`` (``Code 2016``,
    ``Code 2021``, ``Change comments``), and any later sheet with the same
    layout (e.g. 2021–2024). ``from_version`` may be the newer one: the
    correspondence is then inverted.
    """
    path = Path(path)
    fv, tv = str(from_version), str(to_version)
    old, new = sorted([fv, tv])
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = [[_clean(c) for c in r] for r in csv.reader(fh)]
    header_idx = next((i for i, r in enumerate(rows[:20]) if f"Code {old}" in r and f"Code {new}" in r), None)
    if header_idx is None:
        raise HarmonizeError(f"{path}: no header row with columns 'Code {old}' and 'Code {new}' in the first 20 rows")
    header = rows[header_idx]
    i_old, i_new = header.index(f"Code {old}"), header.index(f"Code {new}")
    i_com = next((i for i, h in enumerate(header) if h.startswith("Change comments")), None)
    if i_com is None:
        i_com = next((i for i, h in enumerate(header) if h == "Change"), None)
    if i_com is None:
        raise HarmonizeError(f"{path}: no 'Change comments' or 'Change' column in header {header}")
    recs, notes_read = [], []
    for r in rows[header_idx + 1:]:
        r = r + [""] * (max(i_old, i_new, i_com) + 1 - len(r))
        a, b = r[i_old], r[i_new]
        bad = [c for c in (a, b) if c and not re.fullmatch(r"[A-Z]{2}[0-9A-Z]{0,3}", c)]
        if bad and all(" " in c for c in bad):  # a section heading written across the code column
            notes_read.append(f"skipped heading row {bad[0][:60]!r}")
            continue
        if bad:
            raise HarmonizeError(f"{path}: column 'Code {old}'/'Code {new}' holds malformed NUTS code(s) {bad}")
        if a or b:
            recs.append((a or None, b or None, r[i_com]))
    table = pd.DataFrame(recs, columns=["code_from", "code_to", "comment"])
    codes_old = frozenset(table["code_from"].dropna())
    codes_new = frozenset(table["code_to"].dropna())
    raw, notes = links_from_change_rows(table, codes_old, codes_new)
    corr = Correspondence(old, new, resolve_links(raw, codes_old, codes_new), codes_old, codes_new,
                          str(path), tuple(notes_read + notes))
    return corr if fv == old else corr.inverse()


_SHEET_VERSIONS = re.compile(r"NUTS(\d{4})-NUTS(\d{4})")


def read_change_sheets(paths: Iterable[str | Path]) -> list[Correspondence]:
    """Read several change sheets, each file's two NUTS versions taken from its name (``NUTSyyyy-NUTSyyyy``)."""
    out = []
    for p in map(Path, paths):
        m = _SHEET_VERSIONS.search(p.name)
        if not m:
            raise HarmonizeError(f"{p}: cannot tell the two NUTS versions from the file name "
                                 "(expected NUTSyyyy-NUTSyyyy...)")
        out.append(read_eurostat_changes(p, m.group(1), m.group(2)))
    return out


def find_change_sheets(directory: str | Path) -> list[Path]:
    """The detailed change sheets in a directory (Eurostat's CSV copies, as in ``shared/data/nuts``).

    Matches ``NUTSa-NUTSb__NUTSa-NUTSb.csv`` and ``NUTSa-NUTSb__Changes_detailed_*.csv``; other
    sheets of the workbooks (overview, version dates, NUTS-3 only) are left out.
    """
    d = Path(directory)
    if not d.is_dir():
        return []
    found = []
    for p in sorted(d.glob("NUTS*-NUTS*__*.csv")):
        m = _SHEET_VERSIONS.match(p.name)
        if m and (p.name == f"{m.group(0)}__{m.group(0)}.csv" or "__Changes_detailed" in p.name):
            found.append(p)
    return found
