#!/usr/bin/env bash
# Builds «Опора» for Linux from a clean checkout and checks what it built:
#   bash build/build_linux.sh
# 1. build/.venv-build: Python packages pinned in build/requirements.txt (from PyPI or a wheelhouse:
#    PIP_NO_INDEX=1 PIP_FIND_LINKS=/путь/к/wheelhouse bash build/build_linux.sh);
# 2. dist/opora/ — one folder, PyInstaller (build/opora.spec);
# 3. the smoke test of the frozen program (build/smoke.py): every command, the window offscreen and
#    on Xvfb, under strace (no internet socket may be opened) and without any network (unshare -n);
# 4. dist/opora-<версия>-linux-x86_64.tar.gz and dist/opora_<версия>_amd64.deb (/opt/opora,
#    /usr/bin/opora, the menu entry, the icons), each unpacked again and smoke-tested from there.
# The bundle runs on systems with the glibc of the build machine or newer: build on the oldest
# target (Astra Linux SE 1.8, Debian 12) — see docs/INSTALL.md.
# Environment: PYTHON (default python3, 3.11+ with libpython), OPORA_SKIP_SMOKE=1 (packages only),
# OPORA_DEB_MAINTAINER.
set -euo pipefail

cd "$(dirname "$0")/.."
say() { printf '%s\n' "$*" >&2; }
step() { printf '\n=== %s\n' "$*" >&2; }
fail() { say "ОШИБКА: $*"; exit 1; }

[ "$(uname -s)" = "Linux" ] || fail "этот скрипт собирает программу для Linux; для Windows — build/windows/build_windows.ps1"
[ "$(uname -m)" = "x86_64" ] || fail "поддерживается только x86_64 (amd64), а здесь $(uname -m)"

python_bin="${PYTHON:-python3}"
command -v "$python_bin" >/dev/null 2>&1 || fail "не найден Python 3 ($python_bin)"
"$python_bin" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
  || fail "нужен Python 3.11 или новее, а установлен $("$python_bin" -V 2>&1)"
# PyInstaller bundles libpython: a pyenv/python.org build with --enable-shared, or Debian's
# python3 with the libpython3.X package.
"$python_bin" - <<'PY' || fail "PyInstaller нужна разделяемая библиотека libpython (Debian, Astra: sudo apt-get install libpython3.11)"
import ctypes.util, os, sys, sysconfig
name = sysconfig.get_config_var("INSTSONAME") or ""
folder = sysconfig.get_config_var("LIBDIR") or ""
found = name.endswith(".so.1.0") and os.path.exists(os.path.join(folder, name))
sys.exit(0 if found or ctypes.util.find_library("python%d.%d" % sys.version_info[:2]) else 1)
PY

# The system libraries Qt needs: the .deb depends on them (libcups2: printing) and they are
# installed here too — the smoke test runs the program on this machine and every library in the
# bundle must find what it links to (checked below). The Wayland ones are only recommended: an X11
# session (Astra Linux's Fly) does without them, Qt's Wayland plugin alone needs them.
qt_packages=(libgl1 libegl1 libxcb1 libx11-xcb1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1
  libfreetype6 libdbus-1-3 libglib2.0-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0
  libxcb-render-util0 libxcb-shape0 libxcb-randr0 libxcb-xinerama0 libxcb-xkb1 libcups2)
recommended=(libwayland-client0 libwayland-cursor0 libwayland-egl1)

# Tools the checks need, and those libraries: installed with apt when possible (root), otherwise named.
need=()
command -v dpkg-deb >/dev/null 2>&1 || need+=(dpkg)
command -v strace >/dev/null 2>&1 || need+=(strace)
command -v strip >/dev/null 2>&1 || need+=(binutils)
command -v xvfb-run >/dev/null 2>&1 || need+=(xvfb xauth)
if ! command -v fc-list >/dev/null 2>&1; then
  need+=(fontconfig fonts-dejavu-core)
elif ! fc-list 2>/dev/null | grep -q .; then
  need+=(fonts-dejavu-core)  # the map is drawn with a system font
fi
if command -v dpkg-query >/dev/null 2>&1; then
  for package in "${qt_packages[@]}"; do
    [ "$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null)" = "install ok installed" ] || need+=("$package")
  done
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    say "Установка: ${need[*]}"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; } \
      || fail "пакеты не установлены через apt (нет доступа к репозиторию?): ${need[*]}"
  else
    fail "не хватает пакетов: ${need[*]} (sudo apt-get install ${need[*]})"
  fi
fi

version="$("$python_bin" -c 'import sys; sys.path.insert(0, "build"); import bundle_layout; print(bundle_layout.read_version())')"
[ -n "$version" ] || fail "версия не прочитана из pyproject.toml"
say "«Опора» $version"

step "1. Пакеты Python для сборки (build/.venv-build)"
venv=build/.venv-build
if [ ! -x "$venv/bin/python" ]; then
  "$python_bin" -m venv "$venv" \
    || fail "не создаётся окружение $venv (нужен модуль venv: sudo apt-get install python3-venv)"
fi
stamp="$venv/.installed"
if [ ! -f "$stamp" ] || [ build/requirements.txt -nt "$stamp" ]; then
  "$venv/bin/python" -m pip install -q --upgrade pip >/dev/null \
    || say "pip не обновлён (нет доступа к PyPI?) — сборка продолжается с имеющимся"
  "$venv/bin/python" -m pip install -q -r build/requirements.txt \
    || fail "пакеты из build/requirements.txt не установлены: нет доступа к PyPI? Без интернета укажите папку с заранее скачанными пакетами: PIP_NO_INDEX=1 PIP_FIND_LINKS=/путь/к/wheelhouse bash build/build_linux.sh"
  touch "$stamp"
fi
"$venv/bin/python" -m pip check >/dev/null || fail "пакеты build/.venv-build несовместимы (pip check)"

step "2. Сборка dist/opora (PyInstaller)"
rm -rf dist/opora
"$venv/bin/pyinstaller" --noconfirm --clean --log-level WARN --distpath dist --workpath build/work build/opora.spec \
  || fail "PyInstaller не собрал программу (его сообщения — выше)"
bundle=dist/opora
[ -x "$bundle/opora" ] || fail "нет $bundle/opora"
glibc="$("$venv/bin/python" -c 'import sys; sys.path.insert(0, "build"); import bundle_layout; from pathlib import Path; print("%d.%d" % bundle_layout.glibc_needed(Path(sys.argv[1])))' "$bundle")"
say "Собрано: $bundle ($(du -sh "$bundle" | cut -f1)); нужна glibc $glibc или новее"
# Every library and plugin of the bundle finds each library it links to (in the bundle or on the
# system): a plugin whose dependency is missing (say, the CUPS printing plugin without libcups)
# would otherwise fail only when someone prints.
unresolved=""
while IFS= read -r -d '' file; do
  lost="$(LD_LIBRARY_PATH="$bundle/_internal" ldd "$file" 2>/dev/null | grep 'not found' | grep -v 'libwayland-' || true)"
  [ -z "$lost" ] || unresolved+="${file#"$bundle"/}:"$'\n'"$lost"$'\n'
done < <(find "$bundle" -type f \( -name '*.so' -o -name '*.so.*' \) -print0)
[ -z "$unresolved" ] || fail "библиотеки без зависимостей:"$'\n'"$unresolved"
say "Зависимости всех библиотек находятся"

smoke() {  # smoke <program> [options of build/smoke.py]
  if [ "${OPORA_SKIP_SMOKE:-}" = "1" ]; then
    say "(проверка пропущена: OPORA_SKIP_SMOKE=1)"
    return 0
  fi
  local isolate=()
  if unshare -n true 2>/dev/null; then
    isolate=(unshare -n --)  # no network at all: not even loopback is up
  else
    say "(unshare -n недоступен: проверка без изоляции от сети, только strace)"
  fi
  ${isolate[@]+"${isolate[@]}"} "$venv/bin/python" build/smoke.py "$@" --version "$version" --strace
}

step "3. Проверка собранной программы"
xvfb=()
command -v xvfb-run >/dev/null 2>&1 && xvfb=(--xvfb)
smoke "$bundle/opora" ${xvfb[@]+"${xvfb[@]}"}

step "4. Архив .tar.gz"
work=build/work/package
rm -rf "$work" && mkdir -p "$work"
tarball="dist/opora-$version-linux-x86_64.tar.gz"
mkdir -p "$work/tar"
cp -a "$bundle" "$work/tar/opora"
install -m 0644 build/linux/opora.desktop "$work/tar/opora/opora.desktop"
install -m 0644 resources/icons/opora-256.png "$work/tar/opora/opora.png"
install -m 0644 docs/INSTALL.md "$work/tar/opora/INSTALL.md"  # the administrator's guide, in Russian
cat >"$work/tar/opora/УСТАНОВКА.txt" <<EOF
«Опора» $version для Linux (x86_64; нужна glibc $glibc или новее: Astra Linux SE 1.8, Debian 12 и новее).

Для Astra Linux и Debian удобнее пакет opora_${version}_amd64.deb (sudo apt install ./opora_${version}_amd64.deb):
он сам создаёт пункт меню и значок.

Из этого архива:
  sudo tar -xzf opora-$version-linux-x86_64.tar.gz -C /opt
  sudo ln -sf /opt/opora/opora /usr/local/bin/opora
  sudo install -D -m 644 /opt/opora/opora.desktop /usr/share/applications/opora.desktop
  sudo install -D -m 644 /opt/opora/opora.png /usr/share/icons/hicolor/256x256/apps/opora.png
Запуск: opora (окно), opora --help (команды), opora --self-check (проверка установки).
Данные каждого пользователя: ~/.local/share/Opora (база opora.sqlite, резервные копии в backups/).
Подробно: INSTALL.md рядом с этим файлом.
EOF
tar --sort=name --owner=0 --group=0 --numeric-owner -C "$work/tar" -czf "$tarball" opora

step "5. Пакет .deb"
deb="dist/opora_${version}_amd64.deb"
pkg="$work/deb"
mkdir -p "$pkg/DEBIAN" "$pkg/opt" "$pkg/usr/bin" "$pkg/usr/share/applications" "$pkg/usr/share/doc/opora"
cp -a "$bundle" "$pkg/opt/opora"
install -m 0755 build/linux/opora.sh "$pkg/usr/bin/opora"
install -m 0644 build/linux/opora.desktop "$pkg/usr/share/applications/opora.desktop"
for size in 16 24 32 48 64 128 256; do
  install -D -m 0644 "resources/icons/opora-$size.png" "$pkg/usr/share/icons/hicolor/${size}x${size}/apps/opora.png"
done
install -D -m 0644 resources/icons/opora.svg "$pkg/usr/share/icons/hicolor/scalable/apps/opora.svg"
cat >"$pkg/usr/share/doc/opora/copyright" <<'EOF'
«Опора»: все права защищены (Proprietary).

В программу входят: шрифт Liberation Serif (SIL Open Font License 1.1,
/opt/opora/_internal/resources/fonts/LICENSE-Liberation.txt), Qt 6 и PySide6 (LGPLv3),
Python (PSF License), PDFium (BSD-3-Clause, Apache-2.0), reportlab (BSD), openpyxl (MIT),
python-docx (MIT), python-calamine (MIT), pyphen (LGPL/GPL/MPL), pytrovich (MIT) и их зависимости;
их лицензии — в папках пакетов внутри /opt/opora/_internal.
EOF
install -m 0755 build/linux/postinst "$pkg/DEBIAN/postinst"
install -m 0755 build/linux/postrm "$pkg/DEBIAN/postrm"
installed_kb="$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)"
depends="libc6 (>= $glibc)$(printf ', %s' "${qt_packages[@]}")"
cat >"$pkg/DEBIAN/control" <<EOF
Package: opora
Version: $version
Architecture: amd64
Maintainer: ${OPORA_DEB_MAINTAINER:-«Опора» <opora@localhost>}
Installed-Size: $installed_kb
Depends: $depends
Recommends: $(IFS=,; echo "${recommended[*]}" | sed 's/,/, /g')
Section: education
Priority: optional
Description: «Опора» — поддержка школ с низкими образовательными результатами
 Реестр школ района, перечни ШНРО, ШФНСУ и школ с признаками необъективности
 по учебным годам, планы мероприятий, сетевое партнёрство на карте района,
 мониторинг по чек-листам, приказы и письма по ГОСТ Р 7.0.97-2025.
 Работает без интернета; данные — в одном файле SQLite в папке пользователя
 (~/.local/share/Opora).
EOF
(cd "$pkg" && find . -path ./DEBIAN -prune -o -type f -print0 | sort -z | xargs -0 md5sum | sed 's|  \./|  |' >DEBIAN/md5sums)
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$deb" >/dev/null

step "6. Проверка пакетов"
dpkg-deb --info "$deb" | sed -n '1,40p' >&2
contents="$(dpkg-deb --contents "$deb")"
for path in ./opt/opora/opora ./usr/bin/opora ./usr/share/applications/opora.desktop \
  ./usr/share/icons/hicolor/256x256/apps/opora.png ./usr/share/icons/hicolor/scalable/apps/opora.svg \
  ./opt/opora/_internal/PySide6/Qt/translations/qtbase_ru.qm; do
  grep -q " $path\$" <<<"$contents" || fail "в $deb нет $path"
done
grep -q "root/root.* ./opt/opora/opora$" <<<"$contents" || fail "файлы $deb должны принадлежать root"
if command -v desktop-file-validate >/dev/null 2>&1; then
  desktop-file-validate build/linux/opora.desktop || fail "opora.desktop не прошёл desktop-file-validate"
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  # Can apt resolve every dependency from this system's package lists? (-s: nothing is installed)
  if LC_ALL=C apt-get -s -qq install "./$deb" >"$work/apt.txt" 2>&1; then
    say "apt: зависимости пакета разрешимы (apt-get -s install ./$deb)"
  elif grep -qi "unmet dependencies" "$work/apt.txt"; then
    cat "$work/apt.txt" >&2
    fail "apt не может установить $deb: зависимости не разрешаются"
  else
    say "(apt-get -s install не выполнен — нет списков пакетов? Зависимости не проверены.)"
  fi
fi

check_root="$(mktemp -d "${TMPDIR:-/tmp}/opora проверка XXXXXX")"
trap 'rm -rf "$check_root"' EXIT
say "Пакет .deb, распакованный в «$check_root/deb»:"
dpkg-deb -x "$deb" "$check_root/deb"
smoke "$check_root/deb/opt/opora/opora" --quick
say "Архив .tar.gz, распакованный в «$check_root/tar»:"
mkdir -p "$check_root/tar" && tar -xzf "$tarball" -C "$check_root/tar"
smoke "$check_root/tar/opora/opora" --quick

step "Готово"
ls -l "$tarball" "$deb" >&2
say "Папка программы: $bundle, $(du -sh "$bundle" | cut -f1)"
say "Нужна glibc $glibc или новее (Astra Linux SE 1.8 / Debian 12 и новее)."
