"""The suite runs without network: the guard refuses and records every attempt, in this process
and in child processes, while local work (files, SQLite, Unix sockets) goes on."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from opora_network_guard import RECORD_VARIABLE, NetworkUseError


def _child(code: str, record: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, RECORD_VARIABLE: str(record)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)


@pytest.mark.parametrize(
    "attempt",
    [
        "socket.create_connection(('127.0.0.1', 9), timeout=1)",
        "socket.getaddrinfo('example.org', 443)",
        "socket.socket(socket.AF_INET6, socket.SOCK_STREAM)",
        "import urllib.request; urllib.request.urlopen('http://127.0.0.1:9/', timeout=1)",
    ],
)
def test_a_child_process_cannot_reach_the_network_and_the_attempt_is_recorded(
    tmp_path: Path, attempt: str
) -> None:
    record = tmp_path / "record.log"
    code = f"import socket\ntry:\n    {attempt}\nexcept OSError as exc:\n    print(type(exc).__name__)\n"
    result = _child(code, record)
    assert result.returncode == 0, result.stderr
    assert "NetworkUseError" in result.stdout or "URLError" in result.stdout
    assert record.read_text(encoding="utf-8").startswith("pid ")


def test_local_work_is_not_refused(tmp_path: Path) -> None:
    record = tmp_path / "record.log"
    code = (
        "import socket, sqlite3\n"
        "a, b = socket.socketpair()\n"
        "a.sendall(b'x'); assert b.recv(1) == b'x'\n"
        "sqlite3.connect(':memory:').execute('select 1')\n"
        "print(socket.gethostname() != '')\n"
    )
    result = _child(code, record)
    assert result.stdout.strip() == "True", result.stderr
    assert not record.exists()


def test_this_process_is_guarded_too() -> None:
    record = Path(os.environ[RECORD_VARIABLE])
    earlier = record.read_text(encoding="utf-8") if record.exists() else ""
    with pytest.raises(NetworkUseError):
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    assert "socket.__new__" in record.read_text(encoding="utf-8")[len(earlier) :]
    # This refusal was the test's own: put the record back so that the run is not failed for it.
    record.write_text(earlier, encoding="utf-8")
