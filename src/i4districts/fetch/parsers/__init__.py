"""Parsers from raw API bodies to the tidy observation table.

Tidy layout (one row per observation): dimension columns in lower case,
``time`` (string period as published, e.g. ``2021``, ``2025-10``), ``value``
(float64; NaN when missing: Eurostat's ``:`` is missing, never zero), flag
columns ``obs_flag`` (old single-letter Eurostat flags), ``obs_status`` and
``conf_status`` (the SDMX attributes of Eurostat's 2025 split and of ISTAT),
then ``vintage_id`` added by the vintage store.
"""

from i4districts.fetch.parsers.common import FLAG_COLUMNS, PARSER_VERSION, parse_body

__all__ = ["FLAG_COLUMNS", "PARSER_VERSION", "parse_body"]
