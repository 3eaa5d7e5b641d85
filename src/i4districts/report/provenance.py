"""What the report records about a run besides its inputs: config, code, software, machine, run time.

* config: each config file as written, with the sha256 of its bytes, and the effective (validated,
  defaults filled in) config as sorted YAML with the sha256 of its canonical JSON
  (``json.dumps(config, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``);
* code: ``git rev-parse HEAD`` of the working directory (or "not a git checkout"), a dirty flag from
  ``git status --porcelain --untracked-files=no``, and :func:`i4districts.provenance.package_fingerprint`;
* software: versions of i4districts and the libraries that shape results, Python, platform, CPUs, memory;
* run time: start, end and elapsed time, from arguments or from Snakemake's own records (the newest
  ``.snakemake/log/*.snakemake.log`` names the start of the run; ``.snakemake/metadata`` holds the
  start and end of the job that made each output), plus Snakemake benchmark files.

Everything but the run time is deterministic for a given checkout, config, data and environment.
"""

from __future__ import annotations

import base64
import json
import os
import platform
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

from i4districts.io import sha256_bytes, sha256_file

__all__ = [
    "PACKAGES", "ConfigFile", "ConfigProvenance", "GitState", "JobTime", "RunTime", "canonical_json",
    "config_provenance", "git_state", "machine_info", "package_versions", "run_time", "snakemake_jobs",
    "snakemake_run_start",
]

#: distributions whose versions the report lists (those that are installed)
PACKAGES = ("i4districts", "numpy", "pandas", "scipy", "pyarrow", "snakemake", "matplotlib", "geopandas",
            "great_tables", "formulaic", "pyfixest", "linearmodels")
NOT_GIT = "not a git checkout"


@dataclass(frozen=True)
class ConfigFile:
    path: str
    sha256: str
    text: str


@dataclass(frozen=True)
class ConfigProvenance:
    files: tuple[ConfigFile, ...] = ()
    effective_yaml: str = ""
    effective_sha256: str = ""


@dataclass(frozen=True)
class GitState:
    commit: str
    dirty: bool | None
    branch: str = ""

    @property
    def label(self) -> str:
        if self.dirty is None:
            return self.commit
        return f"{self.commit} ({'dirty: uncommitted changes to tracked files' if self.dirty else 'clean'})"


@dataclass(frozen=True)
class JobTime:
    rule: str
    output: str
    started: datetime | None
    ended: datetime | None

    @property
    def seconds(self) -> float | None:
        return (self.ended - self.started).total_seconds() if self.started and self.ended else None


@dataclass(frozen=True)
class RunTime:
    """Start, end and elapsed time of the run, with where the start came from."""

    started: datetime | None
    ended: datetime
    start_source: str = ""
    jobs: tuple[JobTime, ...] = ()
    benchmarks: tuple[tuple[str, float], ...] = field(default_factory=tuple)

    @property
    def elapsed(self) -> float | None:
        return (self.ended - self.started).total_seconds() if self.started else None


def canonical_json(obj: Any) -> str:
    """Key-sorted compact JSON: the text whose sha256 identifies a config."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def config_provenance(files: Sequence[str | Path] = (), effective: Mapping[str, Any] | None = None,
                      *, base_dir: Path | None = None) -> ConfigProvenance:
    """Config files as written (sha256 of their bytes) and the effective config as YAML (sha256 of its JSON).

    Without ``effective``, a single config file is validated (defaults filled in) to give it.
    """
    records = []
    for f in files:
        p = Path(f) if base_dir is None or Path(f).is_absolute() else base_dir / f
        if not p.is_file():
            from i4districts.errors import InputError

            raise InputError(f"config file {f}: not found ({p})")
        records.append(ConfigFile(path=str(f), sha256=sha256_file(p), text=p.read_text(encoding="utf-8")))
    if effective is None and len(records) == 1:
        from i4districts.config import load_config

        effective = load_config(base_dir / files[0] if base_dir is not None and not Path(files[0]).is_absolute()
                                else files[0])
    if effective is None:
        return ConfigProvenance(files=tuple(records))
    text = yaml.safe_dump(json.loads(canonical_json(effective)), sort_keys=True, allow_unicode=True,
                          default_flow_style=False, width=100)
    return ConfigProvenance(files=tuple(records), effective_yaml=text,
                            effective_sha256=sha256_bytes(canonical_json(effective).encode("utf-8")))


def _git(args: Sequence[str], cwd: Path) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def git_state(cwd: str | Path = ".") -> GitState:
    """The checkout's commit and whether tracked files differ from it."""
    cwd = Path(cwd)
    commit = _git(["rev-parse", "HEAD"], cwd)
    if not commit:
        return GitState(commit=NOT_GIT, dirty=None)
    status = _git(["status", "--porcelain", "--untracked-files=no"], cwd)
    branch = _git(["rev-parse", "--abbrev-ref", "HEAD"], cwd) or ""
    return GitState(commit=commit, dirty=None if status is None else bool(status), branch=branch)


def package_versions(names: Iterable[str] = PACKAGES) -> dict[str, str]:
    """Installed version of each distribution that is installed (the others are left out)."""
    out = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def _memory_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return "unknown"


def machine_info() -> dict[str, str]:
    """Python version and implementation, operating system, processor architecture, CPUs, memory."""
    return {
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpus": str(os.cpu_count() or "unknown"),
        "memory": _memory_gib(),
        "executable": sys.executable,
    }


def snakemake_run_start(snakemake_dir: str | Path) -> tuple[datetime | None, str]:
    """Start of the newest Snakemake run: the time stamp in the name of the newest ``log/*.snakemake.log``."""
    logs = sorted(Path(snakemake_dir, "log").glob("*.snakemake.log"))
    for log in reversed(logs):
        stamp = log.name.removesuffix(".snakemake.log")
        try:
            local = datetime.strptime(stamp, "%Y-%m-%dT%H%M%S.%f")
        except ValueError:
            continue
        return local.astimezone(UTC), f"Snakemake log {log.name}"
    return None, ""


def _metadata_path(snakemake_dir: Path, output: str) -> Path:
    """Where Snakemake keeps the record of an output (urlsafe base64 of its path, split at the name limit)."""
    b64 = base64.urlsafe_b64encode(output.encode()).decode()
    limit = 254
    parts = [b64[i:i + limit] for i in range(0, len(b64), limit)]
    return Path(snakemake_dir, "metadata", *["@" + s for s in parts[:-1]], parts[-1])


def snakemake_jobs(snakemake_dir: str | Path, outputs: Iterable[str]) -> list[JobTime]:
    """Rule, start and end of the job that made each output, from Snakemake's metadata (if recorded)."""
    jobs = []
    for output in outputs:
        path = _metadata_path(Path(snakemake_dir), output)
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        stamps = [record.get("starttime"), record.get("endtime")]
        started, ended = (datetime.fromtimestamp(float(t), UTC) if isinstance(t, (int, float)) else None
                          for t in stamps)
        jobs.append(JobTime(rule=str(record.get("rule") or ""), output=output, started=started, ended=ended))
    return jobs


def _benchmark_seconds(path: Path) -> float | None:
    lines = [ln for ln in path.read_text().splitlines() if ln.strip()]
    if len(lines) < 2:
        return None
    head, first = lines[0].split("\t"), lines[1].split("\t")
    try:
        return float(first[head.index("s")])
    except (ValueError, IndexError):
        return None


def _parse_time(value: str | datetime | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value if value is None or value.tzinfo else value.astimezone(UTC)
    when = datetime.fromisoformat(value)
    return when if when.tzinfo else when.astimezone(UTC)


def run_time(*, started: str | datetime | None = None, ended: str | datetime | None = None,
             snakemake_dir: str | Path | None = None, outputs: Iterable[str] = (),
             benchmarks: Iterable[str | Path] = ()) -> RunTime:
    """The run's timing: explicit ``started``/``ended`` (ISO 8601) win over Snakemake's records; end: now."""
    start = _parse_time(started)
    source = "given" if start else ""
    jobs: list[JobTime] = []
    if snakemake_dir is not None and Path(snakemake_dir).is_dir():
        if start is None:
            start, source = snakemake_run_start(snakemake_dir)
        jobs = snakemake_jobs(snakemake_dir, outputs)
    bench = []
    for b in benchmarks:
        seconds = _benchmark_seconds(Path(b))
        if seconds is not None:
            bench.append((str(b), seconds))
    return RunTime(started=start, ended=_parse_time(ended) or datetime.now(UTC), start_source=source,
                   jobs=tuple(jobs), benchmarks=tuple(bench))
