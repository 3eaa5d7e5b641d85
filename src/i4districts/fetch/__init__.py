"""Fetch layer: the only part of i4districts that talks to the network.

Eurostat and ISTAT clients (query building and key validation against the
DSD), polite HTTP with retries and a cross-process rate limit, immutable
dated vintages with a sha256 manifest, an offline mirror for CI and
air-gapped users, and safe parsers producing one tidy table layout:
dimension columns (lower-case), ``time``, ``value`` (float, NaN when
missing), ``obs_flag``, ``obs_status``, ``conf_status`` and ``vintage_id``.
"""

from i4districts.fetch.errors import FetchError

__all__ = ["FetchError"]
