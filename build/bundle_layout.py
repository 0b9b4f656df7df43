"""What goes into the PyInstaller bundle, kept apart from build/opora.spec so that tests can read it.

Plain Python, no PyInstaller import: build/opora.spec uses it to build its Analysis and
tests/app/test_packaging.py checks it (every resources/ folder and the migrations bundled where
the program looks for them, the version, the excluded modules really unused).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

APP_NAME = "opora"

# Our own packages: every module is bundled (some are imported by name at run time:
# ui/orders/page.py, ui/monitoring/page.py, ui/identification/page.py), found by own_modules().
OWN_PACKAGES = ("app", "ui", "db")

# Modules PyInstaller cannot see being imported: reportlab imports its C accelerator by exec().
# (Our own modules imported by name are covered by OWN_PACKAGES; the self-check, ui/self_check.py,
# imports every library the program uses inside the frozen program.)
HIDDEN_IMPORTS = ("_rl_accel",)

# Libraries whose data files PyInstaller has no hook for: pytrovich's declension rules
# (petrovich-rules/*.json; without them every name is left undeclined).
PACKAGE_DATA = ("pytrovich",)

# Packages whose .py files must also lie on disk (Analysis(module_collection_mode=…)): python-docx
# opens «docx/parts/../templates/default-header.xml», which needs the folder docx/parts to exist.
ON_DISK_PACKAGES = {"docx": "pyz+py"}

# Imported by none of our code (tests/app/test_packaging.py checks it), but optionally by the
# libraries (openpyxl and pypdfium2 try numpy; PIL tries tkinter…): left out of the bundle.
# pandas and sqlite-utils are dependencies of the source install only.
EXCLUDED_MODULES = (
    "numpy",
    "pandas",
    "sqlite_utils",
    "click",
    "tabulate",
    "tkinter",
    "_tkinter",
    "idlelib",
    "turtledemo",
    "lib2to3",
    "pydoc_data",
    "distutils",
    "setuptools",
    "pkg_resources",
    "pip",
    "IPython",
    "matplotlib",
    "pytest",
    "hypothesis",
    "pypdf",
    # Qt: PySide6/__init__.py tries QtNetwork on Windows (for OpenSSL) and gets on without it.
    "PySide6.QtNetwork",
)

# Qt's own translations kept in the bundle (the program speaks Russian; qt_ru.qm and friends
# are small). Every other language is dropped.
QT_TRANSLATION_LANGUAGES = ("ru",)

# pyphen's hyphenation dictionaries kept (app/exporting/hyphenation.py uses ru_RU): 84 → 1.
PYPHEN_DICTIONARIES = ("hyph_ru_RU.dic",)

# Qt plugins the program does not need on an office PC. Platforms kept: xcb (X11, Astra Linux's
# Fly), wayland, offscreen (the build's smoke test, servers), minimal; windows on Windows.
UNNEEDED_QT_PLUGIN_PREFIXES = (
    "platforms/libqeglfs",
    "platforms/libqlinuxfb",
    "platforms/libqminimalegl",
    "platforms/libqvnc",
    "platforms/libqvkkhrdisplay",
    "platforms/qdirect2d",
    # GTK's look on GNOME: it would load the system's GTK 3 against the bundle's GLib.
    "platformthemes/libqgtk3",
    "egldeviceintegrations/",
    "generic/",
)


def read_version(root: Path = ROOT) -> str:
    """[project] version of pyproject.toml (app.version reads it for the program): the one place
    the version is written. Three numbers, as Windows' file version and dpkg's ordering need."""
    with (root / "pyproject.toml").open("rb") as handle:
        version = str(tomllib.load(handle)["project"]["version"])
    if not re.fullmatch(r"\d+\.\d+\.\d+", version):
        raise SystemExit(
            f"Версия «{version}» в pyproject.toml должна быть вида 1.2.3 (три числа через точку)."
        )
    return version


def own_modules(root: Path = ROOT) -> list[str]:
    """Every module of app/, ui/ and db/ by its dotted name, read from the files (no import)."""
    names: list[str] = []
    for package in OWN_PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if "__pycache__" in path.parts:
                continue
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            names.append(".".join(parts))
    return names


def datas(root: Path = ROOT) -> list[tuple[str, str]]:
    """(source, folder inside the bundle) for PyInstaller's Analysis(datas=…).

    Each resources/ subfolder goes to resources/<name> beside the bundle's modules, where
    app.paths.resources_dir() looks (sys._MEIPASS/resources); the SQL migrations go into the
    db/migrations package, where db.migrations reads them (the folder beside its module);
    pyproject.toml goes to the bundle's top so that app.version reads the same version frozen.
    """
    found: list[tuple[str, str]] = []
    for folder in sorted(p for p in (root / "resources").iterdir() if p.is_dir()):
        if folder.name.startswith((".", "__")):
            continue
        found.append((str(folder), f"resources/{folder.name}"))
    found.append((str(root / "db" / "migrations" / "*.sql"), "db/migrations"))
    found.append((str(root / "pyproject.toml"), "."))
    return found


def bundled_files(root: Path = ROOT) -> dict[str, Path]:
    """Every data file the bundle gets: its path inside the bundle → its source (as PyInstaller
    copies `datas`: a folder recursively, a glob by its matches)."""
    files: dict[str, Path] = {}
    for source, target in datas(root):
        path = Path(source)
        if "*" in path.name:
            matches = sorted(path.parent.glob(path.name))
            files.update({f"{target}/{match.name}": match for match in matches if match.is_file()})
        elif path.is_dir():
            for item in sorted(path.rglob("*")):
                if item.is_file() and "__pycache__" not in item.parts:
                    files[f"{target}/{item.relative_to(path).as_posix()}"] = item
        else:
            files[f"{target}/{path.name}".removeprefix("./")] = path
    return files


def keep_file(destination: str) -> bool:
    """False for a Qt translation of another language, a Qt plugin the program does not need or a
    hyphenation dictionary of another language.

    `destination` is the path inside the bundle as PyInstaller reports it, e.g.
    «PySide6/Qt/translations/qtbase_de.qm» or «PySide6/Qt/plugins/platforms/libqvnc.so».
    """
    path = destination.replace("\\", "/")
    if path.startswith("pyphen/dictionaries/"):
        return path.rsplit("/", 1)[1] in PYPHEN_DICTIONARIES
    if path.startswith("PySide6/") and "/translations/" in path and path.endswith(".qm"):  # Qt's, not ours
        # qtbase_ru.qm, qt_help_ru.qm, qtbase_pt_BR.qm: the language follows the module's name.
        parts = path.rsplit("/", 1)[1].removesuffix(".qm").split("_")[1:]
        return any(part in QT_TRANSLATION_LANGUAGES for part in parts)
    if "/plugins/" in path:
        plugin = path.split("/plugins/", 1)[1]
        return not plugin.startswith(UNNEEDED_QT_PLUGIN_PREFIXES)
    return True


# --- unreferenced shared libraries (Linux) ------------------------------------------------------------
def elf_needed(path: str | Path) -> list[str] | None:
    """The DT_NEEDED names of a 64-bit little-endian ELF file; None when it is not one."""
    import struct

    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return None
    (shoff,) = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    names: list[str] = []
    for _name, kind, _flags, _addr, offset, size, link, _info, _align, entsize in sections:
        if kind != 6:  # SHT_DYNAMIC
            continue
        strtab = sections[link][4]
        for at in range(offset, offset + size, entsize or 16):
            tag, value = struct.unpack_from("<qQ", data, at)
            if tag == 0:  # DT_NULL
                break
            if tag == 1:  # DT_NEEDED
                end = data.index(b"\0", strtab + value)
                names.append(data[strtab + value : end].decode("utf-8", "replace"))
    return names


def _prunable(destination: str) -> bool:
    """A library PyInstaller collected as someone's dependency (not a module, plugin or package file)."""
    return "/" not in destination or destination.startswith("PySide6/Qt/lib/")


def prune_unreferenced(
    binaries: list[tuple[str, str, str]],
    datas: list[tuple[str, str, str]],
    needed=elf_needed,  # type: ignore[no-untyped-def]
) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]], list[str]]:
    """Drop the dependency libraries nothing kept still loads (after keep_file dropped plugins).

    PyInstaller resolves dependencies before the spec can drop a plugin, so the GTK theme's cairo,
    pango… and the EGLFS platform's libraries stay behind otherwise. Roots: every Python extension
    (also a top-level one such as _rl_accel.abi3.so), Qt plugin and library inside a package (pypdfium2's libpdfium, pillow.libs), libpython, and any
    file that is not an ELF library. Returns (binaries, datas without symlinks to dropped files,
    the dropped destinations).
    """
    import posixpath

    source = {dest: src for dest, src, _kind in binaries}
    extensions = {dest for dest, _src, kind in binaries if kind != "BINARY"}  # Python modules
    by_name: dict[str, list[str]] = {}
    for dest in source:
        by_name.setdefault(posixpath.basename(dest), []).append(dest)
    cache: dict[str, list[str] | None] = {}

    def needs(dest: str) -> list[str] | None:
        if dest not in cache:
            cache[dest] = needed(source[dest])
        return cache[dest]

    stack = [
        dest
        for dest in source
        if dest in extensions or not _prunable(dest) or dest.startswith("libpython") or needs(dest) is None
    ]
    reached: set[str] = set()
    while stack:
        dest = stack.pop()
        if dest in reached:
            continue
        reached.add(dest)
        for name in needs(dest) or ():
            stack.extend(by_name.get(name, ()))
    dropped = sorted(dest for dest in source if dest not in reached)
    gone = set(dropped)
    kept_binaries = [entry for entry in binaries if entry[0] in reached]
    kept_datas = [
        entry
        for entry in datas
        if entry[2] != "SYMLINK"
        or posixpath.normpath(posixpath.join(posixpath.dirname(entry[0]), entry[1])) not in gone
    ]
    return kept_binaries, kept_datas, dropped


def elf_version_needs(path: str | Path) -> set[str]:
    """The symbol versions a 64-bit ELF file needs from other libraries («GLIBC_2.34», «GLIBCXX_3.4.29»…)."""
    import struct

    try:
        data = Path(path).read_bytes()
    except OSError:
        return set()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return set()
    (shoff,) = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    found: set[str] = set()
    for _name, kind, _flags, _addr, offset, _size, link, info, _align, _entsize in sections:
        if kind != 0x6FFFFFFE:  # SHT_GNU_verneed
            continue
        strtab = sections[link][4]

        def text(at: int, strtab: int = strtab) -> str:
            return data[strtab + at : data.index(b"\0", strtab + at)].decode("ascii", "replace")

        at = offset
        for _ in range(info):  # sh_info: the number of Verneed entries
            _version, count, _file, aux, following = struct.unpack_from("<HHIII", data, at)
            entry = at + aux
            for _ in range(count):
                _hash, _flags2, _other, name, next_aux = struct.unpack_from("<IHHII", data, entry)
                found.add(text(name))
                entry += next_aux
            if not following:
                break
            at += following
    return found


def glibc_needed(folder: Path) -> tuple[int, int]:
    """The newest GLIBC_x.y any ELF file under `folder` needs: the oldest glibc the bundle runs on."""
    newest = (2, 0)
    for path in folder.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        for name in elf_version_needs(path):
            if name.startswith("GLIBC_2."):
                parts = name.removeprefix("GLIBC_").split(".")
                try:
                    newest = max(newest, (int(parts[0]), int(parts[1])))
                except (ValueError, IndexError):
                    continue
    return newest
