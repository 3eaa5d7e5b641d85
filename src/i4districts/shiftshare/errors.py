"""Errors raised on bad input to shift-share inference."""

from __future__ import annotations

from collections.abc import Iterable

from i4districts.exposure.errors import first_few

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
