"""The Linux bundle (issue #9): its size and its start-up time against the same program from source.

    .venv/bin/python bench/bundle.py              # measure dist/opora (built by build/build_linux.sh)
    .venv/bin/python bench/bundle.py --build      # build it first (bash build/build_linux.sh)
    .venv/bin/python bench/bundle.py --reps 9 --no-write

Measures
  - the size of dist/opora on disk (the files' sizes and the blocks they take), its largest parts,
    and the sizes of the .tar.gz and the .deb beside it (with the .deb's Installed-Size);
  - the cold start with the 1,600-school region database (bench/synthetic.py) to the first paint of
    the main window and to the painted registry rows, exactly as bench/run.py measures the program
    from source (OPORA_BENCH_PAINTED=1, offscreen): the frozen program, the same program from source
    and the empty PySide6 window (bench/bare_window.py), repetitions interleaved in rotating order,
    one warm-up of each first (files in the operating system's cache, byte-code cached for the
    source run), median with min – max, and the ratios frozen/source and frozen/bare window.

Writes the «Bundle» section of docs/PERFORMANCE.md between `<!-- bundle -->` and `<!-- /bundle -->`
(replaced on every run; bench/run.py keeps it when it rewrites the rest of the file).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import run as bench  # noqa: E402  (bench/run.py: the runner, the series, the environment)
import synthetic  # noqa: E402

DIST = ROOT / "dist"
BUNDLE = DIST / "opora"
START_MARK = "<!-- bundle -->"  # bench/run.py's splice_bundle_section looks for these
END_MARK = "<!-- /bundle -->"


def log(message: str) -> None:
    bench.log(f"bundle: {message}")


def version() -> str:
    sys.path.insert(0, str(ROOT / "build"))
    try:
        import bundle_layout

        return str(bundle_layout.read_version())
    finally:
        sys.path.pop(0)


# --- size --------------------------------------------------------------------------------------------
def folder_size(folder: Path) -> tuple[int, int, int]:
    """(bytes of the files, bytes of the blocks they occupy, number of files); symlinks not followed."""
    files = size = blocks = 0
    for path in folder.rglob("*"):
        if path.is_symlink() or not path.is_file():
            continue
        stat = path.stat()
        files += 1
        size += stat.st_size
        blocks += getattr(stat, "st_blocks", (stat.st_size + 4095) // 4096 * 8) * 512
    return size, blocks, files


def largest_parts(folder: Path, count: int = 10) -> list[tuple[str, int]]:
    """The biggest components: Qt's libraries and plugins apart, then each top-level entry."""
    internal = folder / "_internal"
    parts: dict[str, int] = {}
    qt = internal / "PySide6" / "Qt"
    for sub in ("lib", "plugins", "translations"):
        if (qt / sub).exists():
            parts[f"PySide6/Qt/{sub}"] = folder_size(qt / sub)[0]
    for entry in sorted(internal.iterdir()) if internal.exists() else []:
        if entry.is_symlink():
            continue
        if entry.name == "PySide6":
            rest = folder_size(entry)[0] - sum(v for k, v in parts.items() if k.startswith("PySide6/"))
            parts["PySide6 (Python modules)"] = rest
        else:
            parts[entry.name] = folder_size(entry)[0] if entry.is_dir() else entry.stat().st_size
    return sorted(parts.items(), key=lambda item: item[1], reverse=True)[:count]


def deb_installed_kb(deb: Path) -> int | None:
    if shutil.which("dpkg-deb") is None:
        return None
    result = subprocess.run(
        ["dpkg-deb", "--field", str(deb), "Installed-Size"], capture_output=True, text=True, check=False
    )
    return int(result.stdout.strip()) if result.returncode == 0 and result.stdout.strip().isdigit() else None


def mb(value: float) -> str:
    return f"{value / 1_000_000:.1f} MB"


# --- start-up ----------------------------------------------------------------------------------------
def measure_start(reps: int, region: Path, scratch: Path) -> dict[str, list[Any]]:
    database = scratch / "region.sqlite"
    shutil.copyfile(region, database)
    env = bench.bench_env(scratch)
    painted = {**env, "OPORA_BENCH_PAINTED": "1"}
    commands: dict[str, tuple[list[str], dict[str, str]]] = {
        "frozen": ([str(BUNDLE / "opora"), "--db", str(database)], painted),
        "source": ([sys.executable, str(ROOT / "main.py"), "--db", str(database)], painted),
        "bare": ([sys.executable, str(BENCH / "bare_window.py")], env),
    }
    runs: dict[str, Callable[[], Any]] = {
        name: (lambda command=command, environment=environment: bench.run_painted(command, environment))
        for name, (command, environment) in commands.items()
    }
    log("warm-up: one start of each (byte-code and file caches)")
    for run in runs.values():
        run()
    results: dict[str, list[Any]] = {name: [] for name in runs}
    order = list(runs)
    for rep in range(reps):
        rotated = order[rep % len(order) :] + order[: rep % len(order)]
        for name in rotated:
            results[name].append(runs[name]())
        log(f"repetition {rep + 1}/{reps}")
    for name in ("frozen", "source"):
        missing = [r for r in results[name] if r.rows is None]
        if missing:
            raise bench.BenchError(f"{name}: the painted rows were not reported in {len(missing)} runs")
    return results


# --- the section -------------------------------------------------------------------------------------
def render(results: dict[str, list[Any]], reps: int, started: dt.datetime, ver: str) -> str:
    def series(name: str, attribute: str) -> bench.Series:
        return bench.Series([getattr(r, attribute) for r in results[name]])

    def cell(s: bench.Series) -> tuple[str, str]:
        return f"{s.median:.2f} s", f"{s.low:.2f} s – {s.high:.2f} s"

    size, blocks, files = folder_size(BUNDLE)
    tarball = DIST / f"opora-{ver}-linux-x86_64.tar.gz"
    deb = DIST / f"opora_{ver}_amd64.deb"
    machine = bench.machine_info()
    lines = [
        START_MARK,
        "## Bundle (issue #9): size and start-up of the frozen program",
        "",
        f"Measured on {started:%Y-%m-%d %H:%M %Z} by `bench/bundle.py` ({reps} repetitions; median, with "
        "min – max) on the machine above "
        f"({machine.get('CPU', '?')}, {machine.get('OS', '?')}), «Опора» {ver} built by "
        "`build/build_linux.sh` (PyInstaller, one folder, `dist/opora`). The frozen program, the same "
        "program from source and the empty PySide6 window start in turn, in rotating order, each in a fresh "
        "process after one warm-up start of each: the files are in the operating system's cache, as for a "
        "program started a second time (the numbers of a first start after booting are larger for both).",
        "",
        "| measurement | frozen (dist/opora) | min – max | from source | ratio frozen / source | empty window | ratio frozen / empty |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    bare = series("bare", "reported")
    for title, attribute in (
        ("Cold start to the first paint, region of 1,600 schools", "reported"),
        ("Cold start to the painted registry rows", "rows"),
    ):
        frozen, source = series("frozen", attribute), series("source", attribute)
        median, spread = cell(frozen)
        lines.append(
            f"| {title} | {median} | {spread} | {source.median:.2f} s | {frozen.median / source.median:.2f}× "
            f"| {bare.median:.2f} s | {frozen.median / bare.median:.2f}× |"
        )
    wall_frozen, wall_source = series("frozen", "wall"), series("source", "wall")
    lines += [
        "",
        "The times are what each process reports (seconds since the operating system started it, "
        "`OPORA_BENCH_PAINTED=1`); the runner's own wall clock to the printed first-paint line agrees: "
        f"{wall_frozen.median:.2f} s frozen, {wall_source.median:.2f} s from source. A PyInstaller program "
        "unpacks nothing at start (one folder, not one file): its bootloader loads libpython and the "
        "modules from the bundle's archive, already compiled.",
        "",
        "| size | |",
        "|---|---:|",
        f"| `dist/opora` — files | {mb(size)} ({bench.num(files)} files) |",
        f"| `dist/opora` — on disk (blocks) | {mb(blocks)} |",
    ]
    if tarball.exists():
        lines.append(f"| `{tarball.name}` | {mb(tarball.stat().st_size)} |")
    if deb.exists():
        installed = deb_installed_kb(deb)
        lines.append(
            f"| `{deb.name}` | {mb(deb.stat().st_size)}"
            + (f" (installed: {mb(installed * 1024)})" if installed else "")
            + " |"
        )
    lines += [
        "",
        "Largest parts of the bundle (files' sizes):",
        "",
        "| part | size |",
        "|---|---:|",
        *(f"| `{name}` | {mb(value)} |" for name, value in largest_parts(BUNDLE)),
        "",
        "Left out to keep it small (build/bundle_layout.py): numpy, pandas and sqlite-utils (the program "
        "never imports them), tkinter, QtNetwork, Qt's translations other than Russian, pyphen's "
        "dictionaries other than ru_RU, unused Qt platform plugins (EGLFS, VNC, LinuxFB) and GTK's theme "
        "plugin with the libraries only they needed; debug symbols are stripped.",
        "",
        "```sh",
        "bash build/build_linux.sh              # dist/opora, the .tar.gz and the .deb, smoke-tested",
        ".venv/bin/python bench/bundle.py       # this section",
        "```",
        END_MARK,
        "",
    ]
    return "\n".join(lines)


def write_section(document: Path, section: str) -> None:
    text = document.read_text("utf-8") if document.exists() else "# Performance\n"
    document.write_text(bench.splice_bundle_section(text, section), "utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--build", action="store_true", help="run build/build_linux.sh first")
    parser.add_argument("--reps", type=int, default=7, help="repetitions of each start (default 7)")
    parser.add_argument("--output", type=Path, default=bench.DOC, help="the document to update")
    parser.add_argument("--no-write", action="store_true", help="print the section, change no file")
    args = parser.parse_args(argv)

    if args.build:
        log("building: bash build/build_linux.sh")
        subprocess.run(["bash", str(ROOT / "build" / "build_linux.sh")], cwd=ROOT, check=True)
    if not (BUNDLE / "opora").is_file():
        log("no dist/opora/opora: run `bash build/build_linux.sh` (or this script with --build) first")
        return 1
    started = dt.datetime.now().astimezone()
    region = synthetic.ensure(synthetic.REGION_DB, log=log)
    bench.PYCACHE.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="opora-bundle-bench-"))
    try:
        results = measure_start(args.reps, region, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    section = render(results, args.reps, started, version())
    if args.no_write:
        print(section)
    else:
        write_section(args.output, section)
        log(f"written: {args.output}")
    for name in ("frozen", "source", "bare"):
        first = bench.Series([r.reported for r in results[name]])
        print(f"{name:7} first paint: median {first.median:.3f} s ({first.low:.3f}–{first.high:.3f})")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.exit(main())
