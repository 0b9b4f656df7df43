"""Where the program keeps its files: the database and logs in the user's data folders."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "Opora"


def data_dir() -> Path:
    override = os.environ.get("OPORA_DATA_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False, roaming=False))


def default_database_path() -> Path:
    return data_dir() / "opora.sqlite"


def log_dir() -> Path:
    return data_dir() / "logs"


def resources_dir() -> Path:
    """resources/ beside the sources, or inside a PyInstaller bundle."""
    import sys

    base = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parent.parent))
    return base / "resources"
