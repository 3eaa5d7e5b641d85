"""Safe, vectorised evaluation of declarative sector expressions (no ``eval``).

Used for ``sector_cluster`` such as the 3-digit code ``floor(sector/10)`` or
``substr(sector, 0, 3)`` for string codes. The expression is parsed with
:mod:`ast` and only a whitelist is interpreted:

* names: ``sector`` and the columns of the sector table;
* literals: numbers and strings;
* operators: ``+ - * / // %`` and unary ``-``;
* functions: ``floor``, ``ceil``, ``abs``, ``round``, ``int``, ``str``,
  ``substr(x, start, length)`` (0-based), ``left(x, n)``.

Anything else (attributes, subscripts, lambdas, comprehensions, other calls)
raises :class:`~i4districts.shiftshare.errors.SpecError`.

Bounds (an expression comes from a spec file and must not exhaust memory):
the expression is at most :data:`MAX_EXPRESSION_CHARS` characters; ``*``
takes numbers only (``'x' * 99999999999`` would build a 100 GB string);
no text result may exceed :data:`MAX_TEXT_CHARS` characters; overflow and
division by zero are reported as :class:`SpecError` too.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from i4districts.shiftshare.errors import SpecError

#: Longest expression accepted (sector cluster expressions are a few dozen characters).
MAX_EXPRESSION_CHARS = 500
#: Longest text value an expression may produce.
MAX_TEXT_CHARS = 1000

_BINOPS: dict[type, Callable] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
}


def _as_num(x: pd.Series) -> pd.Series:
    return pd.to_numeric(x, errors="raise")


def _substr(x: pd.Series, start: int, length: int) -> pd.Series:
    return x.astype(str).str.slice(int(start), int(start) + int(length))


_FUNCS: dict[str, Callable] = {
    "floor": lambda x: np.floor(_as_num(x)),
    "ceil": lambda x: np.ceil(_as_num(x)),
    "abs": lambda x: np.abs(_as_num(x)),
    "round": lambda x, nd=0: np.round(_as_num(x), int(nd)),
    "int": lambda x: np.trunc(_as_num(x)).astype("int64"),
    "str": lambda x: x.astype(str),
    "substr": _substr,
    "left": lambda x, n: x.astype(str).str.slice(0, int(n)),
}


def _is_text(x: object) -> bool:
    if isinstance(x, str):
        return True
    return isinstance(x, pd.Series) and not (pd.api.types.is_numeric_dtype(x) and not pd.api.types.is_bool_dtype(x))


def _holds_text(x: object) -> bool:
    """A text constant, or a column holding any text value."""
    if isinstance(x, str):
        return True
    if isinstance(x, pd.Series) and _is_text(x):
        return pd.api.types.is_string_dtype(x) and x.dtype != object or any(isinstance(v, str) for v in x)
    return False


def _text_length(x: object) -> int:
    if isinstance(x, str):
        return len(x)
    if isinstance(x, pd.Series) and len(x) and (x.dtype == object or pd.api.types.is_string_dtype(x)):
        lengths = x.astype("string").str.len()
        return int(lengths.max()) if lengths.notna().any() else 0
    return 0


def evaluate_expression(expr: str, columns: Mapping[str, pd.Series], *, field: str) -> pd.Series:
    """Evaluate ``expr`` over the given columns (Series of equal length).

    Raises :class:`SpecError` naming ``field`` on any disallowed construct,
    unknown name, or result beyond the bounds in the module docstring.
    """
    if not isinstance(expr, str):
        raise SpecError("spec", field, "must be an expression string", [expr])
    if len(expr) > MAX_EXPRESSION_CHARS:
        raise SpecError("spec", field, f"is longer than {MAX_EXPRESSION_CHARS} characters",
                        [expr[:60] + "..."])
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError as exc:
        raise SpecError("spec", field, f"is not a valid expression ({exc.msg})", [expr]) from None
    except (RecursionError, MemoryError):
        raise SpecError("spec", field, "is nested too deeply", [expr[:60]]) from None

    def bounded(out):
        if _text_length(out) > MAX_TEXT_CHARS:
            raise SpecError("spec", field, f"builds text longer than {MAX_TEXT_CHARS} characters", [expr[:60]])
        return out

    def ev(node: ast.AST):
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str)) \
                and not isinstance(node.value, bool):
            return node.value
        if isinstance(node, ast.Name):
            if node.id not in columns:
                raise SpecError("spec", field, f"uses unknown name (known: {sorted(columns)})",
                                [node.id])
            return columns[node.id]
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            left, right = ev(node.left), ev(node.right)
            if isinstance(node.op, ast.Mult):
                # numbers only: 'x' * 99999999999 (or text column * n) would repeat text
                # until memory runs out
                if _holds_text(left) or _holds_text(right):
                    raise SpecError("spec", field, "multiplies text ('*' takes numbers only)", [expr[:60]])
                left = _as_num(left) if _is_text(left) else left
                right = _as_num(right) if _is_text(right) else right
            if isinstance(node.op, (ast.Div, ast.FloorDiv, ast.Mod)):
                left = _as_num(left) if isinstance(left, pd.Series) else left
            return bounded(_BINOPS[type(node.op)](left, right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            v = ev(node.operand)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in _FUNCS and not node.keywords:
            return bounded(_FUNCS[node.func.id](*[ev(a) for a in node.args]))
        raise SpecError("spec", field, "uses a construct that is not allowed",
                        [ast.dump(node)[:60]])

    try:
        out = ev(tree)
    except SpecError:
        raise
    except (TypeError, ValueError, OverflowError, ZeroDivisionError, MemoryError, RecursionError) as exc:
        raise SpecError("spec", field, f"cannot be evaluated ({type(exc).__name__}: {exc})", [expr[:60]]) from None
    n = len(next(iter(columns.values()))) if columns else 0
    if not isinstance(out, pd.Series):
        out = pd.Series([out] * n)
    return out
