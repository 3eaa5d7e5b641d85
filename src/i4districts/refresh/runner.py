"""``i4d refresh`` orchestration: fetch new vintages → revision reports → rerun the workflow → moved estimates.

1. For each dataset, the fetch layer fetches a **new vintage** (``online``: from
   the source; ``offline``: from the mirror, bypassing the vintage cache that an
   ordinary offline fetch would reuse; ``replay`` is refused: it cannot produce
   anything new). The new table and its pin are written to the fetch outputs
   (``results/fetch/<name>.parquet`` and ``.vintage.json``), exactly as
   ``i4d fetch get`` writes them, so the workflow picks them up.
2. The **previous vintage** is the one pinned in the fetch outputs before the
   refresh (what the last run used) or, without a pin, the latest earlier
   vintage of the same query in the vintage store. Its table is verified
   against its pin and compared with the new one
   (:func:`i4districts.refresh.revisions.revision_report`, exact comparison by
   default: same source layout and unit on both sides).
3. Unless ``rerun=False``, Snakemake reruns the workflow into a fresh scenario
   (``results/<scenario>-r<UTC timestamp>/``) and the estimates of the previous
   run (``results/<scenario>/``) are compared with the new ones
   (:func:`i4districts.refresh.estimates.compare_runs`).

Exit codes (:data:`EXIT_CODES`): 0 nothing changed, 3 data revised (a revised,
added or removed cell, a flag or a structure change) with no estimate moved,
4 estimates moved, 2 error (raised, reported by ``i4d``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from i4districts.errors import I4DError, InputError
from i4districts.fetch.cli import write_outputs
from i4districts.fetch.client import Fetcher, FetchResult
from i4districts.fetch.errors import FetchError
from i4districts.fetch.ledger import DatasetSpec
from i4districts.fetch.settings import FetchSettings
from i4districts.fetch.vintage import Vintage
from i4districts.harmonize.correspondence import Correspondence, find_change_sheets, read_change_sheets
from i4districts.harmonize.nuts import version_code_sets
from i4districts.refresh.estimates import compare_runs
from i4districts.refresh.revisions import RevisionReport, file_revision_report, revision_report
from i4districts.refresh.sources import cells_from_fetched

__all__ = [
    "EXIT_CODES", "EXIT_DATA_REVISED", "EXIT_ESTIMATES_MOVED", "EXIT_UNCHANGED", "NutsLists", "RefreshFetcher",
    "RefreshOutcome", "exit_code", "fetch_and_report", "load_nuts_lists", "previous_vintages", "refresh_scenario",
    "rerun_workflow", "snakemake_command",
]

EXIT_UNCHANGED = 0
EXIT_DATA_REVISED = 3
EXIT_ESTIMATES_MOVED = 4
EXIT_CODES = {
    EXIT_UNCHANGED: "refreshed: no cell, flag or structure changed and no estimate moved",
    2: "error (bad input, fetch or workflow failure): one-line message on stderr",
    EXIT_DATA_REVISED: "data revised (cells revised, added or removed, flags or structure changed); "
                       "no estimate moved (or no rerun)",
    EXIT_ESTIMATES_MOVED: "estimates moved between the previous and the new run",
}


@dataclass(frozen=True)
class NutsLists:
    """NUTS code lists per version and Eurostat's correspondences (from the change sheets)."""

    versions: Mapping[str, frozenset[str]] | None = None
    correspondences: tuple[Correspondence, ...] = ()


def load_nuts_lists(directory: str | Path | None) -> NutsLists:
    """Read Eurostat's change sheets in ``directory`` (default ``$I4D_SHARED_DATA/nuts``); empty when none."""
    if directory is None and os.environ.get("I4D_SHARED_DATA"):
        directory = Path(os.environ["I4D_SHARED_DATA"]) / "nuts"
    sheets = find_change_sheets(directory) if directory else []
    if not sheets:
        return NutsLists()
    corrs = tuple(read_change_sheets(sheets))
    return NutsLists(version_code_sets(*corrs), corrs)


class RefreshFetcher(Fetcher):
    """A :class:`Fetcher` that never reuses a cached data response: every data request gives a new vintage.

    An ordinary offline fetch answers from the latest cached vintage; a refresh
    must read the mirror (offline) or the source (online) again. Structure
    (DSD) requests keep their cache, as in an ordinary fetch.
    """

    _bypass_cache = False

    def _cached(self, spec, request, max_age_s=None):  # noqa: D102 - see class docstring
        if self._bypass_cache:
            return None
        return super()._cached(spec, request, max_age_s)

    def _data(self, *args, **kwargs):  # noqa: D102
        self._bypass_cache = True
        try:
            return super()._data(*args, **kwargs)
        finally:
            self._bypass_cache = False

    def _fetch_file(self, spec):  # noqa: D102
        self._bypass_cache = True
        try:
            return super()._fetch_file(spec)
        finally:
            self._bypass_cache = False


def _pin_path(fetch_out: Path, name: str) -> Path:
    return fetch_out / f"{name}.vintage.json"


def previous_vintages(fetcher: Fetcher, new: Sequence[Vintage], pins: Sequence[Mapping] | None) -> list[Vintage]:
    """The vintages the new ones replace: the pinned ones (verified) or, per query, the latest earlier one."""
    store = fetcher.store
    if pins:
        found = []
        for pin in pins:
            v = store.get(pin["vintage_id"])
            v.verify(pin.get("sha256"), pin.get("data_sha256"))
            found.append(v)
        return found
    out = []
    for v in new:
        source, dataset, qhash, _stamp = v.vintage_id.split("/")
        # same format: a recorded 413 refusal of the same query is not a previous vintage of the data
        earlier = [x for x in store.list(source, dataset, qhash)
                   if x.vintage_id < v.vintage_id and x.meta.get("format") == v.meta.get("format")]
        if earlier:
            out.append(earlier[-1])
    return out


def _label(vintages: Sequence[Vintage]) -> str:
    return ", ".join(v.vintage_id for v in vintages) or "none"


def _report_one(spec: DatasetSpec, result: FetchResult, old: list[Vintage], nuts: NutsLists,
                tolerance: float) -> RevisionReport:
    new_label, old_label = _label(result.vintages), _label(old)
    if result.table is None:
        old_sha = old[-1].meta["sha256"] if old else None
        return file_revision_report(spec.name, old_sha, result.vintages[-1].meta["sha256"],
                                    old_label=old_label, new_label=new_label)
    new_cells = cells_from_fetched(result.table, source=f"{spec.name} new vintage")
    if old:
        old_table = pd.concat([v.read_table() for v in old], ignore_index=True)
        old_cells = cells_from_fetched(old_table, source=f"{spec.name} previous vintage")
    else:
        old_cells = new_cells.iloc[0:0]
    return revision_report(old_cells, new_cells, dataset=spec.name, tolerance=tolerance,
                           nuts_versions=nuts.versions, correspondences=nuts.correspondences,
                           old_label=old_label, new_label=new_label)


def fetch_and_report(specs: Sequence[DatasetSpec], *, settings: FetchSettings, fetch_out: str | Path,
                     nuts: NutsLists = NutsLists(), tolerance: float = 0.0,
                     fetcher: Fetcher | None = None, log: Callable[[str], None] = print) -> list[RevisionReport]:
    """Fetch a new vintage of each dataset, write its fetch outputs, and compare it with the previous one."""
    if settings.mode == "replay":
        raise FetchError("i4d refresh fetches new vintages: use mode online or offline, not replay "
                         "(I4D_FETCH_MODE / --mode)")
    fetcher = fetcher or RefreshFetcher(settings)
    fetch_out = Path(fetch_out)
    reports = []
    for spec in specs:
        pin_file = _pin_path(fetch_out, spec.name)
        pins = json.loads(pin_file.read_text())["vintages"] if pin_file.is_file() else None
        result = fetcher.fetch(spec)
        old = previous_vintages(fetcher, result.vintages, pins)
        report = _report_one(spec, result, old, nuts, tolerance)
        write_outputs(result, fetch_out)
        s = report.summary.iloc[0]
        what = ("no previous vintage" if not old else
                "changed" if report.changed else "unchanged")
        cells = "" if result.table is None else (f": {s['cells_revised']} revised, {s['cells_added']} added, "
                                                 f"{s['cells_removed']} removed of {s['cells_old']} cells")
        log(f"{spec.name}: {_label(old)} -> {_label(result.vintages)} {what}{cells}")
        reports.append(report)
    return reports


def refresh_scenario(scenario: str, now: datetime | None = None) -> str:
    """Name of the fresh scenario of a rerun: ``<scenario>-r<UTC yyyymmddhhmmss>`` (fits the config's pattern)."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d%H%M%S")
    return f"{scenario[:20]}-r{stamp}"


def snakemake_command(configfile: str | Path, scenario: str, *, snakefile: str | Path = "Snakefile",
                      cores: int | None = None, extra: Sequence[str] = ()) -> list[str]:
    """The argv of the rerun (a list, never a shell string)."""
    argv = [sys.executable, "-m", "snakemake", "--snakefile", str(snakefile), "--configfile", str(configfile),
            "--config", f"scenario={scenario}", "--rerun-triggers", "mtime", "params", "input", "code"]
    if cores is not None:
        argv += ["--cores", str(int(cores))]
    return argv + list(extra)


def rerun_workflow(configfile: str | Path, scenario: str, *, workdir: str | Path = ".",
                   snakefile: str | Path = "Snakefile", cores: int | None = None, log_path: str | Path,
                   run: Callable[..., subprocess.CompletedProcess] = subprocess.run) -> Path:
    """Run Snakemake into ``results/<scenario>`` (under ``workdir``); its output goes to ``log_path``."""
    argv = snakemake_command(configfile, scenario, snakefile=snakefile, cores=cores)
    log_path = Path(log_path)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w", encoding="utf-8") as fh:
        fh.write("$ " + " ".join(argv) + "\n")
        fh.flush()
        proc = run(argv, cwd=str(workdir), stdout=fh, stderr=subprocess.STDOUT, check=False)
    if proc.returncode != 0:
        raise I4DError(f"the workflow rerun failed (snakemake exit {proc.returncode}); see {log_path}")
    return Path(workdir) / "results" / scenario


@dataclass
class RefreshOutcome:
    """What a refresh produced (reports, moved estimates) and its exit code."""

    reports: list[RevisionReport] = field(default_factory=list)
    moved: pd.DataFrame | None = None
    new_run: Path | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return exit_code(self.reports, self.moved)


def exit_code(reports: Sequence[RevisionReport], moved: pd.DataFrame | None) -> int:
    """4 when an estimate moved, else 3 when any report shows a change, else 0 (:data:`EXIT_CODES`)."""
    if moved is not None and len(moved):
        return EXIT_ESTIMATES_MOVED
    if any(r.changed for r in reports):
        return EXIT_DATA_REVISED
    return EXIT_UNCHANGED


def compare_estimates(old_run: str | Path, new_run: str | Path, *, rtol: float, atol: float) -> pd.DataFrame:
    """:func:`compare_runs`, refusing to compare a run with itself."""
    if Path(old_run).resolve() == Path(new_run).resolve():
        raise InputError(f"--old-run and --new-run are the same directory {old_run}")
    return compare_runs(old_run, new_run, rtol=rtol, atol=atol)
