"""Crash safety: a child process edits the demo district through the services and is killed with
SIGKILL; the file must stay whole and keep every edit whose save had returned (bench/crash.py, whose
long run is `.venv/bin/python bench/crash.py --kills 1000`).

Real files, real processes, real kills; no timing is asserted: the kills land at random delays, right
after the child announces an edit, or while it holds a write transaction open on purpose.
"""

from __future__ import annotations

import json
import random
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import crash  # noqa: E402


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    yield crash.prepare(tmp_path_factory.mktemp("crash-templates"))


def _assert_sound(result: crash.RunResult) -> None:
    assert result.failures == [], "\n".join(result.failures)
    assert result.child_errors == []


def test_kills_at_random_moments_lose_nothing_that_was_saved(
    templates: dict[str, Path], tmp_path: Path
) -> None:
    rng = random.Random(20261123)
    results = []
    for index in range(14):
        mode = crash.MODES[index % 2]
        # 8 at a random delay from the child's start (start-up, first edits, longer runs), then 6
        # right after the child announced its n-th edit (in the middle of edits)
        kill = {"delay": rng.uniform(0.05, 1.2)} if index < 8 else {"kill_after_begins": rng.randint(1, 150)}
        result = crash.run_once(
            templates[mode], mode, index=index, seed=rng.randrange(2**31), folder=tmp_path, **kill
        )
        _assert_sound(result)
        results.append(result)
    summary = crash.summarize(results)
    assert summary["failed_runs"] == 0
    assert {r.mode for r in results} == {"WAL", "DELETE"}
    # the child really edited, and the reports were checked row by row
    assert summary["edits_reported"] > 0
    assert summary["rows_checked"] > 0
    assert all(r.how in ("", "product") for r in results)  # OPORA_JOURNAL_MODE did the switch


@pytest.mark.parametrize("mode", crash.MODES)
@pytest.mark.parametrize("op", ["order_sign", "registry_import"])
def test_a_kill_inside_a_write_transaction_leaves_the_last_commit(
    templates: dict[str, Path], tmp_path: Path, mode: str, op: str
) -> None:
    """The child makes the edit inside a transaction it leaves open, with a page cache so small that
    the write spills before its commit (as a 40,000-row import does): a hot journal, or WAL frames
    after the last commit. The file must open, be whole and hold exactly the edits before."""
    result = crash.run_once(templates[mode], mode, seed=7, hold=(3, op), cache_pages=5, folder=tmp_path)
    _assert_sound(result)
    assert result.moment == "held in a transaction"
    assert result.pending_outcome == "not committed"
    if op == "order_sign":  # the signed PDF is far more than five pages
        if mode == "DELETE":
            assert result.hot_journal  # the case a read-only probe could not open
        else:
            assert result.wal_uncommitted_frames > 0


def test_a_hot_journal_does_not_make_the_file_read_only(tmp_path: Path) -> None:
    """After a crash in rollback-journal mode (network shares) the file has a hot journal that a
    read-only connection may not roll back: opening it must roll it back, not call it read-only."""
    import subprocess

    from app.schools import SchoolService
    from db import open_database

    path = tmp_path / "опора.sqlite"
    database = open_database(path)
    SchoolService(database).create({"full_name": "МБОУ «Средняя школа № 1»"})
    database.close()
    script = (
        "import sqlite3, sys\n"
        f"conn = sqlite3.connect({str(path)!r}, isolation_level=None)\n"
        "conn.execute('PRAGMA journal_mode = DELETE')\n"
        "conn.execute('PRAGMA cache_size = 2')\n"
        "conn.execute('BEGIN IMMEDIATE')\n"
        "conn.execute(\"UPDATE schools SET director = 'не сохранено', address = hex(randomblob(3000))\")\n"
        'conn.execute("INSERT INTO bodies (name) SELECT hex(randomblob(2000)) FROM schools, '
        '(SELECT 1 UNION SELECT 2 UNION SELECT 3 UNION SELECT 4 UNION SELECT 5 UNION SELECT 6)")\n'
        "print('holding', flush=True)\n"
        "sys.stdin.read()\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "holding"
    finally:
        child.kill()
        child.wait()
    assert crash.hot_journal(path)
    database = open_database(path)
    try:
        schools = SchoolService(database).list_schools()
        assert [s.director for s in schools] == [""]
        assert database.query("PRAGMA integrity_check")[0][0] == "ok"
    finally:
        database.close()
    assert not crash.hot_journal(path)


def test_the_check_finds_a_lost_edit_and_a_changed_signed_copy(
    templates: dict[str, Path], tmp_path: Path
) -> None:
    """The checker is not vacuous: the same file with a reported edit undone behind the program's
    back, or a signed PDF altered, fails."""
    kept = tmp_path / "kept"
    result = crash.run_once(
        templates["WAL"], "WAL", seed=11, kill_after_begins=120, folder=tmp_path, keep_killed=kept
    )
    _assert_sound(result)
    events = crash.read_events(kept / "child.out")
    reported = [e for e in events if e["e"] == "D"]
    assert reported

    def recheck(copy: Path) -> crash.RunResult:
        fresh = crash.RunResult(0, "WAL", 11, None)
        crash.check(copy / "opora.sqlite", "WAL", events, fresh)
        return fresh

    def copy_of_kept(name: str) -> Path:
        import shutil

        target = tmp_path / name
        shutil.copytree(kept, target)
        return target

    assert recheck(copy_of_kept("untouched")).failures == []

    # an edit whose save returned, gone: the last reported value of a school's director
    latest: dict[tuple[str, int], dict[str, object] | None] = {}
    for event in reported:
        for table, row_id, state in event["rows"]:
            latest[(table, row_id)] = state
    if result.pending_op:
        pending = next(e for e in reversed(events) if e["e"] == "B")
        for table, row_id in pending["touch"]:
            latest.pop((table, row_id), None)
    table, row_id = next(
        key for key, state in latest.items() if state and key[0] == "schools" and state.get("director")
    )
    lost = copy_of_kept("lost")
    conn = sqlite3.connect(lost / "opora.sqlite")
    with conn:
        conn.execute("UPDATE schools SET director = 'прежний' WHERE id = ?", (row_id,))
    conn.close()
    failures = recheck(lost).failures
    assert any("потеряна сохранённая правка" in f and f"schools#{row_id}.director" in f for f in failures)

    # a signed copy changed behind the program's back
    forged = copy_of_kept("forged")
    conn = sqlite3.connect(forged / "opora.sqlite")
    with conn:
        order_id, pdf = conn.execute("SELECT id, pdf FROM orders WHERE status = 'signed' LIMIT 1").fetchone()
        conn.execute(
            "UPDATE orders SET pdf = ? WHERE id = ?", (bytes(pdf).replace(b"/Page", b"/Pag_", 1), order_id)
        )
    conn.close()
    assert any("не совпадает с подписанной" in f for f in recheck(forged).failures)


def test_the_child_reports_are_whole_json_lines(templates: dict[str, Path], tmp_path: Path) -> None:
    """A kill can tear the last line; whole lines are the reports, a torn one is not."""
    out = tmp_path / "child.out"
    out.write_bytes(
        (
            json.dumps({"e": "B", "seq": 1}) + "\n" + json.dumps({"e": "D", "seq": 1, "rows": []}) + "\n"
        ).encode()
        + b'{"e": "D", "seq": 2, "ro'
    )
    assert [e["seq"] for e in crash.read_events(out)] == [1, 1]
