"""What ``i4d validate`` and ``i4d golden ...`` do, as functions.

* :func:`validate_run` -- compare a run folder with ``golden/<scenario>/``;
* :func:`validate_replication` -- rerun the default workflow in replication
  mode (:mod:`i4districts.golden.replicate`) and compare its results;
* :func:`record` / :func:`update` / :func:`drop` / :func:`pin` -- the only
  writers of the golden folder, each appending a dated line (reason, what
  changed, package fingerprint of :func:`i4districts.provenance.package_fingerprint`)
  to ``golden/CHANGELOG.md``;
* :func:`show` -- the golden quantities with their tolerances.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from i4districts.errors import InputError
from i4districts.golden import replicate as rep
from i4districts.golden import store
from i4districts.golden.compare import Check, compare, summarize
from i4districts.golden.quantities import record_quantities
from i4districts.golden.tolerances import EXACT, Tolerances, load_tolerances
from i4districts.io import write_json, write_text
from i4districts.provenance import package_fingerprint

__all__ = ["Outcome", "validate_run", "validate_replication", "write_summary", "record", "update", "drop", "pin",
           "show", "DEFAULT_TOLERANCES"]

SAMPLE_MODEL, SAMPLE_TERM, SAMPLE_QUANTITY = "(inputs)", "sample", "vintage"

#: Written as golden/tolerances.yaml by the first `i4d golden record` when the folder has none.
DEFAULT_TOLERANCES = """\
# Tolerances of `i4d validate`, per quantity (by full name, e.g. "std_error[akm]", or by family, the
# name before "["). A number holds when |run - golden| <= abs + rel * |golden| (numpy.isclose's rule,
# golden value as reference); `exact: true` demands equality; labels are always compared exactly.
# The pipeline is deterministic (fixed seeds, exact randomization inference), so the bounds only
# absorb floating-point differences between platforms (BLAS kernels, summation order).
default: {abs: 1.0e-10, rel: 1.0e-9}
quantities:
  estimate: {abs: 1.0e-10, rel: 1.0e-9}
  std_error: {abs: 1.0e-12, rel: 1.0e-8}      # also std_error[akm], std_error[cluster], ...
  t: {abs: 1.0e-9, rel: 1.0e-8}
  p: {abs: 1.0e-9}                             # RI p-values are k/permutations: a rank change moves >= 1/120
  ci_low: {abs: 1.0e-10, rel: 1.0e-8}
  ci_high: {abs: 1.0e-10, rel: 1.0e-8}
  nobs: {exact: true}
  rank: {exact: true}
  n_clusters: {exact: true}
  n_region_clusters: {exact: true}
  n_sector_clusters: {exact: true}
  n_sectors: {exact: true}
  n_entities: {exact: true}
  n_periods: {exact: true}
  df_resid: {exact: true}
  r2: {abs: 1.0e-10}
  r2_within: {abs: 1.0e-10}
  first_stage_f: {abs: 1.0e-8, rel: 1.0e-8}
  n_shocks: {exact: true}
  effective_n_shocks: {abs: 1.0e-12, rel: 1.0e-9}
  hhi: {abs: 1.0e-12, rel: 1.0e-9}
  max_shock_weight: {abs: 1.0e-12, rel: 1.0e-9}
  shock_std_error: {abs: 1.0e-12, rel: 1.0e-8}
  rotemberg_alpha: {abs: 1.0e-10, rel: 1.0e-8}
  # a sector's just-identified beta divides by its first-stage coefficient, tiny for weak sectors
  rotemberg_beta: {abs: 1.0e-9, rel: 1.0e-7}
  rotemberg_share: {abs: 1.0e-9, rel: 1.0e-7}
  rotemberg_sum_negative_alpha: {abs: 1.0e-10, rel: 1.0e-8}
  placebo_rejection: {abs: 0}                  # seeded draws (numpy default_rng(seed)): counts / draws
  placebo_draws: {exact: true}
  placebo_seed: {exact: true}
  ri_permutations: {exact: true}
models: {}
"""


@dataclass
class Outcome:
    """The result of a validation: checks, other problems, the JSON summary."""

    scenario: str
    checks: list[Check]
    problems: list[str] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    replication: rep.Replication | None = None

    @property
    def ok(self) -> bool:
        return not self.problems and not any(c.failed for c in self.checks)

    def lines(self, verbose: bool = True) -> list[str]:
        """One line per failure, per-model counts when ``verbose``, then the verdict."""
        out = list(self.problems) + [c.line() for c in self.checks if c.failed]
        if verbose:
            for model in sorted({c.model for c in self.checks}):
                mine = [c for c in self.checks if c.model == model]
                ok = sum(c.status == "ok" for c in mine)
                same = sum(c.identical for c in mine)
                out.append(f"{model}: {ok} of {len(mine)} quantities within tolerance ({same} identical)")
        n_fail = sum(c.failed for c in self.checks) + len(self.problems)
        counts = self.summary.get("counts", {})
        if self.ok:
            out.append(f"validate {self.scenario}: PASS -- {counts.get('ok', 0)} quantities within tolerance, "
                       f"{counts.get('identical', 0)} identical")
        else:
            by = ", ".join(f"{counts.get(s, 0)} {s}" for s in ("moved", "missing", "extra") if counts.get(s))
            out.append(f"validate {self.scenario}: FAIL -- {n_fail} problem(s)" + (f" ({by})" if by else ""))
        return out


def _tolerances(golden: Path) -> Tolerances:
    path = Path(golden) / store.TOLERANCES_FILE
    if not path.is_file():
        raise InputError(f"{path}: tolerances file not found (golden folder {golden})")
    return load_tolerances(path)


def _golden_quantities(entries: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    return {m: e["quantities"] for m, e in entries.items()}


def _sample_check(golden: Path, scenario: str, run: Path) -> list[Check]:
    want = store.read_pins(golden, scenario).get("embedded_sample")
    have = store.run_sample_vintage(run)
    if want is None or have is None:
        return []
    status = "ok" if want == have else "moved"
    return [Check(SAMPLE_MODEL, SAMPLE_TERM, SAMPLE_QUANTITY, status, golden=want, run=have, tolerance=EXACT)]


def validate_run(run: str | Path, *, golden: str | Path = "golden", scenario: str | None = None,
                 exact: bool = False) -> Outcome:
    """Compare the models of ``run`` (``<run>/models/*.json``) with ``golden/<scenario>/``."""
    run, golden = Path(run), Path(golden)
    scenario = scenario or run.resolve().name
    entries = store.read_golden(golden, scenario)
    tolerances = _tolerances(golden)
    observed = {m: record_quantities(r) for m, r in store.read_run(run).items()}
    checks = compare(_golden_quantities(entries), observed, tolerances, exact=exact)
    checks += _sample_check(golden, scenario, run)
    context = {"scenario": scenario, "run": str(run), "golden": str(golden), "mode": "exact" if exact else "tolerance",
               "tolerances": tolerances.source}
    return Outcome(scenario, checks, summary=summarize(checks, **context))


def validate_replication(repo: str | Path = ".", *, golden: str | Path = "golden", scenario: str | None = None,
                         shared_data: str | Path | None = None, root: str | Path | None = None, cores: int = 2,
                         exact: bool = False) -> Outcome:
    """Replication mode: rerun the default workflow offline with pinned inputs, then :func:`validate_run`."""
    repo, golden = Path(repo), Path(golden).resolve()
    scenario = scenario or rep.scenario_of(repo)
    store.read_golden(golden, scenario)  # fail early (exit 2) without golden results
    _tolerances(golden)
    pins = store.read_pins(golden, scenario).get("files", {})
    run = rep.replicate(repo, pinned=pins, shared_data=Path(shared_data) if shared_data else None,
                        root=Path(root) if root else None, cores=cores)
    problems = list(run.input_problems)
    problems += [f"network access attempted in replication mode: {line}" for line in run.network]
    if not run.input_problems and run.returncode != 0:
        tail = run.log.read_text(encoding="utf-8").splitlines()[-15:] if run.log and run.log.is_file() else []
        problems.append(f"replication: the workflow failed (exit {run.returncode}); log {run.log}")
        problems += [f"  | {line}" for line in tail]
    if problems or not run.results.is_dir():
        checks: list[Check] = []
        summary = summarize(checks, scenario=scenario, golden=str(golden), mode="replicate")
    else:
        inner = validate_run(run.results, golden=golden, scenario=scenario, exact=exact)
        checks, summary = inner.checks, inner.summary
        summary["mode"] = "replicate-exact" if exact else "replicate"
    if problems:
        summary["status"] = "fail"
        summary["failures"] = problems + summary.get("failures", [])
    summary["replication"] = run.to_dict()
    return Outcome(scenario, checks, problems=problems, summary=summary, replication=run)


def write_summary(summary: Mapping[str, Any], path: str | Path) -> Path:
    """Write the JSON summary for CI systems (atomic)."""
    return write_json(dict(summary), path)


# ------------------------------------------------------------------ writers
def _changelog(golden: Path, scenario: str, command: str, reason: str, changes: str) -> str:
    return store.append_changelog(golden, scenario=scenario, command=command, reason=reason, changes=changes,
                                  package=package_fingerprint())


def _ensure_tolerances(golden: Path) -> None:
    path = golden / store.TOLERANCES_FILE
    if not path.exists():
        write_text(DEFAULT_TOLERANCES, path)


def _sample_change(golden: Path, scenario: str, run: Path) -> tuple[dict[str, Any] | None, str | None]:
    """New pins content and a change note when the run's sample vintage differs from the pinned one."""
    have = store.run_sample_vintage(run)
    pins = store.read_pins(golden, scenario)
    if have is None or pins.get("embedded_sample") == have:
        return None, None
    before = pins.get("embedded_sample")
    note = f"sample vintage {before} -> {have}" if before else f"sample vintage pinned: {have}"
    return {**pins, "embedded_sample": have}, note


def _select(requested: Iterable[str] | None, available: Iterable[str]) -> list[str]:
    return sorted(set(requested)) if requested else sorted(available)


def _reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise InputError("a reason is required to change the golden results (it goes in golden/CHANGELOG.md)")
    return reason


def record(run: str | Path, *, golden: str | Path, reason: str, scenario: str | None = None,
           models: Iterable[str] | None = None) -> str:
    """Record the golden results of the run's models that have none yet; refuse recorded ones."""
    reason = _reason(reason)
    run, golden = Path(run), Path(golden)
    scenario = scenario or run.resolve().name
    records = store.read_run(run)
    existing = store.read_golden(golden, scenario) if (golden / scenario).is_dir() else {}
    unknown = sorted(set(models or ()) - set(records))
    if unknown:
        raise InputError(f"{run}: no record for model(s) {unknown}; the run has {sorted(records)}")
    if models:
        already = sorted(set(models) & set(existing))
        if already:
            raise InputError(f"{golden / scenario}: model(s) {already} already recorded; "
                             "change them with `i4d golden update --reason ...`")
    chosen = [m for m in _select(models, records) if m not in existing]
    if not chosen:
        return f"nothing to record: every model of {run} is recorded (use `i4d golden update`)"
    entries = {m: store.golden_entry(scenario, m, records[m]) for m in chosen}
    _ensure_tolerances(golden)
    store.write_models(golden, scenario, entries)
    pins, note = _sample_change(golden, scenario, run)
    if pins is not None:
        store.write_pins(golden, scenario, pins)
    changes = "; ".join(x for x in (store.describe_changes(existing, entries), note) if x)
    line = _changelog(golden, scenario, "record", reason, changes)
    return f"recorded {', '.join(chosen)} in {golden / scenario}\n{store.CHANGELOG_FILE}: {line}"


def update(run: str | Path, *, golden: str | Path, reason: str, scenario: str | None = None,
           models: Iterable[str] | None = None, drop_missing: bool = False) -> str:
    """Rewrite the recorded models' golden results from ``run`` and log why."""
    reason = _reason(reason)
    run, golden = Path(run), Path(golden)
    scenario = scenario or run.resolve().name
    existing = store.read_golden(golden, scenario)
    records = store.read_run(run)
    not_recorded = sorted(set(models or ()) - set(existing))
    if not_recorded:
        raise InputError(f"{golden / scenario}: model(s) {not_recorded} not recorded; add them with "
                         "`i4d golden record --reason ...`")
    chosen = _select(models, existing)
    absent = [m for m in chosen if m not in records]
    if absent and not (drop_missing and not models):
        raise InputError(f"{run}: recorded model(s) {absent} have no record in the run; pass --drop-missing "
                         "or remove them with `i4d golden drop --reason ...`")
    entries = {m: store.golden_entry(scenario, m, records[m]) for m in chosen if m in records}
    old = {m: existing[m] for m in entries}
    changes = store.describe_changes(old, entries, removed=absent)
    pins, note = _sample_change(golden, scenario, run)
    changes = "; ".join(x for x in (changes if changes != "no change" else "", note) if x) or "no change"
    extra = sorted(set(records) - set(existing))
    hint = f"\nnot recorded (add with `i4d golden record`): {', '.join(extra)}" if extra else ""
    if changes == "no change":
        return f"golden results of {scenario} unchanged by {run}: nothing recorded{hint}"
    store.write_models(golden, scenario, entries)
    for m in absent:
        store.remove_model(golden, scenario, m)
    if pins is not None:
        store.write_pins(golden, scenario, pins)
    line = _changelog(golden, scenario, "update", reason, changes)
    return f"updated {golden / scenario}: {changes}\n{store.CHANGELOG_FILE}: {line}{hint}"


def drop(golden: str | Path, *, scenario: str, models: Iterable[str], reason: str) -> str:
    """Remove the golden files of ``models`` and log why."""
    reason = _reason(reason)
    golden = Path(golden)
    existing = store.read_golden(golden, scenario)
    models = sorted(set(models))
    unknown = sorted(set(models) - set(existing))
    if unknown:
        raise InputError(f"{golden / scenario}: model(s) {unknown} not recorded; recorded: {sorted(existing)}")
    for m in models:
        store.remove_model(golden, scenario, m)
    line = _changelog(golden, scenario, "drop", reason, "; ".join(f"removed model {m}" for m in models))
    return f"removed {', '.join(models)} from {golden / scenario}\n{store.CHANGELOG_FILE}: {line}"


def pin(repo: str | Path, *, golden: str | Path, reason: str, shared_data: str | Path | None = None) -> str:
    """Pin the sha256 of the default workflow's inputs read in place (``golden/<scenario>/inputs.json``)."""
    reason = _reason(reason)
    repo, golden = Path(repo).resolve(), Path(golden)
    scenario = rep.scenario_of(repo)
    root = Path(tempfile.mkdtemp(prefix="i4d-pin-"))
    try:
        work = rep.make_layout(repo, Path(shared_data) if shared_data else rep.default_shared_data(repo), root)
        files = rep.list_inputs(repo, work, rep.replication_env(os.environ, root / "network.log"))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    old = store.read_pins(golden, scenario)
    before = old.get("files", {})
    diff = [f"+{p}" for p in sorted(set(files) - set(before))] + [f"-{p}" for p in sorted(set(before) - set(files))]
    diff += [f"~{p}" for p in sorted(set(files) & set(before)) if files[p] != before[p]]
    if not diff:
        return f"input pins of {scenario} unchanged ({len(files)} files): nothing recorded"
    store.write_pins(golden, scenario, {**old, "files": files})
    line = _changelog(golden, scenario, "pin", reason, "inputs " + ", ".join(diff))
    return f"pinned {len(files)} input files in {golden / scenario / store.PINS_FILE}\n{store.CHANGELOG_FILE}: {line}"


def show(golden: str | Path, *, scenario: str | None = None, models: Iterable[str] | None = None,
         changes: int = 5) -> str:
    """The golden quantities (term, quantity, value, tolerance), the input pins and the last changelog lines."""
    golden = Path(golden)
    if not golden.is_dir():
        raise InputError(f"{golden}: golden folder not found")
    tolerances = _tolerances(golden)
    scenarios = [scenario] if scenario else sorted(p.name for p in golden.iterdir() if p.is_dir())
    out: list[str] = []
    for sc in scenarios:
        entries = store.read_golden(golden, sc)
        for m in _select(models, entries):
            if m not in entries:
                raise InputError(f"{golden / sc}: model {m!r} not recorded; recorded: {sorted(entries)}")
            e = entries[m]
            out.append(f"{sc}/{m}  ({e.get('kind')}, outcome {e.get('outcome')})")
            rows = [(t, q, repr(v), tolerances.lookup(m, q).describe() if not isinstance(v, (str, bool)) else "exact")
                    for t, qs in e["quantities"].items() for q, v in qs.items()]
            widths = [max(len(r[i]) for r in rows) for i in range(3)] if rows else [0, 0, 0]
            out += [f"  {t:<{widths[0]}}  {q:<{widths[1]}}  {v:>{widths[2]}}  {tol}" for t, q, v, tol in rows]
        pins = store.read_pins(golden, sc)
        if pins:
            out.append(f"{sc} inputs: sample {pins.get('embedded_sample')}")
            out += [f"  {p}  sha256:{h}" for p, h in sorted(pins.get("files", {}).items())]
    log = golden / store.CHANGELOG_FILE
    if changes and log.is_file():
        entries_log = [ln for ln in log.read_text(encoding="utf-8").splitlines() if ln.startswith("- ")]
        out.append(f"last changes ({log}):")
        out += [f"  {ln[2:]}" for ln in entries_log[-changes:]]
    return "\n".join(out) + "\n"
