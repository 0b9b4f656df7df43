"""Refuse and record every network operation made from Python during the tests.

«Опора» must work on office PCs without internet, and nothing in it should ever try to reach one:
the test suite runs with this guard in its own process and, through `sitecustomize`, in every
Python child process it starts. It is a `sys.addaudithook` hook (PEP 578), so it sees the
sockets made by any library, not only ours: an IPv4/IPv6 socket, a connect, a bind, a send to an
address or a DNS lookup is refused with `NetworkUseError` and written to the file named by
OPORA_NETWORK_RECORD; `tests/conftest.py` fails the run when that file is not empty. Local
(AF_UNIX) sockets, which Qt and D-Bus use on Linux, are allowed.
"""

from __future__ import annotations

import os
import socket
import sys
import traceback

RECORD_VARIABLE = "OPORA_NETWORK_RECORD"
_NETWORK_FAMILIES = {socket.AF_INET, socket.AF_INET6}
_LOOKUPS = {
    "socket.getaddrinfo",
    "socket.gethostbyname",
    "socket.gethostbyaddr",
    "socket.getnameinfo",
}
_ADDRESSED = {"socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg"}
_installed = False


class NetworkUseError(OSError):
    """A network operation in a process where none is allowed."""


def _record(event: str, args: tuple[object, ...]) -> None:
    path = os.environ.get(RECORD_VARIABLE)
    stack = "".join(traceback.format_stack(limit=12)[:-2])
    line = f"pid {os.getpid()}: {event} {args!r}\n{stack}\n"
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(line)


def _family_of(sock: object) -> int | None:
    return getattr(sock, "family", None)


def _hook(event: str, args: tuple[object, ...]) -> None:
    if not event.startswith("socket."):
        return
    refused = False
    if event == "socket.__new__":
        refused = len(args) > 1 and args[1] in _NETWORK_FAMILIES
    elif event in _ADDRESSED:
        refused = _family_of(args[0]) in _NETWORK_FAMILIES
    elif event in _LOOKUPS:
        refused = True
    if refused:
        _record(event, args[1:] if event in _ADDRESSED else args)
        raise NetworkUseError(f"network use is not allowed in the tests: {event}")


def install() -> None:
    """Install the hook once per process (audit hooks cannot be removed)."""
    global _installed
    if not _installed:
        sys.addaudithook(_hook)
        _installed = True
