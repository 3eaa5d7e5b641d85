"""Cross-process sliding-window rate limiter backed by a file lock.

At most ``limit`` acquisitions in any window of ``window`` seconds, counted
over every process on the machine that uses the same state file: the state
(a JSON list of acquisition times) is read and rewritten under an exclusive
``fcntl.flock`` on a sibling lock file, so parallel Snakemake jobs share one
budget. ISTAT allows about 5 requests per minute per address and blocks
offenders for a day or more, hence ``ISTAT_LIMIT``/``ISTAT_WINDOW``.

Algorithm: sliding-window log (keep the acquisition times of the last ``window``
seconds; admit when fewer than ``limit``; else wait until the oldest expires).
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ISTAT_LIMIT = 5
ISTAT_WINDOW = 60.0


def default_state_dir() -> Path:
    """Machine-wide state directory: ``$I4D_RATELIMIT_DIR`` or ``<tmp>/i4districts-ratelimit``."""
    env = os.environ.get("I4D_RATELIMIT_DIR")
    return Path(env) if env else Path(tempfile.gettempdir()) / "i4districts-ratelimit"


class FileRateLimiter:
    """Sliding-window limiter shared by all processes using ``state_file``."""

    def __init__(
        self,
        state_file: Path,
        *,
        limit: int = ISTAT_LIMIT,
        window: float = ISTAT_WINDOW,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError(f"rate limit needs limit >= 1 and window > 0, got {limit}, {window}")
        self.state_file = Path(state_file)
        self.lock_file = self.state_file.with_name(self.state_file.name + ".lock")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._sleep = sleep

    def _read(self) -> list[float]:
        try:
            stamps = json.loads(self.state_file.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return []
        return [float(s) for s in stamps] if isinstance(stamps, list) else []

    def _write(self, stamps: list[float]) -> None:
        tmp = self.state_file.with_name(f"{self.state_file.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(stamps))
        os.replace(tmp, self.state_file)

    def acquire(self) -> float:
        """Block until a slot is free, record it, and return the seconds waited."""
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        waited = 0.0
        while True:
            with open(self.lock_file, "a+") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                try:
                    now = self._clock()
                    stamps = [s for s in self._read() if now - s < self.window]
                    if len(stamps) < self.limit:
                        stamps.append(now)
                        self._write(stamps)
                        return waited
                    delay = min(stamps) + self.window - now
                finally:
                    fcntl.flock(lock, fcntl.LOCK_UN)
            delay = max(delay, 0.001)
            self._sleep(delay)
            waited += delay
