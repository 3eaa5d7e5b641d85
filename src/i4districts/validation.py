"""Project-wide declarative table validation (pandas/numpy only).

A :class:`TableSchema` declares what a table must look like; :func:`validate`
runs *every* check and raises one :class:`TableValidationError` that lists all
failures together (table/file, check, column, offending keys and values, first
few of each), or returns the frame unchanged.

Checks (each failure is a :class:`Failure` record):

* ``missing_column``  – a declared column is absent;
* ``dtype``           – a column does not hold its declared kind
  (``"str" | "int" | "float" | "bool" | "any"``);
* ``null_key`` / ``duplicate_key`` – keys must be non-null and unique;
* ``null_value``      – a column declared ``required`` holds nulls;
* ``negative``        – a ``non_negative`` column holds values < 0;
* ``undeclared_unit`` – a ``unit`` column holds a value that is not among
  the declared ``units``;
* ``not_allowed``     – a column holds values outside ``allowed``;
* ``share_sum``       – shares do not sum to ``total`` (default 1) within
  ``atol`` inside each group (:class:`ShareRule`);
* ``children_sum``    – children do not add up to their parent
  (:class:`HierarchyRule`, see :func:`children_sum_report`).

The children-add-up check ("additivity of a classification hierarchy",
Eurostat, *ESS guidelines on temporal disaggregation, benchmarking and
reconciliation*, 2018, §2) is ``parent_value - sum(children values)`` per
parent and group, compared with ``atol + rtol*|parent_value|``; it works for
NUTS (parent = code minus its last character) and for NACE aggregates
(explicit mapping child -> parent).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from i4districts.errors import InputError

__all__ = [
    "Failure",
    "HierarchyRule",
    "ShareRule",
    "TableSchema",
    "TableValidationError",
    "children_sum_report",
    "nuts_parent",
    "validate",
]

KINDS = ("str", "int", "float", "bool", "any")
MAX_EXAMPLES = 5


@dataclass(frozen=True)
class Failure:
    """One failed check: which table, which check, which column, which rows."""

    table: str
    check: str
    column: str | None
    message: str
    n_failing: int
    keys: list[Any] = field(default_factory=list)  # first few offending key tuples
    values: list[Any] = field(default_factory=list)  # first few offending values
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class TableValidationError(InputError):
    """All failures of one validation run; ``.failures`` holds the records."""

    def __init__(self, table: str, failures: Sequence[Failure], source: str | None = None):
        self.table = table
        self.source = source
        self.failures: list[Failure] = list(failures)
        where = f"table '{table}'" + (f" (file {source})" if source else "")
        lines = [f"{where} failed {len(self.failures)} check(s):"]
        for f in self.failures:
            col = f" column '{f.column}'" if f.column else ""
            lines.append(f"  - [{f.check}]{col}: {f.message}")
        super().__init__("\n".join(lines))

    def to_frame(self) -> pd.DataFrame:
        """The failures as a tidy DataFrame (one row per failure)."""
        return pd.DataFrame([f.to_dict() for f in self.failures])


@dataclass(frozen=True)
class ShareRule:
    """Shares in ``column`` must sum to ``total`` (± ``atol``) within each ``by`` group."""

    column: str
    by: tuple[str, ...] = ()
    total: float = 1.0
    atol: float = 1e-6


def nuts_parent(code: str) -> str | None:
    """Parent of a NUTS code: the code minus its last character (None for a country)."""
    code = str(code)
    return code[:-1] if len(code) > 2 else None


ParentOf = Mapping[str, str] | Callable[[str], str | None]


@dataclass(frozen=True)
class HierarchyRule:
    """Children of ``code_column`` must add up to their parent in ``value_column``.

    ``parent_of`` is a mapping child -> parent (its keys define the complete set
    of children of every parent) or a function (e.g. :func:`nuts_parent`; then
    the children are the codes present in the table). Comparison is made within
    each ``by`` group (e.g. sector, year), only where the parent is published;
    a parent with a missing or null child is reported ``incomplete`` and is not a
    failure. ``|parent - sum(children)| <= atol + rtol*|parent|`` passes.
    """

    code_column: str
    value_column: str
    parent_of: ParentOf
    by: tuple[str, ...] = ()
    atol: float = 0.5
    rtol: float = 0.0


@dataclass(frozen=True)
class TableSchema:
    """Declarative description of a table.

    ``columns`` maps column -> kind (``str``, ``int``, ``float``, ``bool``,
    ``any``); ``keys`` must be unique and non-null; ``units`` declares the units
    of value columns (e.g. ``{"employment": "persons"}``) and a column named
    ``unit_column`` (default ``"unit"``; ``None`` disables the check), if present, may hold only declared
    units; ``required`` columns may not hold nulls; ``allowed`` restricts a
    column to a set of values; ``strict`` forbids undeclared columns.
    """

    name: str
    keys: tuple[str, ...]
    columns: Mapping[str, str]
    non_negative: tuple[str, ...] = ()
    units: Mapping[str, str] = field(default_factory=dict)
    unit_column: str | None = "unit"
    required: tuple[str, ...] = ()
    allowed: Mapping[str, frozenset[Any] | tuple[Any, ...]] = field(default_factory=dict)
    shares: tuple[ShareRule, ...] = ()
    hierarchies: tuple[HierarchyRule, ...] = ()
    strict: bool = False

    def __post_init__(self) -> None:
        bad = {c: k for c, k in self.columns.items() if k not in KINDS}
        if bad:
            raise ValueError(f"schema '{self.name}': unknown column kind(s) {bad}; use one of {KINDS}")
        missing_keys = [k for k in self.keys if k not in self.columns]
        if missing_keys:
            raise ValueError(f"schema '{self.name}': key column(s) {missing_keys} not declared in columns")


# --------------------------------------------------------------------------- helpers


def _fmt(values: Iterable[Any]) -> str:
    return ", ".join(repr(_py(v)) for v in values)


def _py(v: Any) -> Any:
    if isinstance(v, tuple):
        return tuple(_py(x) for x in v)
    if isinstance(v, np.generic):
        return v.item()
    return v


def _key_tuples(df: pd.DataFrame, keys: Sequence[str], mask: pd.Series) -> list[Any]:
    present = [k for k in keys if k in df.columns]
    if not present:
        return [int(i) if isinstance(i, (int, np.integer)) else i for i in df.index[mask][:MAX_EXAMPLES]]
    sub = df.loc[mask, present].head(MAX_EXAMPLES)
    return [tuple(_py(v) for v in row) for row in sub.itertuples(index=False, name=None)]


def _kind_ok(s: pd.Series, kind: str) -> tuple[bool, pd.Series]:
    """(dtype acceptable, mask of offending non-null cells)."""
    none = pd.Series(False, index=s.index)
    if kind == "any":
        return True, none
    if kind == "bool":
        return pd.api.types.is_bool_dtype(s.dtype), none
    if kind == "int":
        return pd.api.types.is_integer_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype), none
    if kind == "float":
        ok = pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype)
        return ok, none
    # str: string dtype, or object holding only str (nulls allowed)
    if isinstance(s.dtype, pd.StringDtype):
        return True, none
    if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
        bad = s.notna() & ~s.map(lambda v: isinstance(v, str))
        return not bool(bad.any()), bad
    return False, none


def children_sum_report(df: pd.DataFrame, rule: HierarchyRule) -> pd.DataFrame:
    """Parent vs sum of children, per parent and ``rule.by`` group.

    Formula: ``difference = parent_value - sum(child values)``; ``status`` is
    ``ok`` when ``|difference| <= atol + rtol*|parent_value|``, ``mismatch``
    otherwise, ``incomplete`` when a child (as defined by ``parent_of``) is
    absent or null, or the parent value is null. Only parents that appear in
    the table and have at least one child row are reported.

    Columns: *by..., parent, parent_value, children_sum, n_children,
    n_children_missing, difference, status*.
    """
    code, val, by = rule.code_column, rule.value_column, list(rule.by)
    cols = [*by, "parent", "parent_value", "children_sum", "n_children", "n_children_missing", "difference", "status"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    codes = df[code].astype(str)
    if callable(rule.parent_of):
        parent = codes.map(rule.parent_of)
        expected: dict[str, set[str]] | None = None
    else:
        mapping = dict(rule.parent_of)
        parent = codes.map(mapping)
        expected = {}
        for c, p in mapping.items():
            expected.setdefault(p, set()).add(c)
    work = df[by].copy() if by else pd.DataFrame(index=df.index)
    work["_code"] = codes
    work["_parent"] = parent
    work["_value"] = pd.to_numeric(df[val], errors="coerce").astype(float)

    parents = work[[*by, "_code", "_value"]].rename(columns={"_code": "parent", "_value": "parent_value"})
    children = work[work["_parent"].notna()].copy()
    children["_null"] = children["_value"].isna().astype(int)
    g = children.groupby([*by, "_parent"], dropna=False, sort=True)
    summed = pd.DataFrame({
        "children_sum": g["_value"].sum(min_count=0).astype(float),
        "n_children": g["_code"].nunique(),
        "_n_null": g["_null"].sum(),
    }).reset_index().rename(columns={"_parent": "parent"})
    absent = 0
    if expected is not None:
        n_expected = summed["parent"].map({p: len(cs) for p, cs in expected.items()}).fillna(0).astype(int)
        absent = (n_expected - summed["n_children"]).clip(lower=0)
    summed["n_children_missing"] = absent + summed["_n_null"]
    summed = summed.drop(columns="_n_null")
    out = parents.merge(summed, on=[*by, "parent"], how="inner")
    out["difference"] = out["parent_value"] - out["children_sum"]
    tol = rule.atol + rule.rtol * out["parent_value"].abs()
    status = np.where(out["difference"].abs() <= tol, "ok", "mismatch")
    incomplete = (out["n_children_missing"] > 0) | out["parent_value"].isna()
    out["status"] = np.where(incomplete, "incomplete", status)
    return out[cols].reset_index(drop=True)


# --------------------------------------------------------------------------- validate


def validate(df: pd.DataFrame, schema: TableSchema, *, source: str | None = None) -> pd.DataFrame:
    """Run every check of ``schema`` on ``df``; return ``df`` unchanged or raise.

    Raises :class:`TableValidationError` (a ``ValueError``) listing *all*
    failures, each naming table (and ``source`` file), column, keys and the
    first few offending values.
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"validate({schema.name!r}): expected a pandas DataFrame, got {type(df).__name__}")
    t = schema.name
    fails: list[Failure] = []

    def add(check: str, column: str | None, message: str, n: int, keys=(), values=()) -> None:
        fails.append(Failure(t, check, column, message, int(n), [*keys], [_py(v) for v in values], source))

    keys = list(schema.keys)
    # columns present and typed
    missing = [c for c in schema.columns if c not in df.columns]
    for c in missing:
        add("missing_column", c, f"declared column '{c}' is absent (present: {list(df.columns)[:20]})", len(df))
    if schema.strict:
        extra = [c for c in df.columns if c not in schema.columns]
        if extra:
            add("extra_column", None, f"undeclared column(s) {extra} in a strict schema", len(extra), values=extra)
    for c, kind in schema.columns.items():
        if c in missing:
            continue
        ok, bad = _kind_ok(df[c], kind)
        if not ok:
            n = int(bad.sum()) if bad.any() else len(df)
            vals = df.loc[bad, c].head(MAX_EXAMPLES).tolist() if bad.any() else []
            extra = f"; offending values: {_fmt(vals)}" if vals else ""
            add("dtype", c, f"expected kind '{kind}', got dtype {df[c].dtype}{extra}", n,
                keys=_key_tuples(df, keys, bad) if bad.any() else (), values=vals)

    present_keys = [k for k in keys if k in df.columns]
    # keys
    for k in present_keys:
        m = df[k].isna()
        if m.any():
            add("null_key", k, f"{int(m.sum())} null key value(s) at rows {list(df.index[m][:MAX_EXAMPLES])}",
                int(m.sum()), keys=_key_tuples(df, keys, m))
    if present_keys and len(present_keys) == len(keys):
        dup = df.duplicated(subset=keys, keep=False)
        if dup.any():
            ex = _key_tuples(df, keys, dup & ~df.duplicated(subset=keys, keep="first"))
            n = int(df.loc[dup].drop_duplicates(subset=keys).shape[0])
            add("duplicate_key", ",".join(keys), f"{n} duplicated key(s) ({', '.join(keys)}), first: {_fmt(ex)}",
                n, keys=ex)
    # required non-null
    for c in schema.required:
        if c in df.columns:
            m = df[c].isna()
            if m.any():
                ks = _key_tuples(df, keys, m)
                add("null_value", c, f"{int(m.sum())} null value(s) at keys {_fmt(ks)}", int(m.sum()), keys=ks)
    # non-negative
    for c in schema.non_negative:
        if c not in df.columns:
            if c not in missing:
                add("missing_column", c, f"non-negative column '{c}' is absent", len(df))
            continue
        if not pd.api.types.is_numeric_dtype(df[c].dtype) or pd.api.types.is_bool_dtype(df[c].dtype):
            if schema.columns.get(c) not in ("int", "float"):  # else already reported as a dtype failure
                add("dtype", c, f"non-negative column must be numeric, got dtype {df[c].dtype}", len(df))
            continue
        m = (df[c] < 0).fillna(False).astype(bool)
        if m.any():
            ks, vs = _key_tuples(df, keys, m), df.loc[m, c].head(MAX_EXAMPLES).tolist()
            add("negative", c, f"{int(m.sum())} negative value(s): "
                + ", ".join(f"{k!r}={_py(v)!r}" for k, v in zip(ks, vs)), int(m.sum()), ks, vs)
    # units
    uc = schema.unit_column
    if uc is not None and uc in df.columns:
        declared = set(schema.units.values())
        m = df[uc].notna() & ~df[uc].isin(declared)
        if not declared:
            m = df[uc].notna()
        if m.any():
            vs = list(pd.unique(df.loc[m, uc]))[:MAX_EXAMPLES]
            add("undeclared_unit", uc, f"{int(m.sum())} row(s) with undeclared unit(s) {_fmt(vs)}; "
                f"declared: {sorted(declared)}", int(m.sum()), _key_tuples(df, keys, m), vs)
    # allowed values
    for c, allowed in schema.allowed.items():
        if c in df.columns:
            m = df[c].notna() & ~df[c].isin(list(allowed))
            if m.any():
                vs = list(pd.unique(df.loc[m, c]))[:MAX_EXAMPLES]
                add("not_allowed", c, f"{int(m.sum())} value(s) outside the allowed set: {_fmt(vs)}",
                    int(m.sum()), _key_tuples(df, keys, m), vs)
    # shares
    for r in schema.shares:
        need = [r.column, *r.by]
        if any(c not in df.columns for c in need):
            add("share_sum", r.column, f"share rule needs columns {need}", len(df))
            continue
        if r.by:
            g = df.groupby(list(r.by), dropna=False, sort=True)[r.column]
            sums, nnull = g.sum(min_count=0), g.apply(lambda s: int(s.isna().sum()))
        else:
            sums = pd.Series([df[r.column].sum()], index=[()])
            nnull = pd.Series([int(df[r.column].isna().sum())], index=[()])
        bad = ((sums - r.total).abs() > r.atol) | (nnull > 0)
        if bad.any():
            gk = [k if isinstance(k, tuple) else (k,) for k in sums.index[bad][:MAX_EXAMPLES]]
            vs = sums[bad].head(MAX_EXAMPLES).tolist()
            add("share_sum", r.column, f"{int(bad.sum())} group(s) by {list(r.by)} whose shares do not sum to "
                f"{r.total} ± {r.atol} (or hold nulls): " + ", ".join(f"{k!r}: {v:.6g}" for k, v in zip(gk, vs)),
                int(bad.sum()), [_py(k) for k in gk], vs)
    # hierarchies
    for h in schema.hierarchies:
        need = [h.code_column, h.value_column, *h.by]
        if any(c not in df.columns for c in need):
            add("children_sum", h.value_column, f"hierarchy rule needs columns {need}", len(df))
            continue
        rep = children_sum_report(df, h)
        bad = rep[rep["status"] == "mismatch"]
        if len(bad):
            ex = bad.head(MAX_EXAMPLES)
            gk = [tuple(_py(v) for v in row) for row in ex[[*h.by, "parent"]].itertuples(index=False, name=None)]
            desc = ", ".join(f"{k!r}: parent {p:.6g} vs children {c:.6g} (diff {d:.6g})" for k, p, c, d in
                             zip(gk, ex["parent_value"], ex["children_sum"], ex["difference"]))
            add("children_sum", h.value_column, f"{len(bad)} parent(s) not equal to the sum of their children "
                f"(atol={h.atol}, rtol={h.rtol}): {desc}", len(bad), gk, ex["difference"].tolist())
    if fails:
        raise TableValidationError(t, fails, source)
    return df
