"""`python main.py …` in a child process, as a user runs it: the tests of every command use this."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def run_main(*args: str | Path, data_dir: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The program with these arguments, its data folder (settings, logs, backups) in `data_dir`."""
    env = {**os.environ, "OPORA_DATA_DIR": str(data_dir), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, str(REPO_ROOT / "main.py"), *map(str, args)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
    )
