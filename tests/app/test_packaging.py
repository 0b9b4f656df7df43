"""Packaging (issue #9), checked without building anything: what build/opora.spec bundles and where,
the version, the Linux menu entry, the icons, the Windows installer script, the pinned build
requirements. The build itself (PyInstaller, .deb, .tar.gz, the frozen program's smoke test) is
build/build_linux.sh; these tests keep its inputs honest in CI, in well under a second or two.
"""

from __future__ import annotations

import ast
import configparser
import functools
import importlib.util
import re
import shutil
import struct
import sys
import tomllib
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
BUILD = REPO_ROOT / "build"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def layout() -> ModuleType:
    return _load(BUILD / "bundle_layout.py", "opora_bundle_layout")


def _pyproject() -> dict[str, Any]:
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text("utf-8"))


def _literal(path: Path, name: str) -> Any:
    """A module-level constant of a source file, read without importing it (ui/ imports Qt)."""
    for node in ast.parse(path.read_text("utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} not found in {path}")


@functools.cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text("utf-8"))


def _imports(path: Path) -> set[str]:
    """Every module named by an import statement of a file, at any depth (lazy imports included)."""
    found: set[str] = set()
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _program_files() -> list[Path]:
    files = [REPO_ROOT / "main.py"]
    for package in ("app", "ui", "db"):
        files += sorted(p for p in (REPO_ROOT / package).rglob("*.py") if "__pycache__" not in p.parts)
    return files


# --- what the bundle holds ---------------------------------------------------------------------------
def test_every_resource_file_and_migration_is_bundled_where_the_program_looks(layout: ModuleType) -> None:
    bundled = layout.bundled_files()
    resources = [
        p for p in (REPO_ROOT / "resources").rglob("*") if p.is_file() and "__pycache__" not in p.parts
    ]
    assert len(resources) > 30
    missing = [
        str(p.relative_to(REPO_ROOT))
        for p in resources
        if bundled.get(p.relative_to(REPO_ROOT).as_posix()) != p
    ]
    assert missing == []
    # and none of them is pruned later as one of Qt's other languages or unneeded plugins
    assert [name for name in bundled if not layout.keep_file(name)] == []
    assert layout.keep_file("resources/translations/opora.qm")
    migrations = sorted((REPO_ROOT / "db" / "migrations").glob("*.sql"))
    assert migrations and all(bundled[f"db/migrations/{m.name}"] == m for m in migrations)
    assert bundled["pyproject.toml"] == REPO_ROOT / "pyproject.toml"


def test_the_program_finds_its_files_and_version_in_a_frozen_layout(
    layout: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bundle's files laid out as PyInstaller does (sys._MEIPASS), the sources out of reach."""
    from app import version as version_module
    from app.exporting.pdf_fonts import _FACES
    from app.paths import resources_dir
    from db.migrations import load_migrations

    bundle = tmp_path / "_internal"
    for inside, source in layout.bundled_files().items():
        target = bundle / inside
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    # The bundle's own pyproject.toml says another version: the frozen program must report it.
    pyproject = bundle / "pyproject.toml"
    pyproject.write_text(re.sub(r'(?m)^version = ".*"$', 'version = "9.8.7"', pyproject.read_text("utf-8")))
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    version_module.version.cache_clear()
    try:
        assert resources_dir() == bundle / "resources"
        assert all((resources_dir() / "fonts" / name).is_file() for name in _FACES.values())
        assert version_module.is_frozen()
        assert version_module.version() == "9.8.7"
    finally:
        version_module.version.cache_clear()
    # db.migrations reads the folder beside its module, which in the bundle is _MEIPASS/db/migrations
    import db.migrations as migrations_module

    from_sources = load_migrations()
    monkeypatch.setattr(migrations_module, "__file__", str(bundle / "db" / "migrations" / "__init__.pyc"))
    assert load_migrations() == from_sources and len(from_sources) >= 7


def test_every_module_imported_by_name_is_bundled_and_self_checked(layout: ModuleType) -> None:
    own = set(layout.own_modules())
    assert {"main"}.isdisjoint(own) and {"app.cli", "db.migrations", "ui.self_check"} <= own
    by_name = set()
    for path in _program_files():
        for node in ast.walk(_tree(path)):
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
                and re.fullmatch(r"(app|ui|db)(\.\w+)+", node.value.value)
                and any(getattr(t, "id", "").endswith("_MODULE") for t in node.targets)
            ):
                by_name.add(node.value.value)
    assert len(by_name) >= 5  # ui/orders/page.py and ui/monitoring/page.py name their modules
    assert by_name <= own
    checked = set(_literal(REPO_ROOT / "ui" / "self_check.py", "IMPORTED_BY_NAME"))
    assert by_name <= checked, f"add to ui/self_check.IMPORTED_BY_NAME: {sorted(by_name - checked)}"


def test_the_self_check_imports_every_library_the_program_uses_and_none_is_excluded(
    layout: ModuleType,
) -> None:
    own = {"app", "ui", "db", "main", "__future__"}
    used: set[str] = set()
    for path in _program_files():
        used |= _imports(path)
    third_party = {name for name in used if name.split(".")[0] not in own | set(sys.stdlib_module_names)}
    roots = {name.split(".")[0] for name in third_party}
    assert {"PySide6", "reportlab", "docx", "openpyxl", "pypdfium2", "pytrovich"} <= roots
    checked = {name.split(".")[0] for name in _literal(REPO_ROOT / "ui" / "self_check.py", "LIBRARIES")}
    assert roots <= checked, f"add to ui/self_check.LIBRARIES: {sorted(roots - checked)}"
    excluded = layout.EXCLUDED_MODULES
    clashes = sorted(
        name for name in used for gone in excluded if name == gone or name.startswith(gone + ".")
    )
    assert clashes == [], "the bundle leaves these out, yet the program imports them"


def test_qt_translations_plugins_and_dictionaries_kept(layout: ModuleType) -> None:
    keep = layout.keep_file
    assert keep("PySide6/Qt/translations/qtbase_ru.qm")
    assert keep("PySide6/Qt/translations/qt_ru.qm")
    assert not keep("PySide6/Qt/translations/qtbase_de.qm")
    assert not keep("PySide6/Qt/translations/qtbase_pt_BR.qm")
    assert keep("PySide6/Qt/plugins/platforms/libqxcb.so")
    assert keep("PySide6/Qt/plugins/platforms/libqoffscreen.so")
    assert keep("PySide6\\Qt\\plugins\\platforms\\qwindows.dll")
    assert not keep("PySide6/Qt/plugins/platforms/libqvnc.so")
    assert not keep("PySide6/Qt/plugins/platformthemes/libqgtk3.so")
    assert keep("PySide6/Qt/plugins/iconengines/libqsvgicon.so")
    assert keep("pyphen/dictionaries/hyph_ru_RU.dic")
    assert not keep("pyphen/dictionaries/hyph_de_DE.dic")
    assert keep("resources/fonts/LiberationSerif-Regular.ttf")


def test_unreferenced_libraries_are_pruned_but_extensions_and_their_needs_stay(layout: ModuleType) -> None:
    needs = {
        "/src/QtCore.abi3.so": ["libQt6Core.so.6", "libc.so.6"],
        "/src/libQt6Core.so.6": ["libicuuc.so.73"],
        "/src/libicuuc.so.73": [],
        "/src/libQt6Network.so.6": ["libQt6Core.so.6"],
        "/src/libcairo.so.2": ["libpixman-1.so.0"],
        "/src/libpixman-1.so.0": [],
        "/src/_rl_accel.abi3.so": [],  # a top-level extension nothing links to: imported, not loaded
        "/src/libavif.so": [],
        "/src/libpython3.11.so.1.0": [],
    }
    binaries = [
        ("PySide6/QtCore.abi3.so", "/src/QtCore.abi3.so", "EXTENSION"),
        ("PySide6/Qt/lib/libQt6Core.so.6", "/src/libQt6Core.so.6", "BINARY"),
        ("PySide6/Qt/lib/libicuuc.so.73", "/src/libicuuc.so.73", "BINARY"),
        ("PySide6/Qt/lib/libQt6Network.so.6", "/src/libQt6Network.so.6", "BINARY"),
        ("libcairo.so.2", "/src/libcairo.so.2", "BINARY"),
        ("libpixman-1.so.0", "/src/libpixman-1.so.0", "BINARY"),
        ("_rl_accel.abi3.so", "/src/_rl_accel.abi3.so", "EXTENSION"),
        ("pillow.libs/libavif.so", "/src/libavif.so", "BINARY"),
        ("libpython3.11.so.1.0", "/src/libpython3.11.so.1.0", "BINARY"),
        ("README.txt", "/src/README.txt", "BINARY"),  # not an ELF file: kept, never guessed about
    ]
    datas = [
        ("libQt6Network.so.6", "PySide6/Qt/lib/libQt6Network.so.6", "SYMLINK"),
        ("libQt6Core.so.6", "PySide6/Qt/lib/libQt6Core.so.6", "SYMLINK"),
        ("resources/fonts/x.ttf", "/src/x.ttf", "DATA"),
    ]
    kept, kept_datas, dropped = layout.prune_unreferenced(binaries, datas, needed=needs.get)
    assert dropped == ["PySide6/Qt/lib/libQt6Network.so.6", "libcairo.so.2", "libpixman-1.so.0"]
    assert [entry[0] for entry in kept] == [entry[0] for entry in binaries if entry[0] not in dropped]
    assert [entry[0] for entry in kept_datas] == ["libQt6Core.so.6", "resources/fonts/x.ttf"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ELF files")
def test_elf_reading_of_a_real_library(layout: ModuleType, tmp_path: Path) -> None:
    import _sqlite3

    extension = getattr(_sqlite3, "__file__", None)
    if not extension:
        pytest.skip("this Python has sqlite3 built in")
    needed = layout.elf_needed(extension)
    assert needed is not None and "libc.so.6" in needed
    assert layout.elf_needed(REPO_ROOT / "pyproject.toml") is None
    shutil.copy(extension, tmp_path / "lib.so")
    (tmp_path / "notes.txt").write_text("GLIBC_2.99", "utf-8")  # text mentioning a version: ignored
    assert (2, 2) <= layout.glibc_needed(tmp_path) < (2, 99)


# --- the spec, run with stand-ins for PyInstaller ----------------------------------------------------
def _run_spec(platform: str, monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    made = SimpleNamespace(analysis=None, executables=[], collect=None)

    def analysis(scripts: list[str], **options: Any) -> SimpleNamespace:
        datas = [(target + "/" + Path(source).name, source, "DATA") for source, target in options["datas"]]
        datas += [
            ("PySide6/Qt/translations/qtbase_ru.qm", "/qt/qtbase_ru.qm", "DATA"),
            ("PySide6/Qt/translations/qtbase_fr.qm", "/qt/qtbase_fr.qm", "DATA"),
        ]
        made.analysis = SimpleNamespace(
            scripts=scripts, options=options, pure=[], datas=datas, binaries=[], kwargs=options
        )
        return made.analysis

    def exe(*parts: Any, **options: Any) -> SimpleNamespace:
        made.executables.append(SimpleNamespace(parts=parts, **options))
        return made.executables[-1]

    def collect(*parts: Any, **options: Any) -> SimpleNamespace:
        made.collect = SimpleNamespace(parts=parts, **options)
        return made.collect

    hooks = ModuleType("PyInstaller.utils.hooks")
    hooks.collect_data_files = lambda package: [(f"/site/{package}/data.json", package)]  # type: ignore[attr-defined]
    versioninfo = ModuleType("PyInstaller.utils.win32.versioninfo")
    for name in ("VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable", "StringStruct"):
        setattr(versioninfo, name, lambda *a, _n=name, **k: (_n, a, k))
    versioninfo.VarFileInfo = versioninfo.VarStruct = lambda *a, **k: ("Var", a, k)  # type: ignore[attr-defined]
    win32 = ModuleType("PyInstaller.utils.win32")
    win32.versioninfo = versioninfo  # type: ignore[attr-defined]
    for name, module in {
        "PyInstaller": ModuleType("PyInstaller"),
        "PyInstaller.utils": ModuleType("PyInstaller.utils"),
        "PyInstaller.utils.hooks": hooks,
        "PyInstaller.utils.win32": win32,
        "PyInstaller.utils.win32.versioninfo": versioninfo,
    }.items():
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.setattr(sys, "platform", platform)
    namespace = {
        "SPECPATH": str(BUILD),
        "Analysis": analysis,
        "PYZ": lambda pure: ("PYZ", pure),
        "EXE": exe,
        "COLLECT": collect,
        "__name__": "__main__",
    }
    exec(compile((BUILD / "opora.spec").read_text("utf-8"), str(BUILD / "opora.spec"), "exec"), namespace)
    return made


def test_spec_on_linux_one_executable_for_the_window_and_the_commands(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made = _run_spec("linux", monkeypatch)
    options = made.analysis.options
    assert made.analysis.scripts == [str(REPO_ROOT / "main.py")]
    assert {"_rl_accel", "app.exporting.monitoring_report", "ui.orders.preview"} <= set(
        options["hiddenimports"]
    )
    assert {"tkinter", "numpy", "pandas"} <= set(options["excludes"])
    assert (str(REPO_ROOT / "resources" / "fonts"), "resources/fonts") in options["datas"]
    assert ("/site/pytrovich/data.json", "pytrovich") in options["datas"]
    assert options["module_collection_mode"] == {"docx": "pyz+py"}
    assert [d[0] for d in made.analysis.datas if d[0].startswith("PySide6/Qt/translations")] == [
        "PySide6/Qt/translations/qtbase_ru.qm"
    ]
    # the program's own additions to Qt's Russian (resources/translations/opora_qt_ru.qm) go too
    assert (str(REPO_ROOT / "resources" / "translations"), "resources/translations") in options["datas"]
    assert [(e.name, e.console) for e in made.executables] == [("opora", True)]
    assert made.executables[0].parts[2] == [("X utf8", None, "OPTION")]
    assert made.collect.name == "opora"


def test_spec_on_windows_a_windowed_exe_and_a_console_exe_with_the_icon(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made = _run_spec("win32", monkeypatch)
    assert [(e.name, e.console) for e in made.executables] == [("opora", False), ("opora-cli", True)]
    for executable in made.executables:
        assert executable.icon == str(REPO_ROOT / "resources" / "icons" / "opora.ico")
        assert executable.version[0] == "VSVersionInfo"
    assert made.collect.parts[:2] == tuple(made.executables)


# --- version -----------------------------------------------------------------------------------------
def test_version_is_pyproject_s(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from app.version import read_pyproject_version, version
    from main import main

    expected = _pyproject()["project"]["version"]
    assert version() == expected
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"«Опора» {expected}"
    foreign = tmp_path / "pyproject.toml"
    foreign.write_text('[project]\nname = "other"\nversion = "5.0"\n', "utf-8")
    assert read_pyproject_version(foreign) is None
    foreign.write_text("not toml [", "utf-8")
    assert read_pyproject_version(foreign) is None


def test_build_requirements_pin_every_dependency_within_pyproject_bounds() -> None:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    pins: dict[str, str] = {}
    for line in (BUILD / "requirements.txt").read_text("utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, pinned = line.partition("==")
            assert pinned, f"not pinned: {line}"
            pins[canonicalize_name(name)] = pinned
    for text in _pyproject()["project"]["dependencies"]:
        requirement = Requirement(text)
        pinned = pins.get(canonicalize_name(requirement.name))
        assert pinned is not None, f"{requirement.name} is not pinned in build/requirements.txt"
        assert requirement.specifier.contains(pinned), f"{requirement.name}=={pinned} outside {requirement}"
    assert "pyinstaller" in pins


# --- Linux menu entry and icons ----------------------------------------------------------------------
def test_desktop_entry_is_russian_and_starts_the_installed_program() -> None:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(BUILD / "linux" / "opora.desktop", encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Опора"
    assert re.search("[а-яё]", entry["Comment"]) and re.search("[а-яё]", entry["GenericName"])
    assert entry["Exec"].split()[0] == "opora" and entry["Icon"] == "opora"
    assert {"Office", "Education"} <= set(filter(None, entry["Categories"].split(";")))
    assert entry["Terminal"] == "false"
    wrapper = (BUILD / "linux" / "opora.sh").read_text("utf-8")
    assert wrapper.startswith("#!/bin/sh") and 'exec /opt/opora/opora "$@"' in wrapper


def _png_size(data: bytes) -> tuple[int, int, int]:
    assert data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR"
    width, height, _depth, colour = struct.unpack(">IIBB", data[16:26])
    return width, height, colour


def test_icon_pngs_have_their_pixel_sizes() -> None:
    make_icons = _load(BUILD / "make_icons.py", "opora_make_icons")
    assert make_icons.PNG_SIZES == ICON_SIZES
    for size in ICON_SIZES:
        assert _png_size((REPO_ROOT / "resources" / "icons" / f"opora-{size}.png").read_bytes()) == (
            size,
            size,
            6,
        )


def test_windows_icon_holds_every_size_as_png() -> None:
    data = (REPO_ROOT / "resources" / "icons" / "opora.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind, count) == (0, 1, len(ICON_SIZES))
    sizes = []
    for index in range(count):
        width, height, _c, _r, planes, bits, length, offset = struct.unpack_from(
            "<BBBBHHII", data, 6 + 16 * index
        )
        side = width or 256
        assert (width, planes, bits) == (height, 1, 32)
        assert _png_size(data[offset : offset + length])[:2] == (side, side)
        sizes.append(side)
    assert sorted(sizes) == list(ICON_SIZES)


# --- Windows installer -------------------------------------------------------------------------------
def test_inno_setup_script_is_russian_versioned_and_keeps_the_users_data() -> None:
    raw = (BUILD / "windows" / "opora.iss").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Inno Setup reads Russian text from a UTF-8 file with a BOM"
    script = raw.decode("utf-8-sig").replace("\r\n", "\n")
    sections = dict(re.findall(r"(?ms)^\[(\w+)\]\s*$(.*?)(?=^\[\w+\]\s*$|\Z)", script))
    assert 'MessagesFile: "compiler:Languages\\Russian.isl"' in sections["Languages"]
    setup = dict(re.findall(r"(?m)^(\w+)=(.*)$", sections["Setup"]))
    assert re.fullmatch(r"\{\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}", setup["AppId"])
    assert setup["AppVersion"] == "{#AppVersion}" and "#error" in script.split("[Setup]")[0]
    assert setup["DefaultDirName"] == "{autopf}\\Opora"
    assert setup["UninstallDisplayIcon"] == "{app}\\{#AppExe}"
    assert "{uninstallexe}" in sections["Icons"] and "{autodesktop}" in sections["Icons"]
    assert 'Name: "desktopicon"' in sections["Tasks"]
    defines = dict(re.findall(r'(?m)^#define (\w+) "(.*)"$', script))
    from app.paths import APP_NAME

    assert defines["DataFolder"] == APP_NAME  # %LOCALAPPDATA%\Opora, as platformdirs gives the program
    assert (defines["AppExe"], defines["AppCli"]) == ("opora.exe", "opora-cli.exe")
    code = sections["Code"]
    assert "{localappdata}\\{#DataFolder}" in code
    assert "UninstallSilent" in code and "MB_DEFBUTTON2" in code  # asked, «Нет» by default, never silently
    ps1 = (BUILD / "windows" / "build_windows.ps1").read_bytes()
    assert ps1.startswith(b"\xef\xbb\xbf"), "Windows PowerShell 5.1 reads a script without a BOM as cp1251"
    assert '"/DAppVersion=$Version"' in ps1.decode("utf-8-sig")


def test_smoke_test_tells_internet_sockets_from_local_ones() -> None:
    smoke = _load(BUILD / "smoke.py", "opora_smoke")
    internet = [
        "9128  socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 4",
        "9128  socket(AF_INET6, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP) = 5",
        '9128  connect(4, {sa_family=AF_INET, sin_port=htons(631), sin_addr=inet_addr("127.0.0.1")}, 16) = -1',
    ]
    local = [
        "9128  socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, 0) = 7",
        '9128  connect(7, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = -1 ENOENT',
        "9128  socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE) = 3",
        '9128  openat(AT_FDCWD, "/opt/opora/_internal/AF_INET.txt", O_RDONLY) = 3',
    ]
    assert all(smoke.NETWORK.search(line) for line in internet)
    assert not any(smoke.NETWORK.search(line) for line in local)


def test_the_bundle_section_of_performance_md_is_replaced_and_survives_bench_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "path", list(sys.path))
    for name in ("run", "synthetic"):  # bench/'s modules, imported by bench/bundle.py: gone afterwards
        monkeypatch.setitem(sys.modules, name, None)
        monkeypatch.delitem(sys.modules, name)
    bundle = _load(REPO_ROOT / "bench" / "bundle.py", "opora_bench_bundle")
    run = sys.modules["run"]  # bench/run.py
    document = tmp_path / "PERFORMANCE.md"
    document.write_text(
        "# Performance\n\n## Results\n\nold numbers\n\n## How to reproduce\n\nsteps\n", "utf-8"
    )
    first = "<!-- bundle -->\n## Bundle\n\n0.18 s\n<!-- /bundle -->\n"
    bundle.write_section(document, first)
    bundle.write_section(document, first.replace("0.18", "0.17"))
    text = document.read_text("utf-8")
    assert text.count("<!-- bundle -->") == 1 and "0.17 s" in text and "0.18 s" not in text
    assert text.index("<!-- /bundle -->") < text.index("## How to reproduce")
    # bench/run.py writes the whole file anew from its own numbers: the section comes along.
    rewritten = run.keep_bundle_section(
        document, "# Performance\n\n## Results\n\nnew\n\n## How to reproduce\n"
    )
    assert "new" in rewritten and "<!-- bundle -->\n## Bundle\n\n0.17 s\n<!-- /bundle -->" in rewritten
    assert rewritten.index("<!-- /bundle -->") < rewritten.index("## How to reproduce")
