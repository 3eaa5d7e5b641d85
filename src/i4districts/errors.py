"""One error hierarchy for the whole package.

Every error a user can cause derives from :class:`I4DError`; the ``i4d``
command line turns any of them into a one-line message on stderr and exit
status 2 (never a traceback). Messages name the file or table, the field and
the first offending values.

=========================  ==================================================
class                      raised for
=========================  ==================================================
:class:`InputError`        a table or file that is missing, malformed or
                           inconsistent (subclassed per layer: indicators,
                           harmonize, validation, shift-share ...)
:class:`SpecError`         an invalid model specification (panel or shift-share)
:class:`ConfigError`       an invalid workflow configuration
:class:`EstimationError`   a model that cannot be estimated as specified
                           (collinearity, no convergence)
``fetch.errors.FetchError``  network, mirror, parsing and checksum failures
=========================  ==================================================
"""

from __future__ import annotations

from collections.abc import Iterable

_MAX_SHOWN = 5


def first_few(values: Iterable[object], n: int = _MAX_SHOWN) -> str:
    """Format the first ``n`` values of an iterable for an error message."""
    items = list(values)
    shown = ", ".join(repr(v) for v in items[:n])
    more = f" ... ({len(items)} in total)" if len(items) > n else ""
    return f"[{shown}{more}]"


class I4DError(Exception):
    """Base class of every error a user of i4districts can cause."""


class InputError(I4DError, ValueError):
    """Bad input data: the message names the table or file, the field and the values."""


class FieldError(InputError):
    """Structured :class:`InputError`: ``table``, ``field``, ``problem`` and offending ``values``.

    Message: ``"<table>: <field> <problem>: [first values]"``; ``field_label``
    controls how the field is named (``"column 'x'"`` or ``"'x'"``).
    """

    field_label = "{field!r}"

    def __init__(self, table: str, field: str, problem: str, values: Iterable[object] = ()):
        vals = list(values)
        detail = f": {first_few(vals)}" if vals else ""
        name = self.field_label.format(field=field)
        super().__init__(f"{table}: {name} {problem}{detail}")
        self.table = table
        self.field = field
        self.column = field
        self.values = vals


class SpecError(I4DError, ValueError):
    """An invalid model specification.

    ``SpecError(message)`` or, structured, ``SpecError(source, field, problem, values=())``
    giving ``"<source>: '<field>' <problem>: [values]"``.
    """

    def __init__(self, message: str, field: str | None = None, problem: str | None = None,
                 values: Iterable[object] = ()):
        if field is None:
            super().__init__(message)
            self.source, self.field, self.values = None, None, []
            return
        vals = list(values)
        detail = f": {first_few(vals)}" if vals else ""
        super().__init__(f"{message}: {field!r} {problem}{detail}")
        self.source, self.field, self.values = message, field, vals
        self.table = message


class ConfigError(I4DError, ValueError):
    """The workflow configuration does not satisfy its schema; the message names each key."""


class EstimationError(I4DError, ValueError):
    """A model that cannot be estimated as specified (names the model and the terms)."""
