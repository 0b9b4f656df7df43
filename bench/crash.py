"""Crash safety: a child process edits a database through the services and is killed at random
moments; after each kill the file must be whole and hold every edit whose save had returned.

    .venv/bin/python bench/crash.py --kills 1000              # the long run (docs/RELIABILITY.md)
    .venv/bin/python bench/crash.py --kills 20 --jobs 1       # a quick look

For each kill: the prepared demo district is copied, bench/crash_child.py started on the copy, and
after a random delay (uniform over --min…--max seconds from the start of the child, which covers
its start-up, its first edits and long runs) the child is killed with SIGKILL (TerminateProcess on
Windows: `Popen.kill`). Then, before anything else opens the file, the leftovers are looked at (a
hot rollback journal, WAL frames after the last commit), and the file is checked the way the
program would meet it after a power cut:

  * `open_database` opens it without an error and without a migration (user_version is the
    latest, no copy «до-обновления» made);
  * PRAGMA integrity_check is «ok» and PRAGMA foreign_key_check finds nothing;
  * every edit the child reported (a «D» line: its save returned) is there exactly: each row of
    its change set as the change left it, the latest report of a row winning; an undo's rows
    back as they were before;
  * the edit the child was in the middle of (a «B» line without its «D») is there entirely or
    not at all: its unique values are in none or all of its rows, and the rows it touches are
    either as the earlier reports say or (when it committed) changed;
  * every signed order's stored PDF still matches its SHA-256 (`OrderService.verify`);
  * the file takes a new edit.

Runs alternate between WAL (a local disk) and the rollback journal (DELETE, a network share).
The journal mode is forced through OPORA_JOURNAL_MODE; where the product does not read that
variable the child sets the pragma itself and says so (the report counts both).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CHILD = BENCH / "crash_child.py"
MODES = ("WAL", "DELETE")
JOURNAL_ENV = "OPORA_JOURNAL_MODE"
VOLATILE = {"updated_at"}
LONG_TEXT = 300  # as in crash_child.digest
JOURNAL_MAGIC = bytes.fromhex("d9d505f920a163d7")
DEFAULT_MIN_S, DEFAULT_MAX_S = 0.05, 3.0
IN_TRANSACTION = ("inside a write transaction", "held in a transaction")


@dataclass
class RunResult:
    """What one kill found."""

    index: int
    mode: str
    seed: int
    delay: float | None  # seconds from the child's start to the kill; None when killed on an event
    moment: str = ""  # start-up / between edits / inside an edit / held in a transaction
    pending_op: str = ""
    pending_outcome: str = ""  # committed / not committed / unknown (of the edit in flight)
    how: str = ""  # how the journal mode was set: product (OPORA_JOURNAL_MODE) or pragma (the child)
    edits_reported: int = 0
    rows_checked: int = 0
    marks_checked: int = 0
    signed_verified: int = 0
    child_errors: list[str] = field(default_factory=list)
    hot_journal: bool = False
    wal_uncommitted_frames: int = 0
    wal_bytes: int = 0
    verify_s: float = 0.0
    failures: list[str] = field(default_factory=list)


# --- the prepared database ------------------------------------------------------------------------
def prepare(folder: Path) -> dict[str, Path]:
    """The demo district made once, as one self-contained file per journal mode."""
    from app.demo import create_demo
    from db import open_database

    made = folder / "demo-made.sqlite"
    database = open_database(made)
    create_demo(database)
    database.close()
    templates = {}
    for mode in MODES:
        target = folder / f"demo-{mode.lower()}.sqlite"
        conn = sqlite3.connect(made)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.backup(dest := sqlite3.connect(target))
            dest.execute(f"PRAGMA journal_mode = {mode}")
            dest.close()
        finally:
            conn.close()
        templates[mode] = target
    return templates


@contextmanager
def journal_mode_env(mode: str) -> Iterator[None]:
    saved = os.environ.get(JOURNAL_ENV)
    os.environ[JOURNAL_ENV] = mode
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(JOURNAL_ENV, None)
        else:
            os.environ[JOURNAL_ENV] = saved


# --- what the child said ------------------------------------------------------------------------------
def read_events(path: Path) -> list[dict[str, Any]]:
    """The child's whole lines; a torn last line (the kill came during its write) is not a report."""
    events = []
    data = path.read_bytes()
    for line in data.split(b"\n")[:-1]:
        events.append(json.loads(line.decode("utf-8")))
    return events


# --- what the kill left on disk --------------------------------------------------------------------
def hot_journal(path: Path) -> bool:
    journal = path.with_name(path.name + "-journal")
    try:
        with journal.open("rb") as handle:
            return handle.read(8) == JOURNAL_MAGIC
    except OSError:
        return False


def wal_uncommitted(path: Path) -> tuple[int, int]:
    """(frames after the last commit frame of the current WAL generation, WAL size in bytes)."""
    wal = path.with_name(path.name + "-wal")
    try:
        data = wal.read_bytes()
    except OSError:
        return 0, 0
    if len(data) < 32:
        return 0, len(data)
    page_size = struct.unpack(">I", data[8:12])[0]
    salts = data[16:24]
    frame = 24 + page_size
    valid, last_commit = 0, 0
    offset = 32
    while offset + frame <= len(data):
        header = data[offset : offset + 24]
        if header[8:16] != salts:
            break
        valid += 1
        if struct.unpack(">I", header[4:8])[0]:  # the database size after a commit
            last_commit = valid
        offset += frame
    torn = 1 if offset < len(data) and data[offset + 8 : offset + 16] == salts else 0
    return valid - last_commit + torn, len(data)


# --- checking -------------------------------------------------------------------------------------------
def _digest(value: Any) -> Any:
    import hashlib

    if isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value)
        return {"sha256": hashlib.sha256(data).hexdigest(), "len": len(data)}
    if isinstance(value, str) and len(value) > LONG_TEXT:
        return {"sha256": hashlib.sha256(value.encode("utf-8")).hexdigest(), "len": len(value)}
    return value


def _difference(conn: sqlite3.Connection, table: str, row_id: int, expected: dict[str, Any] | None) -> str:
    """'' when the row is as expected (None: absent), else what differs."""
    row = conn.execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,)).fetchone()
    if expected is None:
        return "" if row is None else f"{table}#{row_id} есть, а должна быть удалена"
    if row is None:
        return f"{table}#{row_id} нет в базе"
    actual = dict(row)
    for column, value in expected.items():
        if column in VOLATILE:
            continue
        if _digest(actual.get(column)) != value:
            return f"{table}#{row_id}.{column} = {_digest(actual.get(column))!r}, ожидалось {value!r}"
    return ""


def check(path: Path, mode: str, events: list[dict[str, Any]], result: RunResult) -> None:
    """Everything the kill must not have broken (failures go into `result.failures`)."""
    from app.orders.service import OrderService
    from app.schools import SchoolService
    from db import Database, DatabaseError, open_database
    from db.migrations import latest_version

    expected: dict[tuple[str, int], dict[str, Any] | None] = {}
    pending: dict[str, Any] | None = None
    held = False
    transaction = ""  # of the edit in flight: "", "open", "committing", "rolled back"
    for event in events:
        kind = event["e"]
        if kind == "M":
            result.how = event["how"]
            if event["mode"] != mode:
                result.failures.append(f"режим журнала {event['mode']}, а нужен {mode}")
            if event["synchronous"] != 2:
                result.failures.append(f"synchronous = {event['synchronous']}, а нужен FULL (2)")
        elif kind == "B":
            pending, transaction = event, ""
        elif kind == "T":
            transaction = {"BEGIN": "open", "COMMIT": "committing"}.get(event["s"], "rolled back")
        elif kind == "D":
            for table, row_id, state in event["rows"]:
                expected[(table, row_id)] = state
            result.edits_reported += 1
            pending = None
        elif kind == "X":
            result.child_errors.append(f"{event['op']}: {event['error']}")
            pending = None
        elif kind == "H":
            held = True
    if held:
        result.moment = "held in a transaction"
    elif pending is not None:
        result.moment = {
            "open": "inside a write transaction",
            "committing": "during or just after commit",
        }.get(transaction, "inside an edit, outside a transaction")
    elif any(e["e"] == "B" for e in events):
        result.moment = "between edits"
    else:
        result.moment = "start-up"
    result.pending_op = pending["op"] if pending else ""

    folder_before = {p.name for p in path.parent.iterdir()}
    database: Database | None = None
    with journal_mode_env(mode):
        try:
            database = open_database(path)
        except DatabaseError as exc:
            result.failures.append(f"open_database: {exc.message}")
        if database is None:
            database = Database(path)  # still check the data behind the refusal
        try:
            conn = database.connection()
            copies = {p.name for p in path.parent.iterdir()} - folder_before
            if any("до-обновления" in name for name in copies):
                result.failures.append(f"при открытии сделана копия перед обновлением: {sorted(copies)}")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version != latest_version():
                result.failures.append(f"user_version = {version}, а должна быть {latest_version()}")
            integrity = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
            if integrity != ["ok"]:
                result.failures.append(f"integrity_check: {integrity[:5]}")
            broken = conn.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                result.failures.append(f"foreign_key_check: {[tuple(r) for r in broken[:5]]}")
            _check_rows(conn, expected, pending, result)
            if result.moment in IN_TRANSACTION and result.pending_outcome == "committed":
                result.failures.append(
                    f"правка {result.pending_op} оказалась записанной, хотя COMMIT не начинался"
                )
            service = OrderService(database)
            for (order_id,) in conn.execute("SELECT id FROM orders WHERE status = 'signed'").fetchall():
                verification = service.verify(order_id)
                result.signed_verified += 1
                if not verification.ok:
                    result.failures.append(f"приказ #{order_id}: {verification.message}")
            try:
                SchoolService(database).update(1, {"director": "Проверка после сбоя"})
            except Exception as exc:
                result.failures.append(f"запись после сбоя не удалась: {exc}")
        except sqlite3.Error as exc:
            result.failures.append(f"sqlite3: {exc}")
        finally:
            database.close()


def _check_rows(
    conn: sqlite3.Connection,
    expected: dict[tuple[str, int], dict[str, Any] | None],
    pending: dict[str, Any] | None,
    result: RunResult,
) -> None:
    relaxed: set[tuple[str, int]] = set()
    may_exist: set[str] = set()
    if pending is not None:
        committed = _decide(conn, expected, pending, result)
        result.pending_outcome = {True: "committed", False: "not committed", None: "unknown"}[committed]
        if committed is not False:
            relaxed = {(table, row_id) for table, row_id in pending["touch"]}
            may_exist = set(pending["inserts"])
    for (table, row_id), state in expected.items():
        if (table, row_id) in relaxed or (state is None and table in may_exist):
            continue
        result.rows_checked += 1
        difference = _difference(conn, table, row_id, state)
        if difference:
            result.failures.append(f"потеряна сохранённая правка: {difference}")


def _decide(
    conn: sqlite3.Connection,
    expected: dict[tuple[str, int], dict[str, Any] | None],
    pending: dict[str, Any],
    result: RunResult,
) -> bool | None:
    """Whether the edit in flight committed (True), did not (False), or cannot be told (None);
    a half-applied edit is a failure."""
    signals: list[bool] = []
    for table, column, value, count in pending["marks"]:
        found = conn.execute(f"SELECT count(*) FROM {table} WHERE {column} IS ?", (value,)).fetchone()[0]
        result.marks_checked += 1
        if found == count:
            signals.append(True)
        elif found == 0:
            signals.append(False)
        else:
            result.failures.append(
                f"правка {pending['op']} записана частично: {found} из {count} строк {table}.{column} = {value!r}"
            )
    missing = object()
    for table, row_id, target in pending["targets"]:
        now = not _difference(conn, table, row_id, target)
        old = expected.get((table, row_id), missing)
        if old is missing:
            signals.append(now)
            continue
        was = not _difference(conn, table, row_id, old)  # type: ignore[arg-type]
        if now != was:
            signals.append(now)
        elif not now:
            result.failures.append(
                f"{pending['op']}: {table}#{row_id} ни в прежнем состоянии, ни в новом: "
                + _difference(conn, table, row_id, old)  # type: ignore[arg-type]
            )
    if True in signals and False in signals:
        result.failures.append(f"правка {pending['op']} записана частично (одни строки есть, других нет)")
        return None
    return signals[0] if signals else None


# --- one kill ---------------------------------------------------------------------------------------
def run_once(
    template: Path,
    mode: str,
    *,
    index: int = 0,
    seed: int = 0,
    delay: float | None = None,
    kill_after_begins: int | None = None,
    hold: tuple[int, str] | None = None,
    cache_pages: int = 0,
    folder: Path | None = None,
    keep_failed: Path | None = None,
    keep_killed: Path | None = None,
) -> RunResult:
    """Copy, start the child, kill it (after `delay` seconds, right after its n-th «B» line, or
    once it holds a transaction open), then check the file. `keep_killed` gets a copy of the
    file and the child's output as the kill left them (before the check opens the file)."""
    result = RunResult(index, mode, seed, delay)
    work = Path(tempfile.mkdtemp(prefix=f"crash-{index}-", dir=folder))
    pristine = work.with_name(work.name + "-as-killed")
    path = work / "opora.sqlite"
    shutil.copyfile(template, path)
    out, err = work / "child.out", work / "child.err"
    command = [
        sys.executable,
        str(CHILD),
        str(path),
        "--seed",
        str(seed),
        "--mode",
        mode,
        "--work",
        str(work),
    ]
    if hold:
        command += ["--hold-at", str(hold[0]), "--hold-op", hold[1]]
    if cache_pages:
        command += ["--cache-pages", str(cache_pages)]
    env = {**os.environ, JOURNAL_ENV: mode, "PYTHONDONTWRITEBYTECODE": "1"}
    try:
        with out.open("wb") as stdout, err.open("wb") as stderr:
            child = subprocess.Popen(command, stdout=stdout, stderr=stderr, env=env, cwd=str(ROOT))
            try:
                died = _wait(child, out, delay=delay, begins=kill_after_begins, hold=hold is not None)
            finally:
                child.kill()
                child.wait()
        if died:
            result.failures.append(
                f"дочерний процесс завершился сам (код {child.returncode}): "
                + err.read_text(encoding="utf-8", errors="replace")[-2000:]
            )
        if keep_killed is not None:
            shutil.copytree(work, keep_killed, dirs_exist_ok=True)
        if keep_failed is not None:
            shutil.copytree(work, pristine)
        result.hot_journal = hot_journal(path)
        result.wal_uncommitted_frames, result.wal_bytes = wal_uncommitted(path)
        started = time.perf_counter()
        try:
            check(path, mode, read_events(out), result)
        except Exception as exc:  # a harness bug must show as a failure, not stop the run
            import traceback

            result.failures.append(f"проверка не выполнена: {exc!r}\n{traceback.format_exc()}")
        result.verify_s = time.perf_counter() - started
    finally:
        if (result.failures or result.child_errors) and keep_failed is not None and pristine.exists():
            keep_failed.mkdir(parents=True, exist_ok=True)
            shutil.copytree(pristine, keep_failed / work.name, dirs_exist_ok=True)
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(pristine, ignore_errors=True)
    return result


def _wait(
    child: subprocess.Popen[bytes], out: Path, *, delay: float | None, begins: int | None, hold: bool
) -> bool:
    """Wait for the moment to kill; True when the child ended by itself first."""
    if delay is not None:
        try:
            child.wait(timeout=delay)
            return True
        except subprocess.TimeoutExpired:
            return False
    want = b'{"e": "H"' if hold else b'{"e": "B"'
    need = 1 if hold else (begins or 1)
    seen, offset, tail = 0, 0, b""
    deadline = time.monotonic() + 120
    with out.open("rb") as handle:
        while time.monotonic() < deadline:
            if child.poll() is not None:
                return True
            handle.seek(offset)
            chunk = handle.read()
            if chunk:
                offset += len(chunk)
                lines = (tail + chunk).split(b"\n")
                tail = lines.pop()
                seen += sum(1 for line in lines if line.startswith(want))
                if seen >= need:
                    return False
            else:
                time.sleep(0.0005)
    return False


# --- many kills ---------------------------------------------------------------------------------------
def _task(args: tuple[Any, ...]) -> RunResult:
    templates, index, seed, low, high, keep_failed, folder = args
    mode = MODES[index % 2]
    delay = random.Random(seed).uniform(low, high)
    return run_once(
        templates[mode], mode, index=index, seed=seed, delay=delay, folder=folder, keep_failed=keep_failed
    )


def run(
    kills: int,
    *,
    low: float = DEFAULT_MIN_S,
    high: float = DEFAULT_MAX_S,
    jobs: int = 1,
    seed: int | None = None,
    keep_failed: Path | None = None,
    progress: bool = False,
) -> dict[str, Any]:
    """`kills` kills at uniform random delays, alternating WAL and DELETE; the figures as a dict."""
    seed = seed if seed is not None else random.SystemRandom().randrange(2**31)
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="opora-crash-"))
    try:
        templates = prepare(folder)
        rng = random.Random(seed)
        tasks = [(templates, i, rng.randrange(2**31), low, high, keep_failed, folder) for i in range(kills)]
        results: list[RunResult] = []
        if jobs <= 1:
            for task in tasks:
                results.append(_task(task))
                _progress(progress, results, kills, started)
        else:
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                for found in pool.map(_task, tasks):
                    results.append(found)
                    _progress(progress, results, kills, started)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return summarize(results, seed=seed, low=low, high=high, jobs=jobs, wall_s=time.perf_counter() - started)


def _progress(enabled: bool, results: list[RunResult], kills: int, started: float) -> None:
    if not enabled:
        return
    last = results[-1]
    failed = sum(1 for r in results if r.failures)
    problems = last.failures + last.child_errors
    print(
        f"[{len(results)}/{kills}] {time.perf_counter() - started:7.1f} s  {last.mode:6} "
        f"delay {last.delay or 0:.2f} s  {last.moment:37} edits {last.edits_reported:4}  "
        f"failed runs {failed}" + (f"  ← {problems[0][:300]}" if problems else ""),
        flush=True,
    )


def summarize(results: list[RunResult], **extra: Any) -> dict[str, Any]:
    delays = sorted(r.delay for r in results if r.delay is not None)
    moments = Counter(r.moment for r in results)
    by_mode: dict[str, dict[str, int]] = {}
    for mode in MODES:
        of_mode = [r for r in results if r.mode == mode]
        by_mode[mode] = {
            "kills": len(of_mode),
            "inside_write_transaction": sum(1 for r in of_mode if r.moment in IN_TRANSACTION),
            "during_commit": sum(1 for r in of_mode if r.moment == "during or just after commit"),
            "hot_journal": sum(1 for r in of_mode if r.hot_journal),
            "wal_uncommitted": sum(1 for r in of_mode if r.wal_uncommitted_frames),
            "failed_runs": sum(1 for r in of_mode if r.failures),
            "mode_set_by": dict(Counter(r.how for r in of_mode)),
        }
    histogram: dict[str, int] = {}
    if delays:
        step = 0.5
        for value in delays:
            low = int(value / step) * step
            key = f"{low:.1f}–{low + step:.1f}"
            histogram[key] = histogram.get(key, 0) + 1
    return {
        **extra,
        "kills": len(results),
        "kills_inside_write_transaction": sum(moments[m] for m in IN_TRANSACTION),
        "kills_during_commit": moments["during or just after commit"],
        "kills_leaving_write_on_disk": sum(1 for r in results if r.hot_journal or r.wal_uncommitted_frames),
        "moments": dict(moments),
        "pending_outcomes": dict(Counter(r.pending_outcome for r in results if r.pending_outcome)),
        "pending_ops": dict(Counter(r.pending_op for r in results if r.pending_op)),
        "edits_reported": sum(r.edits_reported for r in results),
        "rows_checked": sum(r.rows_checked for r in results),
        "marks_checked": sum(r.marks_checked for r in results),
        "signed_orders_verified": sum(r.signed_verified for r in results),
        "failed_runs": sum(1 for r in results if r.failures),
        # an edit the child could not make (a refused edit, an error): a harness or product problem,
        # not a crash-safety one; nothing of it may be in the file, and the check holds it to that
        "child_error_runs": sum(1 for r in results if r.child_errors),
        "child_errors": [e for r in results for e in r.child_errors][:20],
        "failures": [
            {"index": r.index, "mode": r.mode, "seed": r.seed, "delay": r.delay, "failures": r.failures[:5]}
            for r in results
            if r.failures
        ][:50],
        "by_mode": by_mode,
        "delay_s": {
            "min": delays[0] if delays else None,
            "p25": delays[len(delays) // 4] if delays else None,
            "median": statistics.median(delays) if delays else None,
            "p75": delays[3 * len(delays) // 4] if delays else None,
            "max": delays[-1] if delays else None,
            "histogram": histogram,
        },
        "verify_s_mean": statistics.fmean(r.verify_s for r in results) if results else None,
        "edits_per_run_median": statistics.median(r.edits_reported for r in results) if results else None,
        "machine": machine(),
    }


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="«Опора»: crash safety under SIGKILL at random moments")
    parser.add_argument("--kills", type=int, default=1000)
    parser.add_argument("--min", type=float, default=DEFAULT_MIN_S, help="shortest delay before the kill, s")
    parser.add_argument("--max", type=float, default=DEFAULT_MAX_S, help="longest delay before the kill, s")
    parser.add_argument("--jobs", type=int, default=max(1, min(2, os.cpu_count() or 1)))
    parser.add_argument("--seed", type=int)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--keep-failed", type=Path, default=BENCH / "out" / "crash-failed")
    args = parser.parse_args(argv)
    figures = run(
        args.kills,
        low=args.min,
        high=args.max,
        jobs=args.jobs,
        seed=args.seed,
        keep_failed=args.keep_failed,
        progress=True,
    )
    text = json.dumps(figures, ensure_ascii=False, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text, encoding="utf-8")
    return 1 if figures["failed_runs"] or figures["child_error_runs"] else 0


if __name__ == "__main__":
    sys.exit(main())
