"""Revision report: what changed between two vintages of one dataset (pure, DataFrames in and out).

Both vintages are tidy tables of *cells*: key columns (dimensions and the
period), ``value`` in one declared unit, and optionally ``flag`` (``""`` = no
flag, missing = flags unknown, e.g. a re-publication that dropped them). A row
whose ``value`` is missing is "not published" and is not a cell.

For a cell ``k`` present in both vintages (a *shared* cell)::

    abs_change = new_k - old_k
    rel_change = (new_k - old_k) / |old_k|      (missing when old_k = 0)

and the cell is *revised* when ``|new_k - old_k| > tolerance``. The tolerance
is absolute, in the table's unit, and must be declared: 0 (any change) by
default; e.g. 0.5 persons when one vintage is rounded to whole persons. Flags
are compared where both vintages carry them.

Cells in only one vintage are *added* / *removed*; each is tagged with why:
``new_series``/``series_removed`` (no cell of that series, i.e. the keys
without the period, exists in the other vintage), ``new_period``/
``period_removed`` (the period appears in no cell of the other vintage) or
``cell`` (the series and the period exist on both sides, this cell does not).

The ``structure`` table lists dimensions added or removed, codes added or
removed per dimension, and, when the region codes are NUTS codes and code
lists are given, the NUTS version of each vintage (detected with
:func:`i4districts.harmonize.nuts.detect_nuts_version`) and, when it changed,
every changed link of Eurostat's correspondence between the two versions that
touches the regions of either vintage (e.g. Sardinia's NUTS 2016 ITG25–ITG2C
to NUTS 2021 ITG2D–ITG2H).

Reference: OECD/Eurostat, *Guidelines on revision policy and analysis* (2014):
revision = later estimate minus earlier estimate, relative revision divided
by the earlier estimate.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from i4districts.errors import InputError, first_few
from i4districts.harmonize.correspondence import Correspondence
from i4districts.harmonize.nuts import NUTS_SHAPE, detect_nuts_version
from i4districts.vocabulary import FLAG, REGION, UNIT, VALUE, VINTAGE, YEAR

__all__ = [
    "ADDED_COLUMNS", "FLAG_COLUMNS", "REMOVED_COLUMNS", "REVISED_COLUMNS", "STRUCTURE_COLUMNS",
    "SUMMARY_COLUMNS", "RevisionReport", "correspondence_between", "file_revision_report", "infer_keys",
    "revision_report",
]

#: Columns that are never keys of a cell.
NON_KEYS = frozenset({VALUE, FLAG, VINTAGE, "vintage_id"})
#: Candidate names of the region and period dimensions, first match wins.
REGION_NAMES = (REGION, "geo", "ref_area")
TIME_NAMES = (YEAR, "time", "period", "time_period")

REVISED_COLUMNS = ["old_value", "new_value", "abs_change", "rel_change"]
FLAG_COLUMNS = ["old_flag", "new_flag", "old_value", "new_value"]
ADDED_COLUMNS = ["new_value", "new_flag", "kind"]
REMOVED_COLUMNS = ["old_value", "old_flag", "kind"]
STRUCTURE_COLUMNS = ["change", "dimension", "old", "new", "rule", "detail"]
SUMMARY_COLUMNS = [
    "dataset", "old_vintage", "new_vintage", "unit", "tolerance", "cells_old", "cells_new", "cells_shared",
    "cells_revised", "share_revised", "max_abs_rel_change", "cells_added", "cells_removed",
    "new_series_cells", "new_period_cells", "series_old", "series_new", "series_shared", "flags_compared",
    "flags_changed", "flagged_old", "flagged_new", "unpublished_old", "unpublished_new", "dimensions_added",
    "dimensions_removed", "codes_added", "codes_removed", "nuts_old", "nuts_new", "nuts_links_changed",
]


@dataclass(frozen=True)
class RevisionReport:
    """The revision tables of one dataset (see the module docstring for every definition)."""

    dataset: str
    keys: tuple[str, ...]
    unit: str | None
    tolerance: float
    revised: pd.DataFrame
    added: pd.DataFrame
    removed: pd.DataFrame
    flags_changed: pd.DataFrame
    structure: pd.DataFrame
    summary: pd.DataFrame
    notes: tuple[str, ...] = field(default=())

    @property
    def changed(self) -> bool:
        """True when anything differs: a revised cell, a cell added or removed, a flag or the structure."""
        return bool(len(self.revised) or len(self.added) or len(self.removed) or len(self.flags_changed)
                    or len(self.structure))

    def codes(self, dimension: str, change: str = "code_added") -> list[str]:
        """Codes of ``dimension`` added (``change="code_added"``) or removed (``"code_removed"``)."""
        s = self.structure
        col = "new" if change == "code_added" else "old"
        return s.loc[(s["change"] == change) & (s["dimension"] == dimension), col].astype(str).tolist()

    def nuts_links(self) -> pd.DataFrame:
        """The changed NUTS links listed in ``structure`` (``old`` → ``new`` code, ``rule``, ``detail``)."""
        return self.structure[self.structure["change"] == "nuts_link"].reset_index(drop=True)


def infer_keys(old: pd.DataFrame, new: pd.DataFrame) -> tuple[str, ...]:
    """Key columns: every column of either table except ``value``, ``flag`` and the vintage id, in order."""
    out: list[str] = []
    for c in (*old.columns, *new.columns):
        if c not in NON_KEYS and c not in out:
            out.append(str(c))
    return tuple(out)


def _first(names: Sequence[str], keys: Sequence[str]) -> str | None:
    return next((n for n in names if n in keys), None)


def _cells(df: pd.DataFrame, keys: Sequence[str], which: str, dataset: str) -> tuple[pd.DataFrame, int]:
    """Published cells of one vintage (value present) and the number of unpublished rows dropped."""
    table = f"{dataset} ({which} vintage)"
    if VALUE not in df.columns:
        raise InputError(f"{table}: no 'value' column; found {list(df.columns)}")
    values = pd.to_numeric(df[VALUE], errors="coerce")
    bad = df.loc[values.isna() & df[VALUE].notna(), VALUE]
    if len(bad):
        raise InputError(f"{table}: column 'value' holds non-numbers {first_few(bad.unique())}")
    out = pd.DataFrame({k: df[k].to_numpy() for k in keys})
    out[VALUE] = values.astype("float64").to_numpy()
    if FLAG in df.columns:
        out[FLAG] = pd.array(df[FLAG].to_numpy(dtype=object), dtype="string")
    else:
        out[FLAG] = pd.array([pd.NA] * len(df), dtype="string")
    infinite = np.isinf(out[VALUE].to_numpy())
    if infinite.any():
        raise InputError(f"{table}: column 'value' holds infinite values in {int(infinite.sum())} row(s)")
    published = out[VALUE].notna()
    dup = out.loc[published].duplicated(list(keys), keep=False)
    if dup.any():
        example = out.loc[published].loc[dup, list(keys)].head(3).to_dict("records")
        raise InputError(f"{table}: {int(dup.sum())} rows share their keys {list(keys)}, e.g. {example}; "
                         "a cell must be unique (declare the missing dimension or filter the table)")
    return out.loc[published].reset_index(drop=True), int((~published).sum())


def _align_key_types(old: pd.DataFrame, new: pd.DataFrame, keys: Sequence[str]) -> None:
    """Same dtype for each key in both tables (integers stay integers, anything else becomes text)."""
    for k in keys:
        both_int = pd.api.types.is_integer_dtype(old[k]) and pd.api.types.is_integer_dtype(new[k])
        for df in (old, new):
            df[k] = df[k].astype("int64") if both_int else df[k].astype(str).astype("string")


def correspondence_between(corrs: Sequence[Correspondence], old: str, new: str) -> Correspondence | None:
    """The correspondence from NUTS ``old`` to ``new`` built from ``corrs`` (chained or inverted), or None.

    Shortest path over versions; a sheet read backwards is inverted (:meth:`Correspondence.inverse`)
    and consecutive steps are chained (:meth:`Correspondence.then`), only along the path found.
    """
    steps: dict[tuple[str, str], tuple[Correspondence, bool]] = {}
    for c in corrs:
        steps.setdefault((c.from_version, c.to_version), (c, False))
        steps.setdefault((c.to_version, c.from_version), (c, True))
    previous: dict[str, str] = {old: old}
    frontier = [old]
    while frontier and new not in previous:  # breadth-first search
        reached = []
        for a in frontier:
            for x, b in sorted(steps):
                if x == a and b not in previous:
                    previous[b] = a
                    reached.append(b)
        frontier = reached
    if new not in previous or old == new:
        return None
    path = [new]
    while path[-1] != old:
        path.append(previous[path[-1]])
    path.reverse()
    out: Correspondence | None = None
    for a, b in zip(path, path[1:]):
        corr, inverted = steps[(a, b)]
        step = corr.inverse() if inverted else corr
        out = step if out is None else out.then(step)
    return out


def _nuts_structure(old_codes: set[str], new_codes: set[str], region: str,
                    versions: Mapping[str, frozenset[str]] | None,
                    corrs: Sequence[Correspondence]) -> tuple[list[dict], str | None, str | None, list[str]]:
    """Structure rows of the NUTS version change, the two versions and notes."""
    notes: list[str] = []
    if not versions:
        notes.append(f"NUTS version not checked: no NUTS code lists given for dimension {region!r}")
        return [], None, None, notes
    shape = re.compile(NUTS_SHAPE)
    if not all(shape.fullmatch(c) for c in old_codes | new_codes):
        notes.append(f"NUTS version not checked: dimension {region!r} holds codes that are not NUTS codes")
        return [], None, None, notes
    found = {}
    rows: list[dict] = []
    for which, codes in (("old", old_codes), ("new", new_codes)):
        det = detect_nuts_version(codes, versions, on_mixed="majority", table=f"{which} vintage")
        found[which] = det.version
        other = sorted(c for c, vs in det.foreign.items() if vs)
        if det.mixed and other:
            notes.append(f"{which} vintage mixes NUTS versions: majority {det.version}, codes of other versions "
                         f"{first_few(other)}")
        if det.unknown:
            notes.append(f"{which} vintage: region codes in no known NUTS version {first_few(det.unknown)}")
    vo, vn = found["old"], found["new"]
    if vo == vn:
        return rows, vo, vn, notes
    rows.append({"change": "nuts_version", "dimension": region, "old": vo, "new": vn, "rule": None,
                 "detail": f"NUTS {vo} -> NUTS {vn} (detected from the region codes)"})
    corr = correspondence_between(corrs, str(vo), str(vn)) if vo and vn else None
    if corr is None:
        notes.append(f"no NUTS correspondence {vo} -> {vn} given: changed regions not listed")
        return rows, vo, vn, notes
    ch = corr.changes()
    touches = ch["code_from"].isin(old_codes) | ch["code_to"].isin(new_codes)
    for r in ch[touches].sort_values(["code_from", "code_to"], na_position="last").itertuples(index=False):
        rows.append({"change": "nuts_link", "dimension": region,
                     "old": None if pd.isna(r.code_from) else r.code_from,
                     "new": None if pd.isna(r.code_to) else r.code_to,
                     "rule": r.rule, "detail": r.note})
    return rows, vo, vn, notes


def _kind(rows: pd.DataFrame, other: pd.DataFrame, series_keys: list[str], time: str | None,
          labels: tuple[str, str]) -> np.ndarray:
    """``labels[0]`` when the row's series is absent from ``other``, ``labels[1]`` when its period is, else cell."""
    if series_keys:
        have = other[series_keys].drop_duplicates().assign(_in=True)
        in_series = rows[series_keys].merge(have, on=series_keys, how="left")["_in"].fillna(False).to_numpy(bool)
    else:
        in_series = np.full(len(rows), len(other) > 0)
    in_period = rows[time].isin(set(other[time])).to_numpy(bool) if time else np.ones(len(rows), bool)
    return np.where(~in_series, labels[0], np.where(~in_period, labels[1], "cell"))


def revision_report(
    old: pd.DataFrame,
    new: pd.DataFrame,
    *,
    keys: Sequence[str] | None = None,
    dataset: str = "dataset",
    unit: str | None = None,
    tolerance: float = 0.0,
    region: str | None = None,
    time: str | None = None,
    nuts_versions: Mapping[str, frozenset[str]] | None = None,
    correspondences: Sequence[Correspondence] = (),
    old_label: str = "old",
    new_label: str = "new",
) -> RevisionReport:
    """Compare two vintages of ``dataset`` cell by cell (definitions in the module docstring).

    ``keys``: the cell's key columns (default :func:`infer_keys`); a key present
    in only one table is a dimension added or removed, and the cells are matched
    on the keys the two share (they must stay unique). ``unit``: the unit of
    ``value`` in *both* tables (convert before calling; a ``unit`` key column
    whose codes do not overlap between the vintages is refused). ``tolerance``:
    absolute, in ``unit``. ``region``/``time``: the region and period
    dimensions (default: the first of ``region, geo, ref_area`` and ``year,
    time, period``). ``nuts_versions``: code list per NUTS version
    (:func:`i4districts.harmonize.nuts.version_code_sets`) and
    ``correspondences`` (Eurostat change sheets) for the NUTS rows.
    """
    if not np.isfinite(tolerance) or tolerance < 0:
        raise InputError(f"{dataset}: tolerance must be a finite number >= 0, got {tolerance!r}")
    keys = tuple(keys) if keys is not None else infer_keys(old, new)
    if not keys:
        raise InputError(f"{dataset}: no key columns to identify a cell")
    bad = [k for k in keys if k in NON_KEYS]
    if bad:
        raise InputError(f"{dataset}: {bad} cannot be keys (they are the measured value, flag or vintage)")
    missing_both = [k for k in keys if k not in old.columns and k not in new.columns]
    if missing_both:
        raise InputError(f"{dataset}: key column(s) {missing_both} are in neither vintage")
    dims_added = [k for k in keys if k in new.columns and k not in old.columns]
    dims_removed = [k for k in keys if k in old.columns and k not in new.columns]
    common = [k for k in keys if k in old.columns and k in new.columns]
    if not common:
        raise InputError(f"{dataset}: the two vintages share no key column "
                         f"({list(old.columns)} vs {list(new.columns)})")
    o, n_unpub_old = _cells(old, common, "old", dataset)
    n, n_unpub_new = _cells(new, common, "new", dataset)
    if UNIT in common and len(o) and len(n) and not set(o[UNIT]) & set(n[UNIT]):
        raise InputError(f"{dataset}: the vintages' values are in different units (old {sorted(set(o[UNIT]))}, "
                         f"new {sorted(set(n[UNIT]))}); convert them to one unit explicitly before comparing")
    _align_key_types(o, n, common)
    region = region if region is not None else _first(REGION_NAMES, common)
    time = time if time is not None else _first(TIME_NAMES, common)
    flags_compared = bool(o[FLAG].notna().any() and n[FLAG].notna().any())

    m = o.merge(n, on=common, how="outer", suffixes=("_old", "_new"), indicator=True, sort=True)
    shared = m[m["_merge"] == "both"]
    diff = shared[f"{VALUE}_new"] - shared[f"{VALUE}_old"]
    rel = diff / shared[f"{VALUE}_old"].abs().where(shared[f"{VALUE}_old"] != 0)
    is_rev = diff.abs() > tolerance
    revised = pd.DataFrame({**{k: shared.loc[is_rev, k] for k in common},
                            "old_value": shared.loc[is_rev, f"{VALUE}_old"],
                            "new_value": shared.loc[is_rev, f"{VALUE}_new"],
                            "abs_change": diff[is_rev], "rel_change": rel[is_rev]}).reset_index(drop=True)

    fo, fn = shared[f"{FLAG}_old"], shared[f"{FLAG}_new"]
    both_known = (fo.notna() & fn.notna()).to_numpy(bool)
    differs = both_known & (fo.fillna("") != fn.fillna("")).to_numpy(bool)
    flags_changed = pd.DataFrame({**{k: shared.loc[differs, k] for k in common},
                                  "old_flag": fo[differs], "new_flag": fn[differs],
                                  "old_value": shared.loc[differs, f"{VALUE}_old"],
                                  "new_value": shared.loc[differs, f"{VALUE}_new"]}).reset_index(drop=True)

    series_keys = [k for k in common if k != time]
    only_new = m[m["_merge"] == "right_only"].reset_index(drop=True)
    only_old = m[m["_merge"] == "left_only"].reset_index(drop=True)
    added = pd.DataFrame({**{k: only_new[k] for k in common}, "new_value": only_new[f"{VALUE}_new"],
                          "new_flag": only_new[f"{FLAG}_new"],
                          "kind": _kind(only_new, o, series_keys, time, ("new_series", "new_period"))})
    removed = pd.DataFrame({**{k: only_old[k] for k in common}, "old_value": only_old[f"{VALUE}_old"],
                            "old_flag": only_old[f"{FLAG}_old"],
                            "kind": _kind(only_old, n, series_keys, time, ("series_removed", "period_removed"))})

    structure: list[dict] = []
    for k in dims_added:
        codes = sorted(map(str, new[k].dropna().unique()))
        structure.append({"change": "dimension_added", "dimension": k, "old": None, "new": k, "rule": None,
                          "detail": f"codes {first_few(codes)}"})
    for k in dims_removed:
        codes = sorted(map(str, old[k].dropna().unique()))
        structure.append({"change": "dimension_removed", "dimension": k, "old": k, "new": None, "rule": None,
                          "detail": f"codes {first_few(codes)}"})
    n_codes_added = n_codes_removed = 0
    for k in common:
        co, cn = o[k].value_counts(), n[k].value_counts()
        for c in sorted(set(cn.index) - set(co.index), key=str):
            structure.append({"change": "code_added", "dimension": k, "old": None, "new": str(c), "rule": None,
                              "detail": f"{int(cn[c])} cells"})
            n_codes_added += 1
        for c in sorted(set(co.index) - set(cn.index), key=str):
            structure.append({"change": "code_removed", "dimension": k, "old": str(c), "new": None, "rule": None,
                              "detail": f"{int(co[c])} cells"})
            n_codes_removed += 1
    notes: list[str] = []
    nuts_old = nuts_new = None
    n_links = 0
    if region is not None:
        rows, nuts_old, nuts_new, nuts_notes = _nuts_structure(
            set(map(str, o[region])), set(map(str, n[region])), region, nuts_versions, correspondences)
        structure += rows
        notes += nuts_notes
        n_links = sum(r["change"] == "nuts_link" for r in rows)
    if not flags_compared:
        which = ("neither vintage carries" if o[FLAG].isna().all() and n[FLAG].isna().all()
                 else "the old vintage carries no" if o[FLAG].isna().all() else "the new vintage carries no")
        notes.append(f"flags not compared: {which} observation flags (unknown, not 'none')")
    structure_df = pd.DataFrame(structure, columns=STRUCTURE_COLUMNS)
    for c in STRUCTURE_COLUMNS:
        structure_df[c] = structure_df[c].astype(object).where(structure_df[c].notna(), None)

    series_o = o[series_keys].drop_duplicates() if series_keys else pd.DataFrame(index=[0])
    series_n = n[series_keys].drop_duplicates() if series_keys else pd.DataFrame(index=[0])
    series_shared = len(series_o.merge(series_n, on=series_keys)) if series_keys else 1
    summary = pd.DataFrame([{
        "dataset": dataset, "old_vintage": old_label, "new_vintage": new_label, "unit": unit,
        "tolerance": float(tolerance), "cells_old": len(o), "cells_new": len(n), "cells_shared": len(shared),
        "cells_revised": len(revised),
        "share_revised": len(revised) / len(shared) if len(shared) else float("nan"),
        "max_abs_rel_change": float(revised["rel_change"].abs().max()) if revised["rel_change"].notna().any()
        else 0.0,
        "cells_added": len(added), "cells_removed": len(removed),
        "new_series_cells": int((added["kind"] == "new_series").sum()),
        "new_period_cells": int((added["kind"] == "new_period").sum()),
        "series_old": len(series_o), "series_new": len(series_n), "series_shared": series_shared,
        "flags_compared": flags_compared, "flags_changed": len(flags_changed),
        "flagged_old": int((o[FLAG].fillna("") != "").sum()), "flagged_new": int((n[FLAG].fillna("") != "").sum()),
        "unpublished_old": n_unpub_old, "unpublished_new": n_unpub_new,
        "dimensions_added": len(dims_added), "dimensions_removed": len(dims_removed),
        "codes_added": n_codes_added, "codes_removed": n_codes_removed,
        "nuts_old": nuts_old, "nuts_new": nuts_new, "nuts_links_changed": n_links,
    }], columns=SUMMARY_COLUMNS)
    return RevisionReport(dataset, tuple(common), unit, float(tolerance), revised, added.reset_index(drop=True),
                          removed.reset_index(drop=True), flags_changed, structure_df, summary, tuple(notes))


def file_revision_report(dataset: str, old_sha256: str | None, new_sha256: str, *, old_label: str = "old",
                         new_label: str = "new") -> RevisionReport:
    """Report of a dataset delivered as a file (no table): changed or not, by the sha256 of its bytes."""
    rows = [] if old_sha256 == new_sha256 else [{
        "change": "file_changed", "dimension": None, "old": old_sha256, "new": new_sha256, "rule": None,
        "detail": "sha256 of the file" if old_sha256 else "no previous vintage"}]
    structure = pd.DataFrame(rows, columns=STRUCTURE_COLUMNS).astype(object)
    summary = pd.DataFrame([{c: None for c in SUMMARY_COLUMNS} | {
        "dataset": dataset, "old_vintage": old_label, "new_vintage": new_label, "tolerance": 0.0}],
        columns=SUMMARY_COLUMNS)
    return RevisionReport(dataset, (), None, 0.0, pd.DataFrame(columns=REVISED_COLUMNS),
                          pd.DataFrame(columns=ADDED_COLUMNS), pd.DataFrame(columns=REMOVED_COLUMNS),
                          pd.DataFrame(columns=FLAG_COLUMNS), structure, summary,
                          ("a file dataset: compared by its sha256 only",))
