"""The program's version, written in one place: [project] version of pyproject.toml.

From the sources it is read from pyproject.toml beside them; in the PyInstaller bundle from the
copy build/opora.spec puts at the bundle's top (sys._MEIPASS), so the frozen program reports the
version it was built from; installed as a package (pip install .), from the package's metadata.
Read on demand (`opora --version`, the self-check, the build scripts), never on the way to the
window: tomllib and importlib.metadata stay off the start-up path.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

PROJECT = "opora"
UNKNOWN = "0+unknown"


def project_root() -> Path:
    """The folder holding pyproject.toml: the sources' root, or the bundle's top when frozen."""
    return Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parent.parent))


def read_pyproject_version(path: Path) -> str | None:
    """[project] version of this pyproject.toml when it is «Опора»'s own; None otherwise."""
    import tomllib

    try:
        with path.open("rb") as handle:
            project = tomllib.load(handle).get("project", {})
    except (OSError, tomllib.TOMLDecodeError):
        return None
    if project.get("name") != PROJECT or not isinstance(project.get("version"), str):
        return None
    return str(project["version"])


@cache
def version() -> str:
    found = read_pyproject_version(project_root() / "pyproject.toml")
    if found is not None:
        return found
    from importlib import metadata

    try:
        return metadata.version(PROJECT)
    except metadata.PackageNotFoundError:
        return UNKNOWN


def is_frozen() -> bool:
    """True inside the PyInstaller bundle."""
    return bool(getattr(sys, "frozen", False)) and hasattr(sys, "_MEIPASS")
