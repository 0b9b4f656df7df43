"""Writing an export safely: to a temporary file beside the target, moved into place at the end.

A cancelled or failed export never leaves half a file under the user's chosen name, and a file
open in Excel or Word gets a clear Russian message instead of a traceback.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from app.errors import AppError, os_reason


def check_target(path: Path, suffixes: tuple[str, ...], what: str) -> Path:
    """The path if its extension fits and its folder exists; otherwise a Russian refusal."""
    path = Path(path)
    if path.suffix.lower() not in suffixes:
        wanted = " или ".join(suffixes)
        raise AppError(f"{what}: укажите имя файла с расширением {wanted}, а не «{path.name}».")
    if not path.parent.exists():
        raise AppError(f"Папка «{path.parent}» не существует.")
    return path


def write_atomically(path: Path, write: Callable[[str], None]) -> None:
    """Call `write(temp_name)` and move the result to `path`."""
    path = Path(path)
    try:
        handle, temp_name = tempfile.mkstemp(prefix=".opora-", suffix=path.suffix, dir=path.parent)
    except OSError as exc:  # a read-only folder or disk, a full disk, a folder that vanished
        raise AppError(
            f"Не удалось записать файл «{path.name}» в папку «{path.parent}»: "
            f"{'папка защищена от записи' if isinstance(exc, PermissionError) else os_reason(exc)}. "
            "Выберите другую папку."
        ) from exc
    os.close(handle)
    try:
        write(temp_name)
        # mkstemp makes the file private (0600); an export is a document to share like any other.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp_name, 0o666 & ~umask)
        os.replace(temp_name, path)
    except PermissionError as exc:
        raise AppError(
            f"Не удалось записать файл «{path.name}»: он открыт в другой программе или папка "
            "защищена от записи. Закройте файл и повторите."
        ) from exc
    except OSError as exc:
        raise AppError(
            f"Не удалось записать файл «{path.name}» в папку «{path.parent}»: {os_reason(exc)}. "
            "Прежние файлы не изменены; освободите место или выберите другую папку."
        ) from exc
    finally:
        if os.path.exists(temp_name):
            os.remove(temp_name)
