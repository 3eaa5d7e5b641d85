"""Errors raised on bad input to the exposure construction."""

from __future__ import annotations

from collections.abc import Iterable

_MAX_SHOWN = 5


def first_few(values: Iterable[object], n: int = _MAX_SHOWN) -> str:
    """Format the first ``n`` values of an iterable for an error message."""
    items = list(values)
    shown = ", ".join(repr(v) for v in items[:n])
    more = f" ... ({len(items)} in total)" if len(items) > n else ""
    return f"[{shown}{more}]"


class ExposureInputError(ValueError):
    """A table handed to the exposure construction is malformed.

    The message names the table, the column and the first offending values.
    """

    def __init__(self, table: str, column: str, problem: str, values: Iterable[object] = ()):
        vals = list(values)
        detail = f": {first_few(vals)}" if vals else ""
        super().__init__(f"{table}: column {column!r} {problem}{detail}")
        self.table = table
        self.column = column
        self.values = vals
