"""Backups of a database file: made, verified, kept, listed, restored; the `check` report.

Where: `data_dir()/backups/<stem>-<sha1 of the resolved path, 8 hex>/`, a local folder even when
the database sits on a network share; `источник.txt` inside names the database. Each copy is
`ГГГГ-ММ-ДД_ЧЧ-ММ-СС_<kind>.sqlite` (a `-2`, `-3` … before the extension when a second copy of the
same kind is made within the same second); `копии.json` remembers each copy's SHA-256, size and
schema version as verified when it was written.

How: SQLite's online backup API (consistent even while the program writes) from a read-only
connection into a hidden temporary file in the same folder, switched to the rollback journal (a
copy is one self-contained file), fsynced; an automatic copy byte-identical to the newest one is
dropped (a backup of unchanged data is byte-identical: measured, the backup API copies pages as
they are), anything else is verified (integrity_check, application_id, schema version) and only
then renamed into place. Rotation keeps the last N automatic copies (start/close/daily together)
and, separately, the last N manual and the last N «before restore» ones.

Restoring never overwrites a damaged file: it is renamed aside with its -wal/-shm/-journal files.
A healthy file is first copied as «перед восстановлением» and then restored in place with the
backup API (one transaction: a crash leaves the old content, another reader is not disturbed).

No Qt here; every failure is an `AppError` (or a `db.errors.DatabaseError`) with Russian text.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import logging
import os
import re
import sqlite3
import sys
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from app.errors import AppError, os_reason
from db.connection import sqlite_code

if TYPE_CHECKING:
    from db.connection import Database

log = logging.getLogger("opora")

KIND_LABELS = {
    "start": "при запуске",
    "close": "при закрытии",
    "daily": "ежедневная",
    "manual": "вручную",
    "before-restore": "перед восстановлением",
}
AUTOMATIC_KINDS = ("start", "close", "daily")
KEEP_SETTING = "backups.keep"
DEFAULT_KEEP = 10
KEEP_MIN, KEEP_MAX = 1, 100
DAILY_INTERVAL_S = 24 * 60 * 60
SOURCE_NOTE = "источник.txt"
MANIFEST = "копии.json"
_STAMP = "%Y-%m-%d_%H-%M-%S"
_NAME = re.compile(
    r"^(?P<stamp>\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2})_(?P<kind>start|close|daily|manual|before-restore)"
    r"(?:-(?P<seq>\d+))?\.sqlite$"
)
_TEMP_PREFIX = ".tmp-"
_BUSY_TIMEOUT_S = 5.0
# Pages copied per step of the backup API: between steps other connections may write (a network
# share in rollback-journal mode would otherwise wait for the whole copy).
_STEP_PAGES = 1024
_SQLITE_HEADER = b"SQLite format 3\x00"


# --- what a backup is ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created: datetime
    kind: str
    size: int
    schema_version: int | None
    verified: bool  # integrity_check passed when it was written and the file has not changed size since
    seq: int = 1

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def date_label(self) -> str:
        """«23.11.2026 10:15»"""
        return self.created.strftime("%d.%m.%Y %H:%M")

    @property
    def is_automatic(self) -> bool:
        return self.kind in AUTOMATIC_KINDS


@dataclass(frozen=True)
class BackupResult:
    """What `make_backup` did: a new copy, or none because the newest one holds the same data."""

    backup: BackupInfo | None
    same_as: BackupInfo | None = None
    removed: tuple[Path, ...] = ()

    @property
    def skipped(self) -> bool:
        return self.backup is None


@dataclass(frozen=True)
class RestoreResult:
    database: Path
    backup: Path
    before_restore: Path | None  # the copy of the healthy file made first
    moved_aside: tuple[Path, ...]  # the damaged file (first) and its -wal/-shm/-journal, renamed
    reason: str = ""  # why the file counted as damaged

    def summary(self) -> str:
        lines = [f"База данных «{self.database}» восстановлена из копии «{self.backup.name}»."]
        if self.before_restore is not None:
            lines.append(
                f"Прежнее состояние сохранено в копии «{self.before_restore.name}» (вид «перед восстановлением»)."
            )
        if self.moved_aside:
            lines.append(f"Повреждённый файл не удалён: он переименован в «{self.moved_aside[0]}».")
        return "\n".join(lines)


# --- where ------------------------------------------------------------------------------------------
def _resolved(path: Path) -> Path:
    return Path(os.path.abspath(Path(path).expanduser())).resolve()


def backup_folder(db_path: Path) -> Path:
    """The folder of `db_path`'s copies (not created here)."""
    from app.paths import data_dir

    resolved = _resolved(db_path)
    digest = hashlib.sha1(os.path.normcase(str(resolved)).encode("utf-8")).hexdigest()[:8]
    return data_dir() / "backups" / f"{resolved.stem}-{digest}"


def _prepare_folder(db_path: Path) -> Path:
    folder = backup_folder(db_path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        note = folder / SOURCE_NOTE
        text = (
            f"Резервные копии базы данных «Опоры»:\n{_resolved(db_path)}\n\n"
            "Восстановить: в программе — меню «Файл» → «Резервные копии…»; в командной строке — "
            "python main.py --db ФАЙЛ_БАЗЫ restore ФАЙЛ_КОПИИ\n"
        )
        if not note.exists() or note.read_text(encoding="utf-8", errors="replace") != text:
            note.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise AppError(
            f"Не удалось создать резервную копию базы «{db_path}»: в папку копий «{folder}» нельзя "
            f"записывать ({_os_reason(exc)}). База данных не изменена."
        ) from exc
    return folder


def _os_reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
            return "на диске нет места"
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS) or isinstance(exc, PermissionError):
            return "папка или файл защищены от записи"
        return os_reason(exc)
    text = str(exc).lower()
    if "full" in text:
        return "на диске нет места"
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return "папка или файл защищены от записи"
    return f"ошибка базы данных{sqlite_code(exc)}"


def _ro_uri(path: Path) -> str:
    """A read-only URI. A WAL-mode file without its -wal file is opened `immutable`: no program
    has it open (an open WAL database keeps its -wal file), and a plain read-only connection would
    leave empty -wal and -shm files behind it that it is not allowed to remove."""
    resolved = _resolved(path)
    uri = "file:" + urllib.parse.quote(str(resolved)) + "?mode=ro"
    try:
        with open(resolved, "rb") as handle:
            header = handle.read(20)
    except OSError:
        return uri
    if len(header) == 20 and header[18] == 2 and not Path(f"{resolved}-wal").exists():
        uri += "&immutable=1"
    return uri


@contextlib.contextmanager
def _read_only(path: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(_ro_uri(path), uri=True, timeout=_BUSY_TIMEOUT_S)
    try:
        yield conn
    finally:
        conn.close()


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _fsync_folder(folder: Path) -> None:
    if sys.platform == "win32":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _header_fields(path: Path) -> tuple[int | None, int | None]:
    """(schema version, application_id) read from the file's header, without SQLite."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(100)
    except OSError:
        return None, None
    if len(header) < 100 or not header.startswith(_SQLITE_HEADER):
        return None, None
    return int.from_bytes(header[60:64], "big"), int.from_bytes(header[68:72], "big")


def _remove_quietly(*paths: Path) -> None:
    for path in paths:
        with contextlib.suppress(OSError):
            path.unlink()


# --- the manifest -------------------------------------------------------------------------------------
def _read_manifest(folder: Path) -> dict[str, dict[str, object]]:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    return {k: v for k, v in files.items() if isinstance(v, dict)} if isinstance(files, dict) else {}


def _write_manifest(folder: Path, files: dict[str, dict[str, object]]) -> None:
    """Best effort: a missing manifest only makes the listing say «не проверена»."""
    temp = folder / f"{_TEMP_PREFIX}{os.getpid()}-manifest.json"
    try:
        temp.write_text(json.dumps({"files": files}, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(temp, folder / MANIFEST)
    except OSError as exc:
        log.warning("Список резервных копий «%s» не записан: %s", folder / MANIFEST, exc)
        _remove_quietly(temp)


def _update_manifest(
    folder: Path, add: dict[str, dict[str, object]] | None = None, drop: list[str] | None = None
) -> None:
    files = _read_manifest(folder)
    files.update(add or {})
    for name in drop or []:
        files.pop(name, None)
    # Entries of copies deleted by hand go too.
    files = {name: entry for name, entry in files.items() if (folder / name).exists()}
    _write_manifest(folder, files)


# --- listing ------------------------------------------------------------------------------------------
def _parse_name(path: Path) -> tuple[datetime, str, int] | None:
    match = _NAME.match(path.name)
    if not match:
        return None
    try:
        created = datetime.strptime(match.group("stamp"), _STAMP)
    except ValueError:
        return None
    return created, match.group("kind"), int(match.group("seq") or 1)


def backup_date(path: Path) -> datetime | None:
    """When the copy `path` was made, from its name (None for a file not named like a copy)."""
    parsed = _parse_name(Path(path))
    return parsed[0] if parsed else None


def _list_folder(folder: Path) -> list[BackupInfo]:
    if not folder.is_dir():
        return []
    manifest = _read_manifest(folder)
    found: list[tuple[tuple[datetime, int, int], BackupInfo]] = []
    for path in folder.iterdir():
        parsed = _parse_name(path)
        if parsed is None:
            continue
        created, kind, seq = parsed
        try:
            stat = path.stat()
        except OSError:
            continue
        version, _app_id = _header_fields(path)
        entry = manifest.get(path.name, {})
        verified = bool(entry.get("verified")) and entry.get("size") == stat.st_size and version is not None
        # Copies of one second (start, then a manual one) are ordered by when they were written.
        order = (created, seq, stat.st_mtime_ns)
        found.append((order, BackupInfo(path, created, kind, stat.st_size, version, verified, seq)))
    found.sort(key=lambda pair: pair[0], reverse=True)
    return [info for _order, info in found]


def list_backups(db_path: Path) -> list[BackupInfo]:
    """The copies of `db_path`, newest first."""
    return _list_folder(backup_folder(db_path))


def verify_backup(path: Path) -> str | None:
    """None when `path` is a good copy of a database of «Опора» this program can open; else why not."""
    from db.connection import APPLICATION_ID
    from db.migrations import latest_version

    path = Path(path)
    try:
        if not path.is_file():
            return f"файл «{path}» не найден"
        if path.stat().st_size == 0:
            return f"файл «{path.name}» пуст"
        with open(path, "rb") as handle:
            if handle.read(len(_SQLITE_HEADER)) != _SQLITE_HEADER:
                return f"файл «{path.name}» не является базой данных SQLite"
    except OSError as exc:
        return f"файл «{path.name}» не читается ({_os_reason(exc)})"
    try:
        with _read_only(path) as conn:
            rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check(20)").fetchall()]
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.Error as exc:
        text = str(exc).lower()
        if "not a database" in text or "malformed" in text or "corrupt" in text:
            return f"файл «{path.name}» повреждён{sqlite_code(exc)}"
        return f"файл «{path.name}» не читается{sqlite_code(exc)}"
    if rows != ["ok"]:
        return f"файл «{path.name}» повреждён (проверка целостности SQLite нашла ошибки в структуре файла)"
    if app_id != APPLICATION_ID:
        return f"файл «{path.name}» — не база данных «Опоры»"
    if version < 1:
        return f"в файле «{path.name}» нет таблиц «Опоры»"
    if version > latest_version():
        return (
            f"копия «{path.name}» сделана более новой версией «Опоры» (версия схемы {version}, "
            f"эта программа знает версии до {latest_version()})"
        )
    return None


def latest_good_backup(db_path: Path) -> BackupInfo | None:
    """The newest copy of `db_path` that passes `verify_backup` now (older ones are tried in turn)."""
    for info in list_backups(db_path):
        if verify_backup(info.path) is None:
            return info
        log.warning("Резервная копия «%s» не прошла проверку", info.path)
    return None


# --- settings -----------------------------------------------------------------------------------------
def _clamp_keep(value: object) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        return DEFAULT_KEEP
    return min(max(number, KEEP_MIN), KEEP_MAX)


def keep_count(database: Database) -> int:
    from app.office import OfficeService

    return _clamp_keep(OfficeService(database).setting(KEEP_SETTING, str(DEFAULT_KEEP)))


def set_keep_count(database: Database, count: int) -> None:
    from app.office import OfficeService

    if not KEEP_MIN <= int(count) <= KEEP_MAX:
        raise AppError(f"Число хранимых копий должно быть от {KEEP_MIN} до {KEEP_MAX}, а не {count}.")
    OfficeService(database).set_setting(KEEP_SETTING, str(int(count)))


def _stored_keep(source: sqlite3.Connection) -> int:
    try:
        row = source.execute("SELECT value FROM settings WHERE key = ?", (KEEP_SETTING,)).fetchone()
    except sqlite3.Error:
        return DEFAULT_KEEP
    return _clamp_keep(row[0]) if row else DEFAULT_KEEP


# --- making a copy ------------------------------------------------------------------------------------
class _TargetError(AppError):
    """Writing the copy failed (full disk, read-only folder): the source was not at fault."""


def _write_copy(source_path: Path, target: Path, where: str) -> int:
    """The backup API from `source_path` (read-only) into the new file `target`, then the rollback
    journal (a copy is one self-contained file). Returns the source's `backups.keep` setting.

    Raises `_TargetError` when the copy could not be written, a `DatabaseError` when the source
    could not be read.
    """
    try:
        with open(target, "xb"):  # the target first: its folder's problems are told as such
            pass
    except OSError as exc:
        raise _TargetError(f"не удалось записать файл {where}: {_os_reason(exc)}") from exc
    try:
        source = sqlite3.connect(_ro_uri(source_path), uri=True, timeout=_BUSY_TIMEOUT_S)
    except sqlite3.Error as exc:
        raise _translate_source(exc, source_path) from exc
    try:
        keep = _stored_keep(source)
        dest = sqlite3.connect(str(target))
        try:
            source.backup(dest, pages=_STEP_PAGES, sleep=0.05)
            dest.execute("PRAGMA journal_mode = DELETE")
        finally:
            dest.close()
    except sqlite3.Error as exc:
        text = str(exc).lower()
        if "full" in text or "disk i/o" in text or "readonly" in text or "unable to open" in text:
            raise _TargetError(f"не удалось записать файл {where}: {_os_reason(exc)}") from exc
        raise _translate_source(exc, source_path) from exc
    finally:
        source.close()
    return keep


def _translate_source(exc: sqlite3.Error, db_path: Path) -> Exception:
    from db.connection import _translate

    return _translate(exc, db_path)


def _unique_name(folder: Path, stamp: str, kind: str) -> Path:
    seq = 1
    while True:
        name = f"{stamp}_{kind}.sqlite" if seq == 1 else f"{stamp}_{kind}-{seq}.sqlite"
        if not (folder / name).exists():
            return folder / name
        seq += 1


def _clean_stale_temps(folder: Path, older_than_s: float = 3600) -> None:
    now = time.time()
    for path in folder.glob(f"{_TEMP_PREFIX}*"):
        with contextlib.suppress(OSError):
            if now - path.stat().st_mtime > older_than_s:
                path.unlink()


def make_backup(
    database: Database | Path, kind: str, *, keep: int | None = None, now: datetime | None = None
) -> BackupResult:
    """A verified copy of the database in its backups folder; see the module's docstring.

    `database` may be a `Database` or a path (only the file is used, through a read-only
    connection of its own: this runs on a worker thread or after the window has closed).
    """
    if kind not in KIND_LABELS:
        raise ValueError(f"unknown backup kind {kind!r}")
    db_path = Path(database if isinstance(database, str | Path) else database.path)
    if not db_path.is_file():
        raise AppError(f"Резервная копия не создана: файл базы данных «{db_path}» не найден.")
    folder = _prepare_folder(db_path)
    _clean_stale_temps(folder)
    stamp = (now or datetime.now()).strftime(_STAMP)
    temp = folder / f"{_TEMP_PREFIX}{stamp}-{kind}-{os.getpid()}-{time.monotonic_ns() % 1_000_000}.sqlite"
    try:
        try:
            stored_keep = _write_copy(db_path, temp, f"в папку копий «{folder}»")
        except _TargetError as exc:
            raise AppError(
                f"Резервная копия базы «{db_path.name}» не создана: {exc.message}. "
                "База данных не изменена, прежние копии сохранены."
            ) from exc
        _fsync_file(temp)
        digest = _sha256(temp)
        existing = _list_folder(folder)
        if kind in AUTOMATIC_KINDS and existing:
            newest = existing[0]
            entry = _read_manifest(folder).get(newest.path.name, {})
            newest_digest = entry.get("sha256") if entry.get("size") == newest.size else None
            if newest.size == temp.stat().st_size and (newest_digest or _sha256(newest.path)) == digest:
                _remove_quietly(temp)
                return BackupResult(None, same_as=newest)
        reason = verify_backup(temp)
        if reason is not None:
            raise AppError(
                f"Резервная копия базы «{db_path}» не прошла проверку: {reason.replace(temp.name, 'копия')}. "
                "Копия не сохранена, прежние копии не тронуты; выполните «check» и при повреждении "
                "восстановите базу из последней хорошей копии."
            )
        target = _unique_name(folder, stamp, kind)
        os.replace(temp, target)
        _fsync_folder(folder)
    except OSError as exc:
        raise AppError(
            f"Не удалось записать резервную копию базы «{db_path.name}» в папку «{folder}»: "
            f"{_os_reason(exc)}. База данных не изменена, прежние копии сохранены."
        ) from exc
    finally:
        _remove_quietly(temp, Path(f"{temp}-journal"), Path(f"{temp}-wal"), Path(f"{temp}-shm"))
    version, _app_id = _header_fields(target)
    size = target.stat().st_size
    _update_manifest(
        folder,
        add={
            target.name: {
                "sha256": digest,
                "size": size,
                "schema_version": version,
                "verified": datetime.now().isoformat(timespec="seconds"),
            }
        },
    )
    parsed = _parse_name(target)
    assert parsed is not None
    info = BackupInfo(target, parsed[0], kind, size, version, True, parsed[2])
    removed = rotate(folder, keep if keep is not None else stored_keep)
    log.info("Резервная копия (%s) создана: %s", KIND_LABELS[kind], target)
    return BackupResult(info, removed=tuple(removed))


def rotate(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` automatic copies, and likewise manual and before-restore ones."""
    keep = _clamp_keep(keep)
    groups: dict[str, list[BackupInfo]] = {}
    for info in _list_folder(folder):  # newest first
        group = "automatic" if info.is_automatic else info.kind
        groups.setdefault(group, []).append(info)
    removed: list[Path] = []
    for infos in groups.values():
        for info in infos[keep:]:
            try:
                info.path.unlink()
            except OSError as exc:
                log.warning("Старая резервная копия «%s» не удалена: %s", info.path, exc)
            else:
                removed.append(info.path)
    if removed:
        _update_manifest(folder, drop=[p.name for p in removed])
    return removed


def export_backup(database: Database | Path, target: Path, *, overwrite: bool = False) -> Path:
    """A verified copy of the database written to `target` (refuses to replace a file unless told)."""
    db_path = Path(database if isinstance(database, str | Path) else database.path)
    target = Path(target).expanduser()
    if target.suffix == "":
        target = target.with_name(target.name + ".sqlite")
    if _resolved(target) == _resolved(db_path):
        raise AppError(f"Копию нельзя записать в сам файл базы данных «{db_path}»: укажите другое имя.")
    if target.exists() and not overwrite:
        raise AppError(f"Файл «{target}» уже существует; копия не записана. Укажите другое имя файла.")
    if target.is_dir():
        raise AppError(f"«{target}» — это папка; укажите имя файла копии.")
    if not target.parent.is_dir():
        raise AppError(f"Папка «{target.parent}» не существует; копия не записана.")
    temp = target.with_name(f".{target.stem}.{os.getpid()}.tmp")
    _remove_quietly(temp)  # left by a crashed attempt
    try:
        try:
            _write_copy(db_path, temp, f"«{target}»")
        except _TargetError as exc:
            raise AppError(f"Копия не сохранена: {exc.message}. База данных не изменена.") from exc
        _fsync_file(temp)
        reason = verify_backup(temp)
        if reason is not None:
            raise AppError(
                f"Копия базы «{db_path}» не прошла проверку: {reason}. Файл «{target}» не записан."
            )
        os.replace(temp, target)
        _fsync_folder(target.parent)
    except OSError as exc:
        raise AppError(
            f"Не удалось записать копию в файл «{target}»: {_os_reason(exc)}. База данных не изменена."
        ) from exc
    finally:
        _remove_quietly(temp, Path(f"{temp}-journal"), Path(f"{temp}-wal"), Path(f"{temp}-shm"))
    log.info("Копия базы %s сохранена в %s", db_path, target)
    return target


# --- restoring ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _State:
    kind: str  # "healthy" | "damaged" | "missing" | "foreign" | "newer"
    reason: str = ""


def _database_state(db_path: Path) -> _State:
    """How the live file is, looked at read-only. A busy file raises (nothing may be decided)."""
    from db.connection import APPLICATION_ID
    from db.migrations import latest_version

    sidecars = [Path(f"{db_path}{ext}") for ext in ("-wal", "-journal")]
    if not db_path.exists():
        return (
            _State("damaged", "файла нет, остались его журналы")
            if any(p.exists() for p in sidecars)
            else _State("missing")
        )
    try:
        size = db_path.stat().st_size
        with open(db_path, "rb") as handle:
            header = handle.read(len(_SQLITE_HEADER))
    except OSError as exc:
        raise AppError(
            f"Файл базы данных «{db_path}» не читается ({_os_reason(exc)}); восстановление не выполнено."
        ) from exc
    if size == 0:
        return _State("damaged", "файл пуст")
    if header != _SQLITE_HEADER:
        return _State("damaged", "файл не является базой данных SQLite")
    try:
        with _read_only(db_path) as conn:
            rows = [str(r[0]) for r in conn.execute("PRAGMA quick_check(5)").fetchall()]
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            has_tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
    except sqlite3.Error as exc:
        text = str(exc).lower()
        if "locked" in text or "busy" in text:
            raise _translate_source(exc, db_path) from exc
        return _State("damaged", f"файл не читается как база данных{sqlite_code(exc)}")
    if rows != ["ok"]:
        return _State("damaged", "проверка целостности SQLite нашла ошибки в структуре файла")
    if app_id not in (0, APPLICATION_ID) or (app_id == 0 and has_tables):
        return _State("foreign")
    if version > latest_version():
        return _State("newer")
    return _State("healthy")


def _aside_name(db_path: Path, stamp: str) -> Path:
    suffix = db_path.suffix or ".sqlite"
    candidate = db_path.with_name(f"{db_path.stem}.повреждённая-{stamp}{suffix}")
    seq = 2
    while any(Path(f"{candidate}{ext}").exists() for ext in ("", "-wal", "-shm", "-journal")):
        candidate = db_path.with_name(f"{db_path.stem}.повреждённая-{stamp}-{seq}{suffix}")
        seq += 1
    return candidate


def restore(
    db_path: Path, backup_path: Path, *, open_after: bool = True, now: datetime | None = None
) -> RestoreResult:
    """Bring `db_path` back to the content of `backup_path`; see the module's docstring."""
    db_path = Path(db_path).expanduser()
    backup_path = Path(backup_path).expanduser()
    if backup_path.exists() and db_path.exists() and _resolved(backup_path) == _resolved(db_path):
        raise AppError(f"Файл «{backup_path}» — это сама база данных, а не её копия.")
    reason = verify_backup(backup_path)
    if reason is not None:
        raise AppError(f"Копия не восстановлена: {reason}. База данных «{db_path}» не изменена.")
    if not db_path.parent.is_dir():
        raise AppError(f"Папка «{db_path.parent}» не существует; восстановление не выполнено.")
    state = _database_state(db_path)
    if state.kind == "foreign":
        raise AppError(
            f"Файл «{db_path}» — база данных другой программы, а не «Опоры»; поверх него копия не "
            "восстанавливается. Укажите другой файл базы данных (--db)."
        )
    if state.kind == "newer":
        raise AppError(
            f"База данных «{db_path}» создана более новой версией «Опоры»; эта программа её не изменяет. "
            "Обновите программу или укажите другой файл."
        )
    if state.kind == "healthy":
        result = _restore_in_place(db_path, backup_path)
    else:
        result = _restore_replacing(db_path, backup_path, state, now or datetime.now())
    if open_after:
        _open_and_log(result)
    log.info("%s", result.summary())
    return result


def _open_and_log(result: RestoreResult) -> None:
    """Open the restored file (an older copy is brought up to date by the migrations) and write the
    restore into its audit log: the log itself came back with the copy, and would not show it."""
    from db.changes import log_action
    from db.connection import open_database

    database = open_database(result.database)
    try:
        details: dict[str, object] = {"Копия": result.backup.name}
        if result.before_restore is not None:
            details["Прежнее состояние"] = result.before_restore.name
        if result.moved_aside:
            details["Повреждённый файл"] = result.moved_aside[0].name
        with database.atomic() as conn:
            log_action(conn, f"Восстановление из резервной копии «{result.backup.name}»", details)
    finally:
        database.close()


def _restore_in_place(db_path: Path, backup_path: Path) -> RestoreResult:
    from db.connection import BUSY_TIMEOUT_MS

    before = make_backup(db_path, "before-restore").backup
    try:
        with _read_only(backup_path) as source:
            dest = sqlite3.connect(str(db_path), timeout=BUSY_TIMEOUT_MS / 1000)
            try:
                dest.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                dest.execute("PRAGMA synchronous = FULL")
                source.backup(dest)  # one step: one write transaction on the live file
                check = dest.execute("PRAGMA quick_check").fetchone()[0]
            finally:
                dest.close()
    except sqlite3.Error as exc:
        if "full" in str(exc).lower():
            raise AppError(
                f"База данных «{db_path}» не восстановлена: на диске нет места. Файл не изменён."
            ) from exc
        raise _translate_source(exc, db_path) from exc
    if check != "ok":  # cannot happen with a verified copy; said plainly if it ever does
        raise AppError(
            f"После восстановления база «{db_path}» не прошла проверку ({check}). Прежнее состояние — "
            f"в копии «{before.path if before else '?'}»."
        )
    return RestoreResult(db_path, backup_path, before.path if before else None, ())


def _restore_replacing(db_path: Path, backup_path: Path, state: _State, now: datetime) -> RestoreResult:
    """The live file is damaged or missing: copy beside it, rename the damaged one aside, move in."""
    folder = db_path.parent
    temp = folder / f".{db_path.stem}.восстановление-{os.getpid()}.tmp"
    moved: list[tuple[Path, Path]] = []  # (original, renamed to)
    _remove_quietly(temp)  # left by a crashed attempt
    try:
        try:
            _write_copy(backup_path, temp, f"в папку «{folder}»")
        except _TargetError as exc:
            raise AppError(
                f"База данных «{db_path}» не восстановлена: {exc.message}. Повреждённый файл оставлен как был."
            ) from exc
        _fsync_file(temp)
        reason = verify_backup(temp)
        if reason is not None:
            raise AppError(
                f"База данных «{db_path}» не восстановлена: записанная копия не прошла проверку ({reason})."
            )
        aside = _aside_name(db_path, now.strftime(_STAMP))
        for ext in ("", "-wal", "-shm", "-journal"):
            original = Path(f"{db_path}{ext}")
            if original.exists():
                target = Path(f"{aside}{ext}")
                os.rename(original, target)
                moved.append((original, target))
        os.replace(temp, db_path)
        _fsync_folder(folder)
    except (OSError, AppError) as exc:
        # Put back whatever was moved: the damaged file is never lost, nor left half-renamed.
        for original, target in reversed(moved):
            with contextlib.suppress(OSError):
                if not original.exists():
                    os.rename(target, original)
        if isinstance(exc, AppError):
            raise
        raise AppError(
            f"База данных «{db_path}» не восстановлена: {_os_reason(exc)}. Повреждённый файл оставлен на месте."
        ) from exc
    finally:
        _remove_quietly(temp, Path(f"{temp}-journal"))
    return RestoreResult(db_path, backup_path, None, tuple(target for _, target in moved), state.reason)


# --- the `check` report -------------------------------------------------------------------------------
@dataclass
class DatabaseReport:
    path: Path
    healthy: bool = True
    problems: list[str] = field(default_factory=list)
    lines: list[tuple[str, str]] = field(default_factory=list)
    backups: list[BackupInfo] = field(default_factory=list)
    latest_good: BackupInfo | None = None

    def text(self) -> str:
        width = max((len(title) for title, _ in self.lines), default=0)
        out = [f"Проверка базы данных «{self.path}»", ""]
        out += [f"{title + ':':<{width + 1}} {value}" for title, value in self.lines]
        out.append("")
        if self.healthy:
            out.append("Итог: база данных исправна.")
        else:
            out.append("Итог: база данных ПОВРЕЖДЕНА или непригодна:")
            out += [f"  — {problem}" for problem in self.problems]
            if self.latest_good is not None:
                out.append(
                    f"Последняя хорошая копия — от {self.latest_good.date_label} («{self.latest_good.path.name}»). "
                    f'Восстановить: python main.py --db "{self.path}" restore "{self.latest_good.path}"'
                )
            else:
                out.append("Проверенной резервной копии нет.")
        return "\n".join(out)


def format_size(size: int) -> str:
    if size < 1024:
        return f"{size} Б"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} КБ"
    return f"{size / (1024 * 1024):.1f} МБ".replace(".", ",")


def format_age(then: datetime, now: datetime | None = None) -> str:
    seconds = max(0, int(((now or datetime.now()) - then).total_seconds()))
    if seconds < 60:
        return "меньше минуты назад"
    if seconds < 3600:
        return f"{seconds // 60} мин назад"
    if seconds < 86400:
        return f"{seconds // 3600} ч назад"
    return f"{seconds // 86400} дн. назад"


def check_database(path: Path) -> DatabaseReport:
    """Everything `check` reports about `path`, read without changing a byte of it."""
    from db.connection import APPLICATION_ID, is_network_path
    from db.migrations import latest_version

    path = Path(path).expanduser()
    report = DatabaseReport(path)
    add = report.lines.append

    def problem(text: str) -> None:
        report.healthy = False
        report.problems.append(text)

    if not path.exists():
        add(("Файл", "не найден"))
        problem(f"файла «{path}» нет")
    else:
        size = path.stat().st_size
        wal = Path(f"{path}-wal")
        wal_size = wal.stat().st_size if wal.exists() else 0
        add(("Размер", format_size(size) + (f" (и журнал WAL {format_size(wal_size)})" if wal_size else "")))
        try:
            with open(path, "rb") as handle:
                header = handle.read(len(_SQLITE_HEADER))
        except OSError as exc:
            header = b""
            problem(f"файл не читается ({_os_reason(exc)})")
        if size == 0:
            problem("файл пуст (0 байт)")
        elif header and header != _SQLITE_HEADER:
            problem("файл не является базой данных SQLite (повреждено начало файла или это другой файл)")
        else:
            _check_contents(path, report, add, problem, APPLICATION_ID, latest_version())
    try:
        network = is_network_path(path)
    except OSError:
        network = False
    add(("Сетевая папка", "да (журнал отката вместо WAL)" if network else "нет"))
    report.backups = list_backups(path)
    report.latest_good = latest_good_backup(path) if report.backups else None
    add(("Папка копий", str(backup_folder(path))))
    if report.backups:
        newest = report.backups[0]
        add(
            (
                "Резервных копий",
                f"{len(report.backups)}; последняя — {newest.date_label} "
                f"({newest.kind_label}, {format_age(newest.created)})",
            )
        )
        good = report.latest_good
        add(
            (
                "Последняя проверенная",
                f"{good.date_label} ({good.kind_label}), «{good.path.name}»" if good else "нет",
            )
        )
    else:
        add(("Резервных копий", "нет"))
    return report


def _journal_of(path: Path) -> str | None:
    """The journal mode the file itself records (header bytes 18–19: 2 for WAL, 1 for a rollback
    journal); a read-only connection may report "delete" for a WAL file whose -shm is missing."""
    try:
        with path.open("rb") as handle:
            header = handle.read(20)
    except OSError:
        return None
    if len(header) < 20:
        return None
    return {2: "WAL", 1: "DELETE"}.get(header[18])


def _check_contents(
    path: Path, report: DatabaseReport, add, problem, application_id: int, latest: int
) -> None:  # type: ignore[no-untyped-def]
    try:
        with _read_only(path) as conn:
            journal = _journal_of(path) or str(conn.execute("PRAGMA journal_mode").fetchone()[0]).upper()
            add(
                (
                    "Журнал",
                    {"WAL": "WAL (локальный диск)", "DELETE": "DELETE (журнал отката)"}.get(journal, journal),
                )
            )
            rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check(50)").fetchall()]
            if rows == ["ok"]:
                add(("Целостность", "в порядке (integrity_check)"))
            else:
                messages = [
                    line for row in rows for line in row.splitlines() if line and not line.startswith("***")
                ]
                add(("Целостность", f"НАРУШЕНА: {len(messages)} сообщ."))
                problem(f"проверка целостности не пройдена: ошибок в структуре файла — {len(messages)}")
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
            try:
                fk = conn.execute("PRAGMA foreign_key_check").fetchall()
            except sqlite3.Error as exc:
                fk = []
                problem(f"проверка внешних ключей не выполнена{sqlite_code(exc)}")
            if fk:
                tables_hit = sorted({str(r[0]) for r in fk})
                add(("Внешние ключи", f"НАРУШЕНЫ: {len(fk)} строк ({', '.join(tables_hit)})"))
                problem(f"{len(fk)} строк ссылаются на несуществующие записи ({', '.join(tables_hit)})")
            else:
                add(("Внешние ключи", "в порядке"))
    except sqlite3.Error as exc:
        text = str(exc).lower()
        if "locked" in text or "busy" in text:
            add(("Доступ", "файл занят другой программой"))
            problem("файл занят другой программой или пользователем; повторите проверку позже")
        elif "malformed" in text or "corrupt" in text:
            problem(f"структура файла повреждена{sqlite_code(exc)}")
        elif "not a database" in text or "encrypted" in text:
            problem(f"файл не является базой данных SQLite или повреждено его начало{sqlite_code(exc)}")
        else:
            problem(f"файл не читается как база данных{sqlite_code(exc)}")
        return
    if app_id == application_id:
        add(("Программа", "«Опора»"))
    elif app_id == 0 and tables == 0:
        add(("Программа", "пустая база (ещё не создана)"))
    else:
        add(("Программа", "другая (не «Опора»)"))
        problem("это база данных другой программы, а не «Опоры»")
    add(("Версия схемы", f"{version} (эта программа знает до {latest})"))
    if version > latest:
        problem(f"база создана более новой версией «Опоры» (версия схемы {version})")
