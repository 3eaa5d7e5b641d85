"""ISTAT SDMX REST (``https://esploradati.istat.it/SDMXWS/rest``, agency ``IT1``).

Protocol: fetch the dataflow with its DSD first
(``/dataflow/all/{flow}/latest?references=datastructure``), then data with a
fully specified key in the DSD's dimension order
(``/data/{flow}/{key}?startPeriod=&endPeriod=``); the format is chosen with
the ``Accept`` header. Politeness: at most 5 requests per minute per machine
(:mod:`i4districts.fetch.ratelimit`), no retry of any 4xx, and a 429/403
stops the run (ISTAT blocks offending addresses for a day or more).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from urllib.parse import urlencode

from i4districts.fetch.request import Request
from i4districts.fetch.structure import build_key

BASE = "https://esploradati.istat.it/SDMXWS/rest"
AGENCY = "IT1"
#: ISTAT blocks addresses that exceed the limit "for a day or more".
BLOCK_HINT = timedelta(hours=24)

ACCEPT = {
    "sdmx-ml": "application/vnd.sdmx.structurespecificdata+xml;version=2.1",
    "sdmx-ml-generic": "application/vnd.sdmx.genericdata+xml;version=2.1",
    "sdmx-csv": "application/vnd.sdmx.data+csv;version=1.0.0",
    "structure": "application/vnd.sdmx.structure+xml;version=2.1",
}


def structure_request(flow: str, base: str = BASE) -> Request:
    """Dataflow and its data structure definition."""
    return Request(f"{base}/dataflow/all/{flow}/latest?references=datastructure", ACCEPT["structure"])


def data_request(
    flow: str,
    dimensions: Sequence[str],
    filters: Mapping[str, Sequence[str]],
    *,
    start: str | None = None,
    end: str | None = None,
    accept: str | None = None,
    base: str = BASE,
) -> Request:
    """Data request; ``filters`` must already be validated as fully specified."""
    key = build_key(dimensions, filters)
    query = {k: v for k, v in (("startPeriod", start), ("endPeriod", end)) if v}
    qs = f"?{urlencode(query)}" if query else ""
    return Request(f"{base}/data/{flow}/{key}{qs}", accept or ACCEPT["sdmx-ml"])
