"""Errors of the shift-share package (exposure construction and inference).

One class, :class:`ShiftShareInputError` (alias :data:`ExposureInputError`),
for every malformed table handed to exposure construction or shift-share
inference: a :class:`~i4districts.errors.FieldError`, so its message is
``"<table>: '<field>' <problem>: [first values]"``. Invalid model
specifications raise the package-wide :class:`~i4districts.errors.SpecError`.
"""

from __future__ import annotations

from i4districts.errors import FieldError, SpecError, first_few


class ShiftShareInputError(FieldError):
    """Malformed input to exposure construction or shift-share inference (names table, field, values)."""


ExposureInputError = ShiftShareInputError
"""Former name of :class:`ShiftShareInputError` for the exposure construction (the same class)."""

__all__ = ["ExposureInputError", "ShiftShareInputError", "SpecError", "first_few"]
