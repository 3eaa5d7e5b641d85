"""NUTS version detection and conversion with change reports.

Conversion formula (Eurostat correspondence, see :mod:`.correspondence`): for
a target region ``t``, ``value_t = Σ_s w(s→t) · value_s`` over its source
regions ``s``, where ``w(s→t)`` is the share of ``s`` lying in ``t``
(``Σ_t w(s→t) = 1``). Recodes and merges have ``w = 1``; boundary shifts are
carried with ``w = 1`` and flagged (approximate) unless refused; splits need
weights, given by the caller (:func:`weights_from_parts`, e.g. municipal
population by old and new region) or estimated from a year published in both
versions (:func:`weights_from_overlap`), otherwise the conversion is refused
(or, on request, the target is NaN and flagged ``needs_weights``).

Every conversion returns ``(converted, change_report)``; the report is tidy:
``code_from, code_to, rule, weight, value_moved`` (+ the ``by`` columns and
``variable``), one row per changed link and group. Nothing is dropped
silently: a discontinued region's value appears in the report with
``code_to`` null.

Reference: Eurostat (2020), *Statistical regions in the European Union and
partner countries – NUTS and statistical regions 2021*, ch. 2 (changes
between versions); Eurostat NUTS correspondence tables.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from i4districts.harmonize import HarmonizeError
from i4districts.harmonize.correspondence import RULES, Correspondence
from i4districts.validation import TableSchema, validate

__all__ = [
    "NUTS_SHAPE",
    "NutsVersionError",
    "REPORT_COLUMNS",
    "VersionDetection",
    "check_nuts_version",
    "check_table_nuts_version",
    "convert_nuts",
    "detect_nuts_version",
    "flag_nuts_version",
    "version_code_sets",
    "weights_from_overlap",
    "weights_from_parts",
]

REPORT_COLUMNS = ["code_from", "code_to", "rule", "weight", "value_moved"]
_FEW = 8


class NutsVersionError(HarmonizeError):
    """A table's NUTS codes do not fit one version (mixed or unknown codes)."""


def _few(xs: Iterable) -> list:
    return sorted(map(str, xs))[:_FEW]


def version_code_sets(*corrs: Correspondence) -> dict[str, frozenset[str]]:
    """Code list of every NUTS version named by the correspondences (union)."""
    out: dict[str, set[str]] = {}
    for c in corrs:
        out.setdefault(c.from_version, set()).update(c.codes_from)
        out.setdefault(c.to_version, set()).update(c.codes_to)
    return {v: frozenset(s) for v, s in sorted(out.items())}


@dataclass(frozen=True)
class VersionDetection:
    """Result of :func:`detect_nuts_version`.

    ``version``: the detected version (the newest of ``candidates`` when the
    codes fit several, e.g. Italy outside Sardinia fits 2016 and 2021);
    ``foreign``: codes of the table not in ``version``, with the versions that
    do contain them; ``unknown``: codes in no version.
    """

    version: str | None
    candidates: tuple[str, ...]
    foreign: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    unknown: tuple[str, ...] = ()

    @property
    def mixed(self) -> bool:
        return not self.candidates


def detect_nuts_version(
    codes: Iterable[str],
    versions: Mapping[str, frozenset[str]],
    *,
    on_mixed: str = "raise",
    table: str = "table",
) -> VersionDetection:
    """Detect the NUTS version of a set of codes.

    A version is a candidate when it contains every code. With no candidate the
    table mixes versions: ``on_mixed="raise"`` (default) raises
    :class:`NutsVersionError` naming the codes specific to each version;
    ``on_mixed="majority"`` picks the version containing most codes and lists
    the others in ``foreign``. Codes in no version always raise unless
    ``on_mixed="majority"``.
    """
    codes = sorted({str(c) for c in codes if isinstance(c, str) and c})
    if on_mixed not in ("raise", "majority"):
        raise ValueError(f"on_mixed must be 'raise' or 'majority', not {on_mixed!r}")
    where = {c: tuple(v for v, s in versions.items() if c in s) for c in codes}
    unknown = tuple(c for c, vs in where.items() if not vs)
    candidates = tuple(v for v, s in versions.items() if all(c in s for c in codes))
    if candidates:
        return VersionDetection(candidates[-1], candidates, {}, ())
    if on_mixed == "raise":
        parts = []
        for v, s in versions.items():
            only = [c for c in codes if where[c] == (v,)]
            if only:
                parts.append(f"only in NUTS {v}: {_few(only)}" + (f" (+{len(only) - _FEW} more)" if len(only) > _FEW else ""))
        if unknown:
            parts.append(f"in no known version: {_few(unknown)}")
        raise NutsVersionError(
            f"{table}: NUTS codes do not fit a single version ({', '.join(versions)}); "
            + "; ".join(parts) + ". Convert the table first or call with on_mixed='majority' to flag the misfits."
        )
    counts = {v: sum(c in s for c in codes) for v, s in versions.items()}
    best = max(counts, key=lambda v: (counts[v], v))
    foreign = {c: where[c] for c in codes if c not in versions[best]}
    return VersionDetection(best, (), foreign, unknown)


def flag_nuts_version(
    df: pd.DataFrame,
    version: str,
    versions: Mapping[str, frozenset[str]],
    *,
    code_col: str = "region",
    flag_col: str = "flag",
) -> pd.DataFrame:
    """Flag (never drop) rows whose code is not in NUTS ``version``.

    The flag is ``nuts<v>_code`` when the code belongs to other version(s)
    ``v`` (e.g. ``nuts2021_code`` in a 2016 panel) or ``unknown_nuts_code``;
    flags are appended to an existing ``flag_col`` with ``;``.
    """
    if version not in versions:
        raise HarmonizeError(f"unknown NUTS version {version!r}; known: {list(versions)}")
    own = versions[version]

    def flag(code) -> str:
        if code in own:
            return ""
        others = [v for v, s in versions.items() if code in s]
        return ";".join(f"nuts{v}_code" for v in others) or "unknown_nuts_code"

    out = df.copy()
    new = out[code_col].map(flag)
    old = out[flag_col].fillna("").astype(str) if flag_col in out else pd.Series("", index=out.index)
    out[flag_col] = [";".join(x for x in (a, b) if x) for a, b in zip(old, new)]
    return out


#: Shape of a NUTS code (country letters, then up to three level characters).
NUTS_SHAPE = r"[A-Z]{2}[0-9A-Z]{0,3}"


def check_nuts_version(
    codes: Iterable[str],
    versions: Mapping[str, frozenset[str]],
    version: str | None = None,
    *,
    table: str = "table",
) -> str:
    """The NUTS version of a table's region codes, refusing any code that does not fit it.

    With ``version`` (e.g. ``"2016"``) every code must be in that version:
    foreign codes are found with :func:`flag_nuts_version` and raise
    :class:`NutsVersionError` (an :class:`~i4districts.errors.InputError`)
    naming them and the version(s) they belong to (``nuts2021_code``).
    Without ``version`` the version is detected (:func:`detect_nuts_version`)
    and a table mixing versions raises. Returns the version.
    """
    uniq = sorted({str(c) for c in codes})
    if version is None:
        return str(detect_nuts_version(uniq, versions, on_mixed="raise", table=table).version)
    flagged = flag_nuts_version(pd.DataFrame({"region": uniq}), str(version), versions, code_col="region")
    bad = flagged[flagged["flag"] != ""]
    if len(bad):
        shown = [f"{c} ({f})" for c, f in zip(bad["region"], bad["flag"])]
        raise NutsVersionError(
            f"{table}: {len(bad)} region code(s) are not NUTS {version}: {shown[:_FEW]}"
            + (f" (+{len(bad) - _FEW} more)" if len(bad) > _FEW else "")
            + "; convert the table first (i4d data nuts-convert)")
    return str(version)


def check_table_nuts_version(
    codes: Iterable[str],
    *,
    version: str | None = None,
    sheets: Sequence[str | os.PathLike[str]] | None = None,
    table: str = "table",
) -> str | None:
    """:func:`check_nuts_version` on a table's region codes, with the code lists found for the caller.

    Code lists come from Eurostat change ``sheets`` or, by default, from the
    detailed sheets in ``$I4D_SHARED_DATA/nuts`` (:func:`find_change_sheets`).
    Codes that are not NUTS-shaped (SLL, municipalities) are not checked and
    give ``None`` (an error if ``version`` was asked for). Without code lists
    a requested ``version`` raises; otherwise a warning says the check was
    skipped (never silently). Returns the version found.
    """
    from i4districts.harmonize.correspondence import find_change_sheets, read_change_sheets

    uniq = sorted({str(c) for c in codes})
    not_nuts = [c for c in uniq if not re.fullmatch(NUTS_SHAPE, c)]
    if not uniq or not_nuts:
        if version is not None:
            raise NutsVersionError(f"{table}: NUTS {version} requested but the region codes are not NUTS codes, "
                                   f"e.g. {_few(not_nuts)}")
        return None
    if not sheets and os.environ.get("I4D_SHARED_DATA"):
        sheets = find_change_sheets(Path(os.environ["I4D_SHARED_DATA"]) / "nuts")
    if not sheets:
        if version is not None:
            raise NutsVersionError(f"{table}: checking NUTS {version} needs the NUTS code lists: give Eurostat "
                                   "change sheets (--correspondence) or set I4D_SHARED_DATA")
        warnings.warn(f"{table}: NUTS version of the region codes not checked (no change sheets: give "
                      "--correspondence or set I4D_SHARED_DATA)", stacklevel=2)
        return None
    versions = version_code_sets(*read_change_sheets(sheets))
    return check_nuts_version(uniq, versions, version, table=table)


# --------------------------------------------------------------------------- weights


def weights_from_parts(parts: pd.DataFrame, *, from_col: str = "code_from", to_col: str = "code_to",
                       value_col: str = "value") -> pd.DataFrame:
    """Split weights from a table of parts: ``w(s→t) = part(s∩t) / Σ_t part(s∩t)``.

    ``parts`` holds e.g. the population of each municipality with its old
    (``from_col``) and new (``to_col``) region; it is summed per pair.
    Returns ``code_from, code_to, weight``.
    """
    missing = [c for c in (from_col, to_col, value_col) if c not in parts]
    if missing:
        raise HarmonizeError(f"weights_from_parts: parts table lacks column(s) {missing}")
    bad = parts[parts[value_col].isna() | (parts[value_col] < 0)]
    if len(bad):
        raise HarmonizeError(f"weights_from_parts: column '{value_col}' has null or negative values at "
                             f"{bad[[from_col, to_col]].head(_FEW).values.tolist()}")
    g = parts.groupby([from_col, to_col], as_index=False)[value_col].sum()
    tot = g.groupby(from_col)[value_col].transform("sum")
    if (tot <= 0).any():
        raise HarmonizeError(f"weights_from_parts: zero total for {_few(g.loc[tot <= 0, from_col])}")
    return pd.DataFrame({"code_from": g[from_col], "code_to": g[to_col], "weight": g[value_col] / tot})


def weights_from_overlap(corr: Correspondence, new_values: pd.DataFrame, *, code_col: str = "region",
                         value_col: str = "value") -> pd.DataFrame:
    """Split weights from a year published in the new version: ``w(s→t) = v_t / Σ_t' v_t'``.

    Identified only for pure splits, i.e. when every target ``t`` of a split
    source ``s`` has ``s`` as its only source; other splits raise.
    ``new_values``: one value per new-version code (e.g. employment in the
    overlap year).
    """
    links = corr.links.dropna(subset=["code_from", "code_to"])
    split = links[links["rule"] == "split"]
    n_in = links.groupby("code_to")["code_from"].nunique()
    vals = new_values.drop_duplicates(code_col).set_index(code_col)[value_col]
    rows, bad = [], []
    for s, g in split.groupby("code_from"):
        targets = list(g["code_to"])
        if any(n_in[t] > 1 for t in targets) or any(t not in vals.index or pd.isna(vals[t]) for t in targets):
            bad.append(s)
            continue
        tot = float(vals[targets].sum())
        rows += [(s, t, float(vals[t]) / tot) for t in targets]
    if bad:
        raise HarmonizeError(
            f"weights_from_overlap: split weights not identified for {_few(bad)} (targets with several sources "
            "or no published value); supply weights from parts (e.g. municipal population)")
    return pd.DataFrame(rows, columns=["code_from", "code_to", "weight"])


# --------------------------------------------------------------------------- conversion


def _link_table(corr: Correspondence, weights: pd.DataFrame | None, boundary_shift: str) -> pd.DataFrame:
    links = corr.links.dropna(subset=["code_from", "code_to"])[["code_from", "code_to", "rule", "weight"]].copy()
    if boundary_shift == "require_weights":
        links.loc[links["rule"] == "boundary_shift", "weight"] = np.nan
    elif boundary_shift != "approximate":
        raise ValueError(f"boundary_shift must be 'approximate' or 'require_weights', not {boundary_shift!r}")
    links["weighted"] = False
    if weights is not None and len(weights):
        need = {"code_from", "code_to", "weight"} - set(weights.columns)
        if need:
            raise HarmonizeError(f"weights table lacks column(s) {sorted(need)}")
        w = weights[["code_from", "code_to", "weight"]]
        known = links.set_index(["code_from", "code_to"]).index
        extra = w[~w.set_index(["code_from", "code_to"]).index.isin(known)]
        if len(extra):
            raise HarmonizeError(f"weights given for pairs that are not links of NUTS {corr.from_version}->"
                                 f"{corr.to_version}: {extra.head(_FEW).values.tolist()}")
        sums = w.groupby("code_from")["weight"].sum()
        off = sums[(sums - 1).abs() > 1e-6]
        if len(off):
            raise HarmonizeError(f"weights must sum to 1 per code_from; got {off.head(_FEW).round(6).to_dict()}")
        # a code_from listed in `weights` gets weight 0 on its links that are not listed
        covered = links["code_from"].isin(w["code_from"])
        links = links.merge(w.rename(columns={"weight": "_w"}), on=["code_from", "code_to"], how="left")
        links.loc[covered.values, "weight"] = links.loc[covered.values, "_w"].fillna(0.0)
        links.loc[covered.values, "weighted"] = True
        links = links.drop(columns="_w")
    return links


def convert_nuts(
    df: pd.DataFrame,
    corr: Correspondence,
    *,
    code_col: str = "region",
    value_cols: Sequence[str] = ("value",),
    by: Sequence[str] = (),
    weights: pd.DataFrame | None = None,
    missing_weights: str = "raise",
    boundary_shift: str = "approximate",
    foreign_codes: str = "raise",
    table: str = "table",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Convert a table from ``corr.from_version`` to ``corr.to_version``.

    ``value_t = Σ_s w(s→t)·value_s`` per ``by`` group (counts only: do not
    convert rates or shares). A NaN source value makes its targets NaN; a
    target one of whose contributing sources is absent from a group is NaN
    with flag ``missing_source`` (the present sources' values are in the report).
    ``missing_weights``: ``"raise"`` (default) refuses a split without weights,
    ``"flag"`` sets the targets to NaN with flag ``needs_weights``.
    ``boundary_shift``: ``"approximate"`` (w = 1, flag ``boundary_shift``) or
    ``"require_weights"``. ``foreign_codes``: codes not in the source version
    ``"raise"`` (default) or are kept unchanged with flag
    ``nuts<v>_code`` (``"keep"``; refused if the same target is also produced
    by conversion). Returns ``(converted, report)``; ``converted`` has columns
    ``code_col, *by, *value_cols, flag``.
    """
    by, value_cols = list(by), list(value_cols)
    cols = [code_col, *by, *value_cols]
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise HarmonizeError(f"{table}: missing column(s) {missing}")
    extra = [c for c in df.columns if c not in cols]
    if extra:
        raise HarmonizeError(f"{table}: column(s) {extra} are neither code, by nor value columns; put categorical "
                             "columns in `by` or drop them explicitly before converting")
    if missing_weights not in ("raise", "flag"):
        raise ValueError(f"missing_weights must be 'raise' or 'flag', not {missing_weights!r}")
    validate(df, _table_schema(table, code_col, by, value_cols))

    codes = set(df[code_col].astype(str))
    foreign = sorted(codes - set(corr.codes_from))
    if foreign and foreign_codes == "raise":
        in_target = [c for c in foreign if c in corr.codes_to]
        raise NutsVersionError(
            f"{table}: column '{code_col}' holds code(s) that are not NUTS {corr.from_version}: {_few(foreign)}"
            + (f" ({_few(in_target)} are NUTS {corr.to_version})" if in_target else "")
            + "; pass foreign_codes='keep' to carry them unchanged and flagged")
    if foreign_codes not in ("raise", "keep"):
        raise ValueError(f"foreign_codes must be 'raise' or 'keep', not {foreign_codes!r}")

    all_links = _link_table(corr, weights, boundary_shift)
    contributing = all_links[all_links["weight"].fillna(1.0) != 0]
    n_sources = contributing.groupby("code_to")["code_from"].nunique()
    links = all_links[all_links["code_from"].isin(codes)]
    unweighted = links[links["weight"].isna()]
    if len(unweighted) and missing_weights == "raise":
        desc = "; ".join(f"{s} -> {sorted(g['code_to'])}" for s, g in list(unweighted.groupby("code_from"))[:_FEW])
        raise HarmonizeError(
            f"{table}: NUTS {corr.from_version}->{corr.to_version} splits need weights, none given for: {desc}. "
            "Pass weights=(code_from, code_to, weight) (see weights_from_parts / weights_from_overlap) or "
            "missing_weights='flag' to leave the targets NaN and flagged")

    data = df[cols].copy()
    data[code_col] = data[code_col].astype(str)
    m = data.merge(links, left_on=code_col, right_on="code_from", how="inner")
    flags = np.where(m["weight"].isna(), "needs_weights",
                     np.where(m["weighted"], "split_weights",
                              np.where(m["rule"] == "boundary_shift", "boundary_shift", "")))
    m["_flag"] = flags
    parts = []
    for v in value_cols:
        m[f"_{v}"] = m[v].astype(float) * m["weight"]
        m[f"_nan_{v}"] = m[f"_{v}"].isna().astype(int)
    grp = m.groupby(["code_to", *by], dropna=False, sort=True)
    conv = grp[[f"_{v}" for v in value_cols]].sum(min_count=1)
    nan_any = grp[[f"_nan_{v}" for v in value_cols]].sum().to_numpy() > 0
    conv = conv.mask(nan_any)
    conv.columns = value_cols
    # a target missing one of its contributing sources in a group would be understated: NaN + flag
    contrib = m["weight"].fillna(1.0) != 0
    present = m[contrib].groupby(["code_to", *by], dropna=False, sort=True)["code_from"].nunique()
    present = present.reindex(conv.index, fill_value=0)
    expected = pd.Series(conv.index.get_level_values(0) if by else conv.index, index=conv.index).map(n_sources)
    short = (present < expected).to_numpy()
    conv.loc[short, :] = np.nan
    flag = grp["_flag"].apply(lambda s: ";".join(sorted({x for x in s if x})))
    conv["flag"] = [";".join(x for x in (f, "missing_source" if sh else "") if x) for f, sh in zip(flag, short)]
    conv = conv.reset_index().rename(columns={"code_to": code_col})
    parts.append(conv)

    if foreign:
        kept = data[data[code_col].isin(foreign)].copy()
        clash = sorted(set(kept[code_col]) & set(conv[code_col]))
        if clash:
            raise NutsVersionError(f"{table}: code(s) {_few(clash)} are present as NUTS {corr.to_version} codes and "
                                   "also produced by the conversion; refusing to add them up")
        kept["flag"] = kept[code_col].map(lambda c: f"nuts{corr.to_version}_code" if c in corr.codes_to
                                          else "unknown_nuts_code")
        parts.append(kept[[code_col, *by, *value_cols, "flag"]])

    # new regions without a source, in the countries of the table: explicit NaN rows
    countries = {c[:2] for c in codes}
    newr = corr.links[corr.links["code_from"].isna() & corr.links["code_to"].notna()]
    newr = sorted(c for c in newr["code_to"] if c[:2] in countries and c not in set(conv[code_col]))
    groups = data[by].drop_duplicates() if by else pd.DataFrame(index=[0])
    if newr:
        nr = groups.merge(pd.DataFrame({code_col: newr}), how="cross")
        for v in value_cols:
            nr[v] = np.nan
        nr["flag"] = "new_no_source"
        parts.append(nr[[code_col, *by, *value_cols, "flag"]])
    out = pd.concat(parts, ignore_index=True).sort_values([code_col, *by], kind="stable").reset_index(drop=True)

    # change report
    changed = m[m["rule"] != "unchanged"]
    rep = []
    for v in value_cols:
        r = changed[["code_from", "code_to", "rule", "weight", *by]].copy()
        r["value_moved"] = changed[f"_{v}"].values
        r["variable"] = v
        rep.append(r)
    disc = corr.links[corr.links["code_to"].isna() & corr.links["code_from"].isin(codes)]["code_from"]
    if len(disc):
        d = data[data[code_col].isin(disc)]
        for v in value_cols:
            rep.append(pd.DataFrame({"code_from": d[code_col].values, "code_to": None, "rule": "discontinued",
                                     "weight": np.nan, **{b: d[b].values for b in by},
                                     "value_moved": d[v].values, "variable": v}))
    if newr:
        for v in value_cols:
            nr = groups.merge(pd.DataFrame({"code_to": newr}), how="cross")
            nr["code_from"], nr["rule"], nr["weight"], nr["value_moved"], nr["variable"] = None, "new", np.nan, np.nan, v
            rep.append(nr)
    report_cols = [*REPORT_COLUMNS, *by, "variable"]
    report = (pd.concat(rep, ignore_index=True)[report_cols] if rep else pd.DataFrame(columns=report_cols))
    report = report.sort_values(["variable", "code_from", "code_to", *by], na_position="last",
                                kind="stable").reset_index(drop=True)
    report["weight"] = report["weight"].astype(float)
    report["value_moved"] = report["value_moved"].astype(float)
    validate(out, _table_schema(f"{table} (NUTS {corr.to_version})", code_col, by, value_cols, flag=True))
    validate(report, REPORT_SCHEMA, source=f"change report of {table}")
    return out, report


REPORT_SCHEMA = TableSchema(
    name="NUTS change report",
    keys=(),
    columns={"code_from": "any", "code_to": "any", "rule": "str", "weight": "float", "value_moved": "float"},
    required=("rule",),
    allowed={"rule": RULES},
)


def _table_schema(name: str, code_col: str, by: Sequence[str], value_cols: Sequence[str], *,
                  flag: bool = False) -> TableSchema:
    return TableSchema(
        name=name, keys=(code_col, *by),
        columns={code_col: "str", **{b: "any" for b in by}, **{v: "float" for v in value_cols},
                 **({"flag": "str"} if flag else {})},
        strict=True,
    )
