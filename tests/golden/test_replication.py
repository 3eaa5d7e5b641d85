"""Replication mode end to end: the default workflow rerun offline with pinned inputs, opening no socket,
reproduces the committed golden results bit for bit.

Every Python process of the run (``i4d validate``, Snakemake, each ``i4d`` rule) starts with a
``sitecustomize`` of this test on ``PYTHONPATH`` (independent of the package's own network guard, which
replication mode chains in front of it) that records, then refuses, any connect, datagram or name lookup,
and records the creation and binding of every IPv4/IPv6 socket; the test asserts that nothing but
urllib3's import-time IPv6 probe was recorded.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.workflow

REPO = Path(__file__).resolve().parents[2]

RECORDER = '''
import os, socket, sys
_LOG = os.environ["SOCKET_RECORD"]
_INET = (socket.AF_INET, socket.AF_INET6)
def _write(text):
    with open(_LOG, "a") as fh:
        fh.write(f"{os.getpid()} {' '.join(sys.argv[:3])}: {text}\\n")
def _record(call, detail):
    _write(f"{call} {detail!r}")
    raise OSError(f"socket recorder: {call} {detail!r}")
def _caller():
    code = sys._getframe(2).f_code
    return f"{code.co_filename}:{code.co_name}"
_init, _bind, _sendto = socket.socket.__init__, socket.socket.bind, socket.socket.sendto
def __init__(self, family=-1, type=-1, proto=-1, fileno=None):
    _init(self, family, type, proto, fileno)
    if fileno is None and self.family in _INET:
        _write(f"created {self.family.name} by {_caller()}")
def bind(self, address):
    if self.family in _INET:
        _write(f"bind {address!r} by {_caller()}")
    return _bind(self, address)
def sendto(self, *args):
    if self.family in _INET:
        _record("sendto", args[-1])
    return _sendto(self, *args)
socket.socket.__init__, socket.socket.bind, socket.socket.sendto = __init__, bind, sendto
socket.socket.connect = lambda self, address: _record("connect", address)
socket.socket.connect_ex = lambda self, address: _record("connect_ex", address)
socket.create_connection = lambda address, *a, **k: _record("create_connection", address)
socket.getaddrinfo = lambda host, *a, **k: _record("getaddrinfo", host)
socket.gethostbyname = lambda host: _record("gethostbyname", host)
socket.gethostbyname_ex = lambda host: _record("gethostbyname_ex", host)
'''
# urllib3 (imported by Snakemake) probes IPv6 support when imported: socket(AF_INET6).bind(("::1", 0)),
# closed at once; no connection, lookup or datagram. The only socket activity a run may show.
_URLLIB3_PROBE = "urllib3/util/connection.py:_has_ipv6"


def _socket_events(tmp_path: Path) -> list[str]:
    """Recorded socket events other than urllib3's import-time IPv6 probe."""
    log = tmp_path / "sockets.log"
    lines = log.read_text().splitlines() if log.exists() else []
    probe = (": created AF_INET6 by", ": bind ('::1', 0")
    return [ln for ln in lines if not (_URLLIB3_PROBE in ln and any(p in ln for p in probe))]


def _env(tmp_path: Path, shared_data: Path) -> dict[str, str]:
    rec = tmp_path / "recorder"
    rec.mkdir(exist_ok=True)
    (rec / "sitecustomize.py").write_text(RECORDER)
    env = {k: v for k, v in os.environ.items() if k not in ("I4D_MIRROR", "I4D_CACHE")}
    env.update(PYTHONPATH=str(rec), SOCKET_RECORD=str(tmp_path / "sockets.log"), I4D_SHARED_DATA=str(shared_data),
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    return env


def _i4d(env: dict[str, str], *args: object, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "i4districts", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=1800)


def test_the_recorder_sees_a_socket(tmp_path, shared_data):
    """Positive control: the recorder is loaded by child processes and records a connection attempt."""
    env = _env(tmp_path, shared_data)
    probe = ("import socket\ntry: socket.create_connection(('127.0.0.1', 9))\nexcept OSError: pass\n"
             "socket.socket(socket.AF_INET).close()")
    proc = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    events = _socket_events(tmp_path)
    assert any(e.endswith("create_connection ('127.0.0.1', 9)") for e in events), events
    assert any("created AF_INET" in e for e in events), events


def test_replication_opens_no_socket_and_reproduces_golden_exactly(tmp_path, shared_data):
    env = _env(tmp_path, shared_data)
    summary = tmp_path / "summary.json"
    proc = _i4d(env, "validate", "--replicate", "--exact", "--repo", REPO, "--golden", REPO / "golden",
                "--workdir", tmp_path / "replication", "--summary", summary)
    assert _socket_events(tmp_path) == []
    assert proc.returncode == 0, proc.stdout + proc.stderr
    s = json.loads(summary.read_text())
    assert s["status"] == "pass" and s["exact"] is True and s["mode"] == "replicate-exact"
    assert s["counts"]["identical"] == s["counts"]["checks"] > 100
    rep = s["replication"]
    assert rep["network_attempts"] == [] and rep["input_problems"] == [] and rep["returncode"] == 0
    assert set(rep["inputs"]) == set(json.loads((REPO / "golden" / "italy" / "inputs.json").read_text())["files"])
    assert "validate italy: PASS" in proc.stdout


def test_a_changed_input_stops_replication_before_the_run(tmp_path, shared_data):
    golden = tmp_path / "golden"
    shutil.copytree(REPO / "golden", golden)
    pins_path = golden / "italy" / "inputs.json"
    pins = json.loads(pins_path.read_text())
    victim = sorted(pins["files"])[0]
    pins["files"][victim] = "0" * 64
    pins_path.write_text(json.dumps(pins))
    proc = _i4d(_env(tmp_path, shared_data), "validate", "--replicate", "--repo", REPO, "--golden", golden,
                "--workdir", tmp_path / "replication")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"input {victim}: sha256 " in proc.stdout and f"does not match the pin {'0' * 64}" in proc.stdout
    assert not (tmp_path / "replication" / "work" / "results").exists()  # nothing was run
    assert _socket_events(tmp_path) == []
