"""Smoke test of the built «Опора»: the frozen program does what the source does, without network.

    python build/smoke.py dist/opora/opora                        # Linux, full
    python build/smoke.py dist/opora/opora --quick                # an unpacked .tar.gz or .deb
    python build/smoke.py dist\\opora\\opora.exe --cli dist\\opora\\opora-cli.exe   # Windows
    python build/smoke.py ".venv/bin/python main.py"              # the same test on the sources

Standard library only (the Windows build runs it too). Everything happens in a scratch folder with
its own data folder, settings and a database named in Cyrillic; the user's files are never touched.
The commands cover every library the program imports lazily: `--self-check` imports them all and
draws a PDF page with PDFium, then the demo district goes through the registry (Excel out and back
in with calamine), plans (Excel, Word, read back), the partnership map (Qt drawing without a
window, PDF and PNG), monitoring templates, every order to PDF (with the embedded Liberation Serif,
hyphenation and declension) and to Word and back, the register, results and rules, identification,
lists, deadlines, backups and the audit log. Then the window starts (offscreen; with --xvfb also on
a real X server, xvfb-run) and quits after painting the registry's rows (OPORA_BENCH_PAINTED=1).

With --strace (Linux) every process runs under `strace -f`: the test fails if any of them opens an
internet socket (AF_INET, AF_INET6, AF_PACKET) or connects one, and it checks that the window
opened Qt's Russian translation (qtbase_ru.qm). Messages are in Russian: administrators run it.
Exit code 0 when everything passed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

YEAR = "2020/2021"
NETWORK = re.compile(r"socket\((AF_INET6?|AF_PACKET)\b|connect\(\d+, \{sa_family=(AF_INET6?|AF_PACKET)\b")


class SmokeFailure(Exception):
    pass


def say(text: str) -> None:
    print(text, flush=True)


class Program:
    def __init__(self, gui: list[str], cli: list[str], work: Path, *, strace: bool, timeout: float) -> None:
        self.gui = gui
        self.cli = cli
        self.work = work
        self.strace = strace
        self.timeout = timeout
        self.steps = 0
        self.last_trace = ""  # strace's record of the last run with trace_files=True
        self.env = dict(os.environ)
        for name in ("OPORA_BENCH_PAINTED", "PYTHONPATH", "PYTHONHOME", "OPORA_JOURNAL_MODE"):
            self.env.pop(name, None)
        self.env.update(
            {
                "OPORA_DATA_DIR": str(work / "данные"),
                "XDG_CONFIG_HOME": str(work / "config"),
                "XDG_CACHE_HOME": str(work / "cache"),
                "QT_QPA_PLATFORM": "offscreen",
                "PYTHONIOENCODING": "utf-8",
                "PYTHONUTF8": "1",
            }
        )

    def run(
        self,
        *arguments: str,
        gui: bool = False,
        env: dict[str, str] | None = None,
        wrap: list[str] | None = None,
        trace_files: bool = False,
        expect: int = 0,
    ) -> tuple[str, str]:
        """Run the program; fail unless it exits with `expect` (and, traced, without network)."""
        self.steps += 1
        command = [*(wrap or []), *(self.gui if gui else self.cli), *arguments]
        trace = self.work / f"strace-{self.steps}.txt"
        if self.strace:
            calls = "socket,connect,openat" if trace_files else "socket,connect"
            command = ["strace", "-f", "-qq", "-e", f"trace={calls}", "-o", str(trace), *command]
        shown = " ".join(arguments)
        started = time.perf_counter()
        try:
            result = subprocess.run(
                command,
                cwd=self.work,
                env={**self.env, **(env or {})},
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="replace",
                timeout=self.timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise SmokeFailure(f"«{shown}» не завершилась за {self.timeout:.0f} с") from exc
        except OSError as exc:  # no such program, not executable
            reason = (
                "файл не найден"
                if isinstance(exc, FileNotFoundError)
                else "нет права на запуск"
                if isinstance(exc, PermissionError)
                else f"ошибка системы {exc.errno}"
            )
            raise SmokeFailure(f"«{command[0]}» не запускается: {reason}") from exc
        took = time.perf_counter() - started
        if result.returncode != expect:
            # both streams: the self-check writes its «ОШИБКА» lines to stdout, Qt its warnings to stderr
            output = f"{result.stdout.strip()}\n{result.stderr.strip()}".strip()
            tail = "\n".join(output.splitlines()[-20:])
            raise SmokeFailure(f"«{shown}»: код выхода {result.returncode} вместо {expect}:\n{tail}")
        if self.strace:
            text = trace.read_text("utf-8", "replace")
            hits = [line for line in text.splitlines() if NETWORK.search(line)]
            if hits:
                raise SmokeFailure(f"«{shown}» обращалась к сети:\n" + "\n".join(hits[:10]))
            if trace_files:
                self.last_trace = text
            trace.unlink()
        say(f"  ок  {shown or '(окно)'}  [{took:.1f} с]")
        return result.stdout, result.stderr


def check_pdf(path: Path, *, liberation: bool = True) -> None:
    """A PDF with pages; an order's (reportlab) with Liberation Serif embedded as a subset."""
    data = path.read_bytes()
    if not data.startswith(b"%PDF-"):
        raise SmokeFailure(f"{path.name}: не PDF")
    embedded = b"/FontFile2" in data and re.search(rb"/BaseFont\s*/[A-Z]{6}\+LiberationSerif", data)
    if liberation and not embedded:
        raise SmokeFailure(f"{path.name}: шрифт Liberation Serif не встроен")
    if not re.search(rb"/Type\s*/Page\b", data):
        raise SmokeFailure(f"{path.name}: в PDF нет страниц")


def check_zip(path: Path, member: str) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (OSError, zipfile.BadZipFile) as exc:
        raise SmokeFailure(f"{path.name}: не файл Office ({exc})") from exc
    if member not in names:
        raise SmokeFailure(f"{path.name}: нет {member}")


def check_png(path: Path) -> None:
    if not path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n"):
        raise SmokeFailure(f"{path.name}: не PNG")


def json_of(stdout: str, what: str) -> object:
    try:
        return json.loads(stdout)
    except json.JSONDecodeError as exc:
        raise SmokeFailure(f"{what}: ответ не JSON: {stdout[:300]!r}") from exc


def check_window(program: Program, database: Path, *, wrap: list[str] | None = None, env=None) -> None:
    """Start the window, wait for the painted registry rows, quit: two times printed, exit 0."""
    stdout, _ = program.run(
        "--db",
        str(database),
        gui=True,
        env={"OPORA_BENCH_PAINTED": "1", **(env or {})},
        wrap=wrap,
        trace_files=wrap is None,
    )
    times = [float(line) for line in stdout.split() if re.fullmatch(r"\d+\.\d+", line)]
    if program.gui == program.cli and len(times) != 2:  # a windowed Windows exe prints nothing
        raise SmokeFailure(f"окно не сообщило о первой отрисовке и строках реестра: {stdout!r}")
    if times:
        say(f"      окно отрисовано через {times[0]:.2f} с, строки реестра — через {times[-1]:.2f} с")


def smoke(program: Program, *, version: str | None, quick: bool, xvfb: bool) -> None:
    work = program.work
    out = work / "файлы"
    out.mkdir()
    db = work / "район.sqlite"

    say("Командная строка:")
    stdout, _ = program.run("--version")
    if version and stdout.strip() != f"«Опора» {version}":
        raise SmokeFailure(f"--version: «{stdout.strip()}», ожидалась версия {version}")
    stdout, _ = program.run("--help")
    if "использование:" not in stdout or "команды:" not in stdout:
        raise SmokeFailure(f"--help не по-русски: {stdout[:300]!r}")
    stdout, _ = program.run("--self-check")
    for line in stdout.splitlines():
        say("      " + line)
    program.run("--db", str(db), "demo")
    program.run("--db", str(db), "check")

    orders = json_of(program.run("--db", str(db), "order", "list", "--json")[0], "order list")
    if not isinstance(orders, list) or not orders:
        raise SmokeFailure("в демонстрационном районе нет приказов")
    for order in orders if not quick else orders[-1:]:
        pdf = out / f"приказ-{order['id']}.pdf"
        program.run("--db", str(db), "order", "pdf", str(order["id"]), str(pdf))
        check_pdf(pdf)
    if quick:
        say("Окно:")
        check_window(program, db)
        return

    for order in orders:
        docx = out / f"приказ-{order['id']}.docx"
        program.run("--db", str(db), "order", "docx", str(order["id"]), str(docx))
        check_zip(docx, "word/document.xml")
        if order["status"] == "signed":
            program.run("--db", str(db), "order", "verify", str(order["id"]))
    program.run("--db", str(db), "order", "register", str(out / "журнал.xlsx"))
    check_zip(out / "журнал.xlsx", "xl/workbook.xml")
    program.run(
        "--db", str(db), "document", "import", str(out / f"приказ-{orders[-1]['id']}.docx"), "--dry-run"
    )

    schools = json_of(program.run("--db", str(db), "schools", "list", "--json")[0], "schools list")
    if not isinstance(schools, list) or not schools:
        raise SmokeFailure("schools list: пустой реестр")
    program.run("--db", str(db), "schools", "export", str(out / "реестр.xlsx"))
    check_zip(out / "реестр.xlsx", "xl/workbook.xml")
    program.run(
        "--db", str(work / "другой.sqlite"), "schools", "import", str(out / "реестр.xlsx"), "--dry-run"
    )

    plans = json_of(program.run("--db", str(db), "plan", "list", "--json")[0], "plan list")
    if not isinstance(plans, list) or not plans:
        raise SmokeFailure("plan list: планов нет")
    plan = str(plans[0]["id"])
    program.run("--db", str(db), "plan", "export", plan, str(out / "план.xlsx"))
    check_zip(out / "план.xlsx", "xl/workbook.xml")
    program.run("--db", str(db), "plan", "export", plan, str(out / "план.docx"))
    check_zip(out / "план.docx", "word/document.xml")
    program.run("--db", str(db), "plan", "import", str(out / "план.docx"), "--dry-run")

    program.run("--db", str(db), "partnership", "list", "--json")
    program.run("--db", str(db), "map", "export", str(out / "карта.pdf"), "--year", YEAR)
    check_pdf(out / "карта.pdf", liberation=False)  # drawn by Qt with the system's fonts
    program.run("--db", str(db), "map", "export", str(out / "карта.png"), "--year", YEAR)
    check_png(out / "карта.png")
    program.run("--db", str(db), "monitoring", "templates", "--json")

    program.run("--db", str(db), "results", "template", str(out / "шаблон.xlsx"))
    check_zip(out / "шаблон.xlsx", "xl/workbook.xml")
    program.run("rules", "template", str(out / "правила.json"))
    json_of((out / "правила.json").read_text("utf-8"), "rules template")
    program.run("--db", str(db), "identify", "--year", YEAR, "--json", "--dry-run")
    program.run("--db", str(db), "lists", "export", "--year", YEAR, str(out / "списки.xlsx"))
    check_zip(out / "списки.xlsx", "xl/workbook.xml")
    stdout, _ = program.run("deadline", "Октябрь-ноябрь 2020г", "--period", "2020-09-01:2021-08-31")
    if json_of(stdout, "deadline").get("start") != "2020-10-01":  # type: ignore[union-attr]
        raise SmokeFailure(f"deadline: срок понят неверно: {stdout!r}")

    program.run("--db", str(db), "backup")
    program.run("--db", str(db), "backup", str(out / "копия.sqlite"))
    program.run("--db", str(db), "backups")
    program.run("--db", str(out / "копия.sqlite"), "check")
    program.run("--db", str(db), "audit", "--limit", "5", "--json")
    program.run("--db", str(db), "audit", "--xlsx", str(out / "журнал-изменений.xlsx"))
    check_zip(out / "журнал-изменений.xlsx", "xl/workbook.xml")

    say("Окно:")
    check_window(program, db)
    if program.strace:
        opened = re.search(r'openat\([^"]*"[^"]*qtbase_ru\.qm", [^)]*\) = \d+', program.last_trace)
        if not opened:
            raise SmokeFailure("окно не загрузило русский перевод Qt (qtbase_ru.qm)")
        say("  ок  русский перевод Qt загружен (qtbase_ru.qm)")
    if xvfb:
        if shutil.which("xvfb-run") is None:
            say("  (xvfb-run не установлен: запуск на X-сервере пропущен)")
        else:
            env = {"QT_QPA_PLATFORM": "xcb"}
            check_window(program, db, wrap=["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24"], env=env)
            say("  ок  окно на X-сервере (xcb)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("program", help="исполняемый файл программы (или команда, например «python main.py»)")
    parser.add_argument("--cli", help="исполняемый файл для команд (Windows: opora-cli.exe)")
    parser.add_argument("--version", dest="expected_version", help="ожидаемая версия")
    parser.add_argument(
        "--quick", action="store_true", help="только основное: справка, проверка, демо, PDF, окно"
    )
    parser.add_argument("--strace", action="store_true", help="следить за сетью через strace (Linux)")
    parser.add_argument("--xvfb", action="store_true", help="запустить окно ещё и на X-сервере (xvfb-run)")
    parser.add_argument("--timeout", type=float, default=300, help="предел для одной команды, секунд")
    parser.add_argument("--keep", action="store_true", help="не удалять рабочую папку")
    args = parser.parse_args(argv)

    if Path(args.program).exists():
        gui = [str(Path(args.program).resolve())]
    else:  # a command: «.venv/bin/python main.py»
        gui = shlex.split(args.program, posix=sys.platform != "win32")
    cli = [str(Path(args.cli).resolve())] if args.cli else gui
    if args.strace and shutil.which("strace") is None:
        say("strace не установлен (apt-get install strace): проверка сети невозможна.")
        return 2
    work = Path(tempfile.mkdtemp(prefix="opora-smoke-"))
    program = Program(gui, cli, work, strace=args.strace, timeout=args.timeout)
    say(f"Проверка «{' '.join(gui)}» в папке {work}")
    started = time.perf_counter()
    try:
        smoke(program, version=args.expected_version, quick=args.quick, xvfb=args.xvfb)
    except SmokeFailure as exc:
        say(f"ОШИБКА: {exc}")
        say(f"Рабочая папка сохранена: {work}")
        return 1
    network = " Обращений к сети нет (strace)." if args.strace else ""
    say(f"Проверка пройдена: {program.steps} запусков за {time.perf_counter() - started:.0f} с.{network}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
