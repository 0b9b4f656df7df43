"""The layers: app/ and db/ never load Qt, and the start-up path stays light.

Each check runs in a fresh interpreter, since this test process may already have imported Qt or
pandas for other tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def _run(code: str) -> dict[str, list[str]]:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_app_and_db_import_no_qt() -> None:
    report = _run(
        """
        import importlib, json, pkgutil, sys
        import app, db
        imported = []
        for package in (app, db):
            imported.append(package.__name__)
            for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
                importlib.import_module(info.name)
                imported.append(info.name)
        qt = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6"))
        print(json.dumps({"imported": imported, "qt": qt}))
        """
    )
    # The walk really went through the packages, the command line included.
    for module in ("app.cli", "app.schools", "app.registry", "app.demo", "db.connection", "db.migrations"):
        assert module in report["imported"]
    assert report["qt"] == [], f"app/db loaded Qt modules: {report['qt']}"


def test_start_up_path_does_not_import_heavy_libraries() -> None:
    report = _run(
        """
        import json, sys
        import main, app.cli, app.schools, app.registry, db
        heavy = sorted(
            m for m in sys.modules
            if m.split(".")[0] in ("pandas", "numpy", "sqlite_utils", "openpyxl", "PySide6", "shiboken6")
        )
        print(json.dumps({"heavy": heavy}))
        """
    )
    assert report["heavy"] == [], f"start-up path imported: {report['heavy']}"
