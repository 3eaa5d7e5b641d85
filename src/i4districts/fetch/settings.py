"""Runtime knobs of the fetch layer (not science config).

Resolved from CLI flags, then environment variables, then defaults:

* mode: ``--mode`` / ``I4D_FETCH_MODE``; default ``offline`` when a mirror is
  set, else ``online``. ``online`` fetches and records a new vintage;
  ``offline`` uses only the vintage cache and the mirror (any network
  attempt is an error); ``replay`` reads pinned vintages, verified by sha256.
* cache root: ``--cache`` / ``I4D_CACHE``; default ``results/raw``.
* mirror directory: ``--mirror`` / ``I4D_MIRROR``; default none.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from i4districts.fetch.errors import FetchError

#: Replication mode: every fetch replays its pinned vintage (sha256-verified) with the network blocked.
REPLICATION_ENV = "I4D_REPLICATION"
from i4districts.fetch.httpclient import RetryPolicy
from i4districts.fetch.istat import BLOCK_HINT
from i4districts.fetch.ratelimit import ISTAT_LIMIT, ISTAT_WINDOW, default_state_dir

MODES = ("online", "offline", "replay")
DEFAULT_CACHE = "results/raw"


@dataclass(frozen=True)
class FetchSettings:
    """Everything a :class:`~i4districts.fetch.client.Fetcher` needs besides the ledger."""

    mode: str
    cache: Path
    mirror: Path | None = None
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    istat_policy: RetryPolicy = field(default_factory=lambda: RetryPolicy(block_hint=BLOCK_HINT))
    istat_limit: int = ISTAT_LIMIT
    istat_window: float = ISTAT_WINDOW
    ratelimit_dir: Path = field(default_factory=default_state_dir)
    async_max_polls: int = 20
    async_poll_interval: float = 30.0
    #: Reuse a cached structure (DSD) younger than this, even online (politeness).
    structure_max_age_s: float = 7 * 24 * 3600.0
    #: Override API roots (tests point them at 127.0.0.1).
    bases: Mapping[str, str] = field(default_factory=dict)
    sleep: Callable[[float], None] = time.sleep

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise FetchError(f"fetch mode {self.mode!r} is not one of {MODES}")

    @classmethod
    def resolve(
        cls,
        mode: str | None = None,
        cache: str | Path | None = None,
        mirror: str | Path | None = None,
        env: Mapping[str, str] | None = None,
        **kwargs,
    ) -> FetchSettings:
        """Flags first, then ``I4D_FETCH_MODE``/``I4D_CACHE``/``I4D_MIRROR``, then defaults."""
        env = os.environ if env is None else env
        mirror = mirror or env.get("I4D_MIRROR") or None
        if env.get(REPLICATION_ENV, "") not in ("", "0"):
            asked = mode or env.get("I4D_FETCH_MODE")
            if asked not in (None, "replay"):
                raise FetchError(f"{REPLICATION_ENV} is set (replication mode: pinned vintages only, verified by "
                                 f"sha256, no network), but fetch mode {asked!r} was asked for; unset one of them")
            mode = "replay"
        mode = mode or env.get("I4D_FETCH_MODE") or ("offline" if mirror else "online")
        cache = cache or env.get("I4D_CACHE") or DEFAULT_CACHE
        return cls(mode=mode, cache=Path(cache), mirror=Path(mirror) if mirror else None, **kwargs)


def default_mirror(directory: str | Path) -> Path | None:
    """Use ``directory`` (the shared data beside the repository) as the fetch mirror when the user set
    none (``I4D_MIRROR``): the workflow's fetches then run offline from it. Returns the mirror in use."""
    if os.environ.get("I4D_MIRROR"):
        return Path(os.environ["I4D_MIRROR"])
    d = Path(directory)
    if d.is_dir():
        os.environ["I4D_MIRROR"] = str(d.resolve())
        return d.resolve()
    return None
