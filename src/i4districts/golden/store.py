"""The golden folder: per-model golden files, input pins, tolerances and the changelog.

Layout (``golden/`` at the repository root)::

    golden/tolerances.yaml            tolerances per quantity (i4districts.golden.tolerances)
    golden/CHANGELOG.md               one dated line per change, appended by `i4d golden ...`
    golden/<scenario>/<model>.json    {"scenario", "model", "kind", "outcome", "quantities": {term: {q: v}}}
    golden/<scenario>/inputs.json     {"files": {path: sha256}, "embedded_sample": vintage} (replication pins)

Golden files hold no timestamps (a rewrite that changes nothing changes no
byte); who changed what, when and why is in the changelog. They are written
only by :func:`write_models` / :func:`write_pins`, which the ``i4d golden``
commands call together with :func:`append_changelog`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from i4districts.errors import InputError
from i4districts.golden.quantities import record_quantities
from i4districts.io import write_json, write_text

__all__ = [
    "TOLERANCES_FILE", "CHANGELOG_FILE", "PINS_FILE", "read_run", "golden_entry", "run_sample_vintage",
    "read_golden", "write_models", "remove_model", "read_pins", "write_pins", "append_changelog",
    "changelog_header", "describe_changes",
]

TOLERANCES_FILE = "tolerances.yaml"
CHANGELOG_FILE = "CHANGELOG.md"
PINS_FILE = "inputs.json"
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")

Terms = dict[str, dict[str, Any]]


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid JSON ({exc})") from None


def _check_id(model: str, where: str) -> str:
    if not _SAFE_ID.match(model):
        raise InputError(f"{where}: model id {model!r} is not a safe file name ([A-Za-z0-9_.-])")
    return model


def read_run(run: str | Path) -> dict[str, dict[str, Any]]:
    """``{model_id: record}`` of the estimation records ``<run>/models/*.json``."""
    models_dir = Path(run) / "models"
    if not models_dir.is_dir():
        raise InputError(f"{run}: not a run folder (no models/ below it; expected e.g. results/italy)")
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(models_dir.glob("*.json")):
        rec = _load_json(path)
        if not isinstance(rec, dict) or "coefficients" not in rec:
            raise InputError(f"{path}: not an estimation record (no 'coefficients')")
        model = _check_id(str(rec.get("model_id") or path.stem), str(path))
        if model != path.stem:
            raise InputError(f"{path}: model_id {model!r} differs from the file name {path.stem!r}")
        out[model] = rec
    if not out:
        raise InputError(f"{models_dir}: no estimation records (*.json)")
    return out


def run_sample_vintage(run: str | Path) -> str | None:
    """The sample's vintage recorded by the panel step (``data/panel_report.json``), if any."""
    report = Path(run) / "data" / "panel_report.json"
    if not report.is_file():
        return None
    value = _load_json(report).get("vintage")
    return None if value is None else str(value)


def golden_entry(scenario: str, model: str, record: Mapping[str, Any]) -> dict[str, Any]:
    """The golden file content of one model record."""
    return {"scenario": scenario, "model": model, "kind": record.get("kind"), "outcome": record.get("outcome"),
            "quantities": record_quantities(record)}


def read_golden(golden: str | Path, scenario: str) -> dict[str, dict[str, Any]]:
    """``{model: golden entry}`` of ``golden/<scenario>/*.json`` (the pins file aside)."""
    d = Path(golden) / scenario
    if not d.is_dir():
        raise InputError(f"{golden}: no golden results for scenario {scenario!r} (no folder {d}); "
                         "record them with `i4d golden record --run results/<scenario> --reason ...`")
    out = {}
    for path in sorted(d.glob("*.json")):
        if path.name == PINS_FILE:
            continue
        doc = _load_json(path)
        if not isinstance(doc, dict) or not isinstance(doc.get("quantities"), dict) or doc.get("model") != path.stem:
            raise InputError(f"{path}: not a golden file (needs 'model' = {path.stem!r} and 'quantities')")
        out[path.stem] = doc
    return out


def write_models(golden: str | Path, scenario: str, entries: Mapping[str, Mapping[str, Any]]) -> list[Path]:
    """Write ``golden/<scenario>/<model>.json`` for each entry (atomic, key-sorted)."""
    d = Path(golden) / _check_id(scenario, "scenario")
    d.mkdir(parents=True, exist_ok=True)
    return [write_json(dict(entry), d / f"{_check_id(model, 'golden')}.json") for model, entry in entries.items()]


def remove_model(golden: str | Path, scenario: str, model: str) -> None:
    (Path(golden) / scenario / f"{_check_id(model, 'golden')}.json").unlink()


def read_pins(golden: str | Path, scenario: str) -> dict[str, Any]:
    """``golden/<scenario>/inputs.json`` (``{}`` when absent)."""
    path = Path(golden) / scenario / PINS_FILE
    if not path.is_file():
        return {}
    doc = _load_json(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("files", {}), dict):
        raise InputError(f"{path}: expected {{'files': {{path: sha256}}, 'embedded_sample': ...}}")
    return doc


def write_pins(golden: str | Path, scenario: str, pins: Mapping[str, Any]) -> Path:
    d = Path(golden) / _check_id(scenario, "scenario")
    d.mkdir(parents=True, exist_ok=True)
    return write_json(dict(pins), d / PINS_FILE)


def changelog_header() -> str:
    return ("# Golden results: changelog\n\n"
            "Every change of the golden files is appended here by `i4d golden record|update|pin|drop` "
            "(never edit the golden files by hand).\nFormat: date (UTC) | scenario | command | reason | "
            "what changed | package fingerprint.\n\n")


def append_changelog(golden: str | Path, *, scenario: str, command: str, reason: str, changes: str,
                     package: str, now: datetime | None = None) -> str:
    """Append one dated line to ``golden/CHANGELOG.md`` (created with a header); return the line."""
    when = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    clean = " ".join(reason.split()).replace("|", "/")
    line = f"- {when} | {scenario} | {command} | {clean} | {changes} | {package}\n"
    path = Path(golden) / CHANGELOG_FILE
    old = path.read_text(encoding="utf-8") if path.is_file() else changelog_header()
    if old and not old.endswith("\n"):
        old += "\n"
    write_text(old + line, path)
    return line.rstrip("\n")


def _changed_quantities(old: Terms, new: Terms) -> list[str]:
    out = []
    for term in sorted(set(old) | set(new)):
        o, n = old.get(term, {}), new.get(term, {})
        for q in sorted(set(o) | set(n)):
            if q not in o or q not in n or o[q] != n[q] or type(o[q]) is not type(n[q]):
                out.append(f"{term} {q}")
    return out


def describe_changes(old: Mapping[str, Mapping[str, Any]], new: Mapping[str, Mapping[str, Any]],
                     removed: Iterable[str] = ()) -> str:
    """``'ld_robots: 2 quantities (exposure estimate, exposure t); new: m2; removed: m3'`` or ``'no change'``."""
    parts = []
    for model in sorted(new):
        if model not in old:
            parts.append(f"new model {model} ({sum(len(q) for q in new[model]['quantities'].values())} quantities)")
            continue
        changed = _changed_quantities(old[model]["quantities"], new[model]["quantities"])
        if changed:
            shown = ", ".join(changed[:4]) + (f", ... ({len(changed)} in total)" if len(changed) > 4 else "")
            parts.append(f"{model}: {len(changed)} quantities ({shown})")
    parts += [f"removed model {m}" for m in sorted(removed)]
    return "; ".join(parts) if parts else "no change"
