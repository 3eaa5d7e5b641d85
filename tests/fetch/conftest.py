"""Fixtures of the fetch tests: a scripted HTTP server on 127.0.0.1 and a socket guard.

The server answers each path from a queue of scripted responses (the last one
repeats) and logs every request with its arrival time, so tests count what
really reached the server. Special bodies: ``hang`` (never answer within the
client's timeout), ``truncate`` (declare more bytes than sent, then close) and
``drip`` (send the body one byte every ``hang_s`` seconds).
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Scripted:
    status: int = 200
    body: bytes = b""
    headers: dict = field(default_factory=dict)
    behaviour: str = "normal"  # normal | hang | truncate | drip
    hang_s: float = 3.0


class ScriptServer:
    def __init__(self) -> None:
        self.routes: dict[str, list[Scripted]] = {}
        self.log: list[tuple[float, str, dict]] = []
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):  # keep pytest output clean
                pass

            def do_GET(self):  # noqa: N802
                with outer.lock:
                    outer.log.append((time.time(), self.path, dict(self.headers)))
                    queue = outer.routes.get(self.path) or outer.routes.get(self.path.split("?")[0])
                    if not queue:
                        resp = Scripted(404, b"no route")
                    else:
                        resp = queue.pop(0) if len(queue) > 1 else queue[0]
                if resp.behaviour == "hang":
                    time.sleep(resp.hang_s)
                    return
                self.send_response(resp.status)
                for k, v in resp.headers.items():
                    self.send_header(k, v)
                length = len(resp.body) + (1000 if resp.behaviour == "truncate" else 0)
                self.send_header("Content-Length", str(length))
                self.end_headers()
                if resp.behaviour == "drip":
                    try:
                        for i in range(len(resp.body)):
                            self.wfile.write(resp.body[i : i + 1])
                            self.wfile.flush()
                            time.sleep(resp.hang_s)
                    except OSError:  # the client gave up
                        pass
                    return
                self.wfile.write(resp.body)
                if resp.behaviour == "truncate":
                    self.wfile.flush()
                    self.close_connection = True

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def route(self, path: str, *responses: Scripted) -> str:
        self.routes[path] = list(responses)
        return self.url + path

    def hits(self, path: str | None = None) -> int:
        return sum(1 for _, p, _ in self.log if path is None or p == path or p.split("?")[0] == path)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    srv = ScriptServer()
    yield srv
    srv.close()


@pytest.fixture
def no_sockets(monkeypatch):
    """Record (and refuse) every attempt to open a network connection."""
    attempts: list[object] = []

    def refuse_connect(self, address, *a, **k):
        attempts.append(address)
        raise AssertionError(f"socket connect attempted to {address}")

    def refuse_create(address, *a, **k):
        attempts.append(address)
        raise AssertionError(f"socket.create_connection attempted to {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse_connect)
    monkeypatch.setattr(socket, "create_connection", refuse_create)
    return attempts


def offline(tmp_path, shared_data):
    """A Fetcher in offline mode serving the shared mirror, with its cache under ``tmp_path``."""
    from i4districts.fetch.client import Fetcher
    from i4districts.fetch.settings import FetchSettings

    return Fetcher(FetchSettings.resolve(mode="offline", cache=tmp_path / "cache", mirror=shared_data, env={}))
