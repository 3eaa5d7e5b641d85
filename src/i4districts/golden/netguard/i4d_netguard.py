"""Refuse every network access of this Python process (i4districts replication mode).

Stdlib only (it runs from ``sitecustomize`` before anything else). After
:func:`install`, ``socket.getaddrinfo``, ``gethostbyname(_ex)``,
``create_connection`` and ``connect``/``connect_ex``/``sendto`` of IPv4/IPv6 sockets raise
:class:`NetworkRefused`; each attempt is first appended to the file named by
``I4D_NETGUARD_LOG`` (pid, call, address) so that the parent process can
assert that none happened. Local (``AF_UNIX``) sockets are left alone.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import socket
import sys

LOG_ENV = "I4D_NETGUARD_LOG"
_INET = (socket.AF_INET, getattr(socket, "AF_INET6", socket.AF_INET))


class NetworkRefused(PermissionError):
    """A network call in replication mode."""


def _refuse(call: str, detail: object) -> None:
    log = os.environ.get(LOG_ENV)
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()}\t{call}\t{detail!r}\t{' '.join(sys.argv[:3])}\n")
    raise NetworkRefused(f"i4districts replication mode: network access refused ({call} {detail!r})")


def install() -> None:
    """Patch the socket module of this process (idempotent)."""
    if getattr(socket, "_i4d_netguard", False):
        return
    connect, connect_ex, sendto = socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto

    def guarded_connect(self, address):
        if self.family in _INET:
            _refuse("connect", address)
        return connect(self, address)

    def guarded_connect_ex(self, address):
        if self.family in _INET:
            _refuse("connect_ex", address)
        return connect_ex(self, address)

    def guarded_sendto(self, *args):
        if self.family in _INET:
            _refuse("sendto", args[-1])
        return sendto(self, *args)

    def refuse(call):
        def refused(host, *args, **kwargs):
            _refuse(call, host)
        return refused

    socket.socket.connect = guarded_connect
    socket.socket.connect_ex = guarded_connect_ex
    socket.socket.sendto = guarded_sendto
    socket.getaddrinfo = refuse("getaddrinfo")
    socket.gethostbyname = refuse("gethostbyname")
    socket.gethostbyname_ex = refuse("gethostbyname_ex")
    socket.create_connection = refuse("create_connection")
    socket._i4d_netguard = True


def chain_sitecustomize(this_file: str) -> None:
    """Run the next ``sitecustomize`` on ``sys.path`` after the one in ``this_file``'s folder."""
    here = os.path.dirname(os.path.abspath(this_file))
    rest = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is None or spec.loader is None or not spec.origin:
        return
    if os.path.abspath(spec.origin) == os.path.abspath(this_file):
        return
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
