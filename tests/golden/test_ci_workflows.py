"""The example CI workflows parse, have the triggers they claim, and call valid `i4d` command lines."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
import yaml

from i4districts.cli import build_parser

WORKFLOWS = Path(__file__).resolve().parents[2] / ".github" / "workflows"


def _load(name: str) -> dict:
    doc = yaml.safe_load((WORKFLOWS / name).read_text())
    assert isinstance(doc, dict) and doc.get("jobs"), name
    return doc


def _triggers(doc: dict) -> dict:
    on = doc.get("on", doc.get(True))  # YAML 1.1 reads the bare key `on` as the boolean true
    return {on: None} if isinstance(on, str) else dict(on)


def _steps(doc: dict) -> list[dict]:
    return [s for job in doc["jobs"].values() for s in job["steps"]]


def _scripts(doc: dict) -> list[str]:
    return [s["run"] for s in _steps(doc) if "run" in s]


def _i4d_commands(doc: dict) -> list[list[str]]:
    """Every `i4d ...` command line of the run scripts (continuations joined, cut at a pipe)."""
    out = []
    for script in _scripts(doc):
        for line in script.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            if words[:1] == ["i4d"]:
                out.append(words[1:words.index("|")] if "|" in words else words[1:])
    return out


def _valid_cron(expr: str) -> bool:
    fields = expr.split()
    return len(fields) == 5 and all(f and set(f) <= set("0123456789*/,-") for f in fields)


@pytest.mark.parametrize("name", ["refresh.yml", "pull-request.yml"])
def test_workflow_parses_and_every_i4d_command_line_is_valid(name):
    doc = _load(name)
    commands = _i4d_commands(doc)
    assert commands
    parser = build_parser()
    for argv in commands:
        args = parser.parse_args(argv)  # SystemExit (a failed test) on an unknown command or flag
        assert getattr(args, "func", None), argv
    for step in _steps(doc):
        if "uses" in step:
            assert "@v" in step["uses"], step  # actions pinned to a major version


def test_refresh_is_scheduled_and_runs_refresh_then_validate():
    doc = _load("refresh.yml")
    trig = _triggers(doc)
    crons = [c["cron"] for c in trig["schedule"]]
    assert crons and all(_valid_cron(c) for c in crons)
    commands = _i4d_commands(doc)
    names = [c[0] for c in commands]
    assert "refresh" in names and "validate" in names and names.index("refresh") < names.index("validate")
    validate = commands[names.index("validate")]
    assert "--run" in validate and "--summary" in validate


def test_pull_request_runs_the_tests_and_validate_in_replication_mode():
    doc = _load("pull-request.yml")
    assert "pull_request" in _triggers(doc)
    scripts = "\n".join(_scripts(doc))
    assert ".ci/run" in scripts or "pytest" in scripts
    validate = [c for c in _i4d_commands(doc) if c[0] == "validate"]
    assert validate and all("--replicate" in c and "--summary" in c for c in validate)
    # the replication job reads the shared data where the config expects it (../shared/data)
    assert doc["env"]["I4D_SHARED_DATA"].endswith("/shared/data")
