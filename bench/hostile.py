"""The long run of hostile files (issue #8): every importer, every kind of broken file, round-robin.

    .venv/bin/python bench/hostile.py --cases 10000            # the long run (about ten minutes)
    .venv/bin/python bench/hostile.py --cases 600 --seed 7     # quicker

The files come from tests/hostile.py (truncated and corrupted zips, XML bombs, external entities,
wrong cell types, a sheet reaching row 1,000,000, 100 MB files, non-UTF-8 text, wrong formats,
random bytes, Cyrillic paths, read-only files, a file gone before the apply step, a full
database in the apply step, byte mutations). Each case runs the importer's preview and, when the
preview offers something, its apply step, against a copy of the demo district. Counted: cases
per importer and per kind, accepted, refused with a message, tracebacks (each printed, its file
kept under bench/out/hostile/ to reproduce it), messages that are not clear Russian, a database
changed by a refused file, the content of a file an external entity names reaching the database
or a message; the longest case and the peak memory of the process (ru_maxrss: it includes what
calamine and libxml2 allocate), with the case that raised it, so that a bomb is seen bounded.
Prints one JSON object; `run(cases, seed)` returns it.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for folder in (ROOT, ROOT / "tests"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import hostile  # noqa: E402  (tests/hostile.py)

OUT = ROOT / "bench" / "out" / "hostile"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def run(cases: int, seed: int, *, verbose: bool = False) -> dict[str, Any]:
    """Run `cases` hostile files round-robin over the importers and their kinds; the counts."""
    rng = random.Random(seed)
    work = Path(tempfile.mkdtemp(prefix="opora-hostile-"))
    started = time.perf_counter()
    world = hostile.build_world(work / "world")
    rss_before = _rss_mb()
    plan = [(importer, kind) for importer in hostile.IMPORTERS for kind in hostile.kinds_for(importer)]
    databases: dict[str, Any] = {}
    by_importer: dict[str, Counter[str]] = defaultdict(Counter)
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    failures: list[dict[str, Any]] = []
    longest: dict[str, Any] = {"seconds": 0.0}
    slowest: dict[str, float] = {}
    peak = {"rss_mb": rss_before, "case": "before the first case"}
    try:
        for number in range(cases):
            importer, kind = plan[number % len(plan)]
            case_seed = rng.randrange(2**32)
            case = hostile.make_case(world, importer, kind, random.Random(case_seed))
            database = databases.get(importer)
            if database is None:
                database = databases[importer] = world.fresh_database()
            began = time.perf_counter()
            outcome = hostile.run_case(case, database)
            seconds = time.perf_counter() - began
            label = f"{number}: {importer}/{kind} (seed {case_seed}, {case.seed}{', ' + case.note if case.note else ''})"
            rss = _rss_mb()
            if rss > peak["rss_mb"] + 1:
                peak = {"rss_mb": round(rss, 1), "case": label}
            if seconds > longest["seconds"]:
                longest = {"seconds": round(seconds, 3), "case": label}
            status = outcome.status
            by_importer[importer][status] += 1
            by_kind[kind][status] += 1
            slowest[kind] = max(slowest.get(kind, 0.0), round(seconds, 3))
            if verbose and seconds > 5:
                print(f"slow: {label}: {seconds:.1f} s", file=sys.stderr)
            if outcome.problems:
                by_importer[importer]["problems"] += 1
                by_kind[kind]["problems"] += 1
            if status == "traceback" or outcome.problems:
                failures.append(_keep(case, outcome, label, number))
                if verbose or status == "traceback":
                    print(
                        f"\n=== {label}: {status}\n{outcome.error}{chr(10).join(outcome.problems)}",
                        file=sys.stderr,
                    )
            if status == "accepted" or outcome.problems:  # start the next case from the demo district again
                database.close()
                databases[importer] = world.fresh_database()
            hostile.restore_permissions(case)
            shutil.rmtree(
                case.path.parent if case.kind != "cyrillic_path" else case.path.parents[1], ignore_errors=True
            )
            if verbose and number % 100 == 99:
                print(f"{number + 1} cases, {time.perf_counter() - started:.0f} s", file=sys.stderr)
    finally:
        for database in databases.values():
            database.close()
        shutil.rmtree(work, ignore_errors=True)
    totals: Counter[str] = Counter()
    for counts in by_importer.values():
        totals.update(counts)
    return {
        "cases": cases,
        "seed": seed,
        "seconds": round(time.perf_counter() - started, 1),
        "accepted": totals["accepted"],
        "refused_with_message": totals["refused"],
        "tracebacks": totals["traceback"],
        "cases_with_problems": totals["problems"],
        "by_importer": {k: dict(v) for k, v in by_importer.items()},
        "by_kind": {k: dict(v) for k, v in sorted(by_kind.items())},
        "longest_case": longest,
        "longest_by_kind_s": dict(sorted(slowest.items())),
        "peak_rss_mb": peak,
        "rss_after_setup_mb": round(rss_before, 1),
        "failures": failures[:50],
    }


def _keep(case: hostile.Case, outcome: hostile.Outcome, label: str, number: int) -> dict[str, Any]:
    """Copy the file that failed under bench/out/hostile/ with what went wrong beside it."""
    OUT.mkdir(parents=True, exist_ok=True)
    kept = OUT / f"{number:05d}-{case.importer}-{case.kind}{case.path.suffix}"
    try:
        if case.path.exists() and case.path.stat().st_size <= 64 * 1024 * 1024:
            shutil.copyfile(case.path, kept)
    except OSError:
        pass
    report = {"case": label, "status": outcome.status, "stage": outcome.stage, "problems": outcome.problems}
    kept.with_suffix(kept.suffix + ".txt").write_text(
        json.dumps(report, ensure_ascii=False, indent=2) + "\n\n" + outcome.error, encoding="utf-8"
    )
    return {**report, "file": str(kept.relative_to(ROOT))}


def main() -> int:
    parser = argparse.ArgumentParser(description="Враждебные файлы во все загрузчики «Опоры».")
    parser.add_argument("--cases", type=int, default=10_000, help="сколько файлов (по умолчанию 10 000)")
    parser.add_argument("--seed", type=int, default=1, help="начальное число генератора")
    parser.add_argument("--verbose", action="store_true", help="печатать каждую проблему и ход работы")
    args = parser.parse_args()
    result = run(args.cases, args.seed, verbose=args.verbose)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0 if result["tracebacks"] == 0 and result["cases_with_problems"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
