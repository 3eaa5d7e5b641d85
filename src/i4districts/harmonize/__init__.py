"""Harmonization layer: NUTS versions, local labour systems, sectors, validated panels.

Modules:

* :mod:`.correspondence` – read Eurostat's NUTS correspondence workbooks
  (CSV copies of their "detailed changes" sheets) into a tidy link table;
* :mod:`.nuts` – detect the NUTS version of a table, convert between
  versions with a change report;
* :mod:`.hierarchy` – the NUTS-level helpers (``nuts_level``, ``nuts_code_level``,
  ``is_extra_regio``), NUTS-3 → NUTS-2/1/0 aggregation and children-add-up checks;
* :mod:`.sll` – municipality → local labour system (SLL) aggregation;
* :mod:`.sectors` – NACE Rev.2 / ATECO 2007 hierarchy, A*10/A*21 aggregates,
  ISTAT industrial-district manufacturing groups;
* :mod:`.panel` – the validated long panel builder.

Region, sector and value columns default to the vocabulary
(:mod:`i4districts.vocabulary`: ``region, sector, year, value``). Bad input
raises :class:`HarmonizeError` (an :class:`i4districts.errors.InputError`).
"""

from __future__ import annotations

from i4districts.errors import InputError

__all__ = ["HarmonizeError"]


class HarmonizeError(InputError):
    """Bad input for a harmonization step (names the table, field and values)."""
