"""NACE Rev.2 / ATECO 2007 sector hierarchy, aggregates and ISTAT district groups.

* Sections A–U and their divisions (Eurostat 2008, *NACE Rev. 2*, Part III),
  packaged in ``data/nace_r2_sections.csv``.
* Aggregates are written as section ranges: ``"G-J"`` = sections G, H, I, J;
  ``"TOTAL"`` = A–U (Eurostat's ``M_N`` spelling is accepted). Two codes
  *overlap* when their section sets intersect (``G-J ∩ J = {J}``); an
  aggregate is *additive* over children that partition its sections
  (``G-J = G-I + J``, ``K-N = K + L + M-N``, ``O-U = O-Q + R-U``; ``B-E`` is not
  ``C`` alone).
* ATECO 2007 (ISTAT) = NACE Rev.2 to 4 digits (class ``25.62``) plus national
  5th/6th digits (``25.62.00``).
* ISTAT's manufacturing groups for industrial districts (ISTAT 2015, *I
  distretti industriali 2011*), ``data/istat_district_groups.csv``, by longest
  ATECO prefix.
* Named non-overlapping analysis sets (A*10, A*21, ...) in
  ``data/sector_sets.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources

import pandas as pd

from i4districts.harmonize import HarmonizeError
from i4districts.safeyaml import load_yaml

__all__ = [
    "SECTIONS",
    "additive_parent_map",
    "aggregate_to_district_groups",
    "aggregate_to_sector_set",
    "ateco_to_nace",
    "check_non_overlapping",
    "district_group",
    "district_groups",
    "division_section",
    "nace_sections",
    "normalise_sector",
    "overlapping_pairs",
    "sector_set",
    "sector_set_derivations",
    "sector_sets",
    "sections_of",
]

SECTIONS = tuple("ABCDEFGHIJKLMNOPQRSTU")


def _data(name: str):
    return resources.files("i4districts.harmonize").joinpath("data", name)


@lru_cache(maxsize=1)
def nace_sections() -> pd.DataFrame:
    """NACE Rev.2 sections with their division range (``section, division_from, division_to, label``)."""
    with _data("nace_r2_sections.csv").open(encoding="utf-8") as fh:
        return pd.read_csv(fh, comment="#", dtype={"section": str})


def division_section(division: int | str) -> str:
    """Section of a 2-digit NACE/ATECO division (``25 → "C"``)."""
    try:
        d = int(str(division).strip()[:2])
    except ValueError:
        raise HarmonizeError(f"not a NACE division: {division!r}") from None
    t = nace_sections()
    hit = t[(t["division_from"] <= d) & (t["division_to"] >= d)]
    if hit.empty:
        raise HarmonizeError(f"NACE division {d:02d} does not exist (valid: 01-99 with gaps, see NACE Rev.2)")
    return str(hit["section"].iloc[0])


_UNION = re.compile(r"[A-U](?:_[A-U]){2,}")  # "B_D_E": sections B, D and E (a derived union)


def normalise_sector(code: str) -> str:
    """Canonical spelling: upper case, ``_`` → ``-``, ``TOTAL`` for the total.

    A union of three or more single sections written with underscores
    (``"B_D_E"`` = B + D + E, e.g. B-E without manufacturing) keeps its spelling.
    """
    c = str(code).strip().upper()
    if _UNION.fullmatch(c):
        return c
    c = c.replace("_", "-")
    return "TOTAL" if c in ("TOTAL", "TOT", "A-U") else c


def sections_of(code: str) -> frozenset[str]:
    """Sections covered by a sector code: ``"G-J" → {G, H, I, J}``, ``"TOTAL" → A..U``."""
    c = normalise_sector(code)
    if c == "TOTAL":
        return frozenset(SECTIONS)
    if _UNION.fullmatch(c):
        return frozenset(c.split("_"))
    m = re.fullmatch(r"([A-U])(?:-([A-U]))?", c)
    if not m:
        raise HarmonizeError(f"not a NACE Rev.2 section or section range: {code!r}")
    a, b = m.group(1), m.group(2) or m.group(1)
    i, j = SECTIONS.index(a), SECTIONS.index(b)
    if j < i:
        raise HarmonizeError(f"reversed NACE section range: {code!r}")
    return frozenset(SECTIONS[i: j + 1])


def overlapping_pairs(codes: Iterable[str]) -> list[tuple[str, str]]:
    """Pairs of codes whose section sets intersect (would be double counted)."""
    cs = sorted(set(codes))
    sets = {c: sections_of(c) for c in cs}
    return [(a, b) for i, a in enumerate(cs) for b in cs[i + 1:] if sets[a] & sets[b]]


def check_non_overlapping(codes: Sequence[str], *, name: str = "sector set") -> None:
    """Raise if two codes overlap (e.g. ``G-J`` with ``J``)."""
    pairs = overlapping_pairs(codes)
    if pairs:
        raise HarmonizeError(f"{name}: overlapping sector codes would be double counted: {pairs[:8]}")


def additive_parent_map(codes: Iterable[str]) -> dict[str, str]:
    """child → parent for the aggregates among ``codes`` that equal the sum of their children.

    Children of ``p`` are the maximal codes strictly inside ``p``; the pair is
    kept only when those children are disjoint and cover ``p`` exactly
    (``G-J → {G-I, J}`` kept; ``B-E → {C}`` dropped). Usable as
    :class:`i4districts.validation.HierarchyRule` ``parent_of``.
    """
    cs = sorted({normalise_sector(c) for c in codes})
    sets = {c: sections_of(c) for c in cs}
    out: dict[str, str] = {}
    for p in sorted(cs, key=lambda c: -len(sets[c])):  # smaller parents overwrite larger ones
        inside = [c for c in cs if c != p and sets[c] < sets[p]]
        maximal = [c for c in inside if not any(sets[c] < sets[o] for o in inside if o != c)]
        union = frozenset().union(*(sets[c] for c in maximal)) if maximal else frozenset()
        disjoint = sum(len(sets[c]) for c in maximal) == len(union)
        if maximal and disjoint and union == sets[p]:
            for c in maximal:
                out[c] = p
    return out


@lru_cache(maxsize=1)
def sector_sets() -> dict[str, dict]:
    """Named analysis sets from ``data/sector_sets.yaml`` (each checked non-overlapping)."""
    sets = load_yaml(_data("sector_sets.yaml").read_text(encoding="utf-8"), source="sector_sets.yaml",
                     error=HarmonizeError)
    for name, spec in sets.items():
        spec["codes"] = [normalise_sector(c) for c in spec["codes"]]
        check_non_overlapping(spec["codes"], name=f"sector set {name!r}")
    return sets


def sector_set(name: str) -> tuple[str, ...]:
    """Codes of a named non-overlapping analysis set (``"A10"`` → A, B-E, F, G-I, J, K, L, M-N, O-Q, R-U)."""
    sets = sector_sets()
    if name not in sets:
        raise HarmonizeError(f"unknown sector set {name!r}; known: {sorted(sets)}")
    return tuple(sets[name]["codes"])


def sector_set_derivations(name: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Derived codes of a named set: ``{code: (minuend, subtrahends)}``, value = minuend − Σ subtrahends.

    ``"A10_split_C"`` → ``{"B_D_E": ("B-E", ("C",))}``; empty for sets of published codes only.
    """
    sector_set(name)  # raises for an unknown set
    derived = sector_sets()[name].get("derived") or {}
    return {normalise_sector(code): (normalise_sector(d["from"]), tuple(normalise_sector(m) for m in d["minus"]))
            for code, d in derived.items()}


# --------------------------------------------------------------------------- ATECO


_ATECO = re.compile(r"^(?:[A-U])?\s*(\d{2})(?:\.?(\d))?(?:(\d))?(?:\.?(\d))?(?:(\d))?$")


def ateco_to_nace(code: str, level: str = "class") -> str:
    """Truncate an ATECO 2007 code to a NACE Rev.2 level.

    ATECO = NACE Rev.2 to the class (4 digits) + national category/subcategory
    (5th, 6th digit). ``level``: ``"section"`` (``C``), ``"division"`` (``25``),
    ``"group"`` (``25.6``), ``"class"`` (``25.62``). ``"25.62.00"`` → ``"25.62"``.
    """
    m = _ATECO.match(str(code).strip().upper())
    if not m:
        raise HarmonizeError(f"not an ATECO 2007 / NACE Rev.2 code: {code!r}")
    div, g, c = m.group(1), m.group(2), m.group(3)
    if level == "section":
        return division_section(div)
    if level == "division":
        division_section(div)
        return div
    if level == "group":
        if g is None:
            raise HarmonizeError(f"ATECO code {code!r} has no group digit")
        return f"{div}.{g}"
    if level == "class":
        if g is None or c is None:
            raise HarmonizeError(f"ATECO code {code!r} has no class digits")
        return f"{div}.{g}{c}"
    raise ValueError(f"level must be section/division/group/class, not {level!r}")


@lru_cache(maxsize=1)
def district_groups() -> pd.DataFrame:
    """ISTAT district manufacturing groups by ATECO prefix (``ateco_prefix, group, label``)."""
    with _data("istat_district_groups.csv").open(encoding="utf-8") as fh:
        return pd.read_csv(fh, comment="#", dtype=str)


def district_group(code: str) -> str:
    """ISTAT district group of an ATECO 2007 manufacturing code (longest prefix wins).

    ``"15.20.10"`` → ``LEA`` (leather and footwear); ``"27.51"`` → ``HOU``
    (domestic appliances); ``"27.11"`` → ``MAC``. Non-manufacturing raises.
    """
    div = ateco_to_nace(code, "division")
    m = _ATECO.match(str(code).strip().upper())
    digits = "".join(x for x in m.groups() if x)  # type: ignore[union-attr]
    t = district_groups()
    best, blen = None, -1
    for p, grp in zip(t["ateco_prefix"], t["group"]):
        pd_ = p.replace(".", "")
        if digits.startswith(pd_) and len(pd_) > blen:
            best, blen = grp, len(pd_)
    if best is None:
        raise HarmonizeError(f"ATECO {code!r} (division {div}, section {division_section(div)}) is not "
                             "manufacturing (10-33): no ISTAT district group")
    return best


# --------------------------------------------------------------------------- aggregation


def _sum_groups(work: pd.DataFrame, keys: list[str], value_cols: list[str]) -> pd.DataFrame:
    """Σ per group; NaN if any member is NaN (never a partial sum)."""
    g = work.groupby(keys, dropna=False, sort=True)
    out = g[value_cols].sum(min_count=1)
    nan = g[value_cols].agg(lambda s: int(s.isna().any())).to_numpy().astype(bool)
    out = out.mask(nan)
    out["n_members"] = g.size()
    return out.reset_index()


def aggregate_to_sector_set(
    df: pd.DataFrame,
    codes: str | Sequence[str],
    *,
    sector_col: str = "sector",
    value_cols: Sequence[str] = ("value",),
    by: Sequence[str] = (),
    table: str = "table",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sum sector rows into a non-overlapping target set: ``value_T = Σ_{c ⊆ T} value_c``.

    Every input code (section or section range) must lie inside exactly one
    target (``"G"`` → ``"G-I"``); input codes must not overlap each other
    (else they would be double counted). Returns ``(aggregated, mapping)``
    where ``mapping`` lists ``code → target``.
    """
    targets = sector_set(codes) if isinstance(codes, str) else tuple(normalise_sector(c) for c in codes)
    check_non_overlapping(targets, name="target sector set")
    value_cols, by = list(value_cols), list(by)
    present = sorted({normalise_sector(c) for c in df[sector_col].dropna().unique()})
    check_non_overlapping(present, name=f"{table}: column '{sector_col}'")
    tsets = {t: sections_of(t) for t in targets}
    mapping, bad = {}, []
    for c in present:
        hit = [t for t, s in tsets.items() if sections_of(c) <= s]
        if len(hit) == 1:
            mapping[c] = hit[0]
        else:
            bad.append(c)
    if bad:
        raise HarmonizeError(f"{table}: column '{sector_col}' has code(s) {bad} that do not fit inside exactly one "
                             f"of {list(targets)}")
    work = df[[*by, *value_cols]].copy()
    work["sector"] = df[sector_col].map(normalise_sector).map(mapping)
    out = _sum_groups(work, ["sector", *by], value_cols)
    return out, pd.DataFrame({"code": list(mapping), "target": list(mapping.values())})


def aggregate_to_district_groups(
    df: pd.DataFrame,
    *,
    ateco_col: str = "sector",
    value_cols: Sequence[str] = ("value",),
    by: Sequence[str] = (),
    non_manufacturing: str = "raise",
    table: str = "table",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sum ATECO manufacturing rows into ISTAT district groups (:func:`district_group`).

    Input codes must not nest (``"25"`` with ``"25.62"`` would double count).
    ``non_manufacturing``: ``"raise"`` (default) or ``"exclude"`` (the
    excluded codes are listed in the returned mapping with a null group).
    Returns ``(aggregated, mapping)``; aggregated has ``group, *by, *value_cols,
    n_members``.
    """
    if non_manufacturing not in ("raise", "exclude"):
        raise ValueError(f"non_manufacturing must be 'raise' or 'exclude', not {non_manufacturing!r}")
    value_cols, by = list(value_cols), list(by)
    codes = sorted({str(c) for c in df[ateco_col].dropna().unique()})
    digits = {c: re.sub(r"\D", "", c) for c in codes}
    nested = [(a, b) for a in codes for b in codes if a != b and digits[b].startswith(digits[a])]
    if nested:
        raise HarmonizeError(f"{table}: column '{ateco_col}' has nested ATECO codes (double counting): {nested[:8]}")
    mapping: dict[str, str | None] = {}
    for c in codes:
        try:
            mapping[c] = district_group(c)
        except HarmonizeError:
            if non_manufacturing == "raise":
                raise HarmonizeError(f"{table}: column '{ateco_col}' has non-manufacturing code {c!r}; pass "
                                     "non_manufacturing='exclude' to leave it out (it is then listed)") from None
            mapping[c] = None
    work = df[[*by, *value_cols]].copy()
    work["group"] = df[ateco_col].astype(str).map(mapping)
    work = work[work["group"].notna()]
    out = _sum_groups(work, ["group", *by], value_cols)
    return out, pd.DataFrame({"code": list(mapping), "group": list(mapping.values())})
