"""The network guard of replication mode, in a child process as the workflow's processes see it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from i4districts.golden.netguard import GUARD_DIR
from i4districts.golden.replicate import external_inputs, check_pins, replication_env

PROBE = """
import socket
results = []
for call in (lambda: socket.create_connection(("127.0.0.1", 9), timeout=1),
             lambda: socket.getaddrinfo("example.org", 443),
             lambda: socket.gethostbyname("example.org"),
             lambda: socket.socket(socket.AF_INET6, socket.SOCK_STREAM).connect(("::1", 9)),
             lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("127.0.0.1", 9))):
    try:
        call()
        results.append("open")
    except PermissionError as exc:
        results.append(type(exc).__name__)
a, b = socket.socketpair()  # local IPC is not network
a.sendall(b"x"); results.append(b.recv(1).decode())
print(" ".join(results))
"""


def _probe(tmp_path: Path, pythonpath: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": pythonpath, "I4D_NETGUARD_LOG": str(tmp_path / "net.log")}
    return subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=60)


def test_guard_refuses_and_logs_every_network_call(tmp_path):
    proc = _probe(tmp_path, str(GUARD_DIR))
    assert proc.stdout.split() == ["NetworkRefused"] * 5 + ["x"], proc.stderr
    calls = [line.split("\t")[1] for line in (tmp_path / "net.log").read_text().splitlines()]
    assert calls == ["create_connection", "getaddrinfo", "gethostbyname", "connect", "sendto"]


def test_guard_chains_to_the_next_sitecustomize(tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "sitecustomize.py").write_text("import os\nos.environ['CHAINED'] = 'yes'\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(GUARD_DIR), str(other)])}
    proc = subprocess.run([sys.executable, "-c", "import os, socket; print(os.environ.get('CHAINED'), "
                           "getattr(socket, '_i4d_netguard', False))"], capture_output=True, text=True, env=env)
    assert proc.stdout.split() == ["yes", "True"], proc.stderr


def test_replication_environment(tmp_path):
    env = replication_env({"PYTHONPATH": "/x", "PATH": "/bin", "I4D_FETCH_MODE": "online"}, tmp_path / "n.log")
    assert env["I4D_REPLICATION"] == "1" and env["I4D_FETCH_MODE"] == "replay"
    assert env["PYTHONPATH"].split(os.pathsep) == [str(GUARD_DIR), "/x"]
    assert env["PATH"].split(os.pathsep)[0] == str(Path(sys.executable).parent)
    assert env["I4D_NETGUARD_LOG"] == str(tmp_path / "n.log")


def test_external_inputs_of_a_dry_run_listing():
    listing = ("rule adoption:\n    input: results/italy/data/panel.parquet, ../shared/data/isoc/a.csv\n"
               "rule x:\n    input: config/models/m.yaml, /abs/b.csv\n    output: results/italy/y\n")
    assert external_inputs(listing) == ["../shared/data/isoc/a.csv", "/abs/b.csv"]


def test_pin_problems():
    problems = check_pins({"a": "1", "b": "2", "c": "3"}, {"a": "1", "b": "9", "d": "4"})
    assert problems == ["input b: sha256 2 does not match the pin 9",
                        "input c: not pinned (sha256 3); pin it with `i4d golden pin`",
                        "input d: pinned but not read by the workflow"]
