"""Errors raised on bad input to shift-share inference."""

from __future__ import annotations

from collections.abc import Iterable

_MAX_SHOWN = 5


def first_few(values: Iterable[object], n: int = _MAX_SHOWN) -> str:
    """Format the first ``n`` values of an iterable for an error message."""
    items = list(values)
    shown = ", ".join(repr(v) for v in items[:n])
    more = f" ... ({len(items)} in total)" if len(items) > n else ""
    return f"[{shown}{more}]"


class ShiftShareInputError(ValueError):
    """Malformed input to shift-share inference (names table, field, values)."""

    def __init__(self, table: str, field: str, problem: str, values: Iterable[object] = ()):
        vals = list(values)
        detail = f": {first_few(vals)}" if vals else ""
        super().__init__(f"{table}: {field!r} {problem}{detail}")
        self.table = table
        self.field = field
        self.values = vals


class SpecError(ShiftShareInputError):
    """The YAML specification of a shift-share model is invalid."""
