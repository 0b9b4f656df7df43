#!/usr/bin/env bash
# Sets «Опора» up on Debian/Ubuntu/Astra Linux and starts it (`run`) or runs its tests (`test`).
#   bash build/setup.sh run  [аргументы main.py]
#   bash build/setup.sh test [аргументы pytest]
# Installs Qt's system libraries with apt when it can (root or passwordless sudo); otherwise
# names exactly what is missing. Python packages go into .venv beside the sources.
set -euo pipefail

mode="${1:-run}"
shift || true
cd "$(dirname "$0")/.."

say() { printf '%s\n' "$*" >&2; }

python_bin="${PYTHON:-python3}"
if ! command -v "$python_bin" >/dev/null 2>&1; then
  say "Не найден Python 3. Установите его: sudo apt-get install python3 python3-venv"
  exit 1
fi
if ! "$python_bin" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  say "Нужен Python 3.11 или новее, а установлен $("$python_bin" -V 2>&1)."
  exit 1
fi

# Debian package -> a file it provides; checked with ldconfig so that renamed packages
# (Ubuntu 24.04's libglib2.0-0t64) count as present.
declare -A qt_libs=(
  [libgl1]=libGL.so.1 [libegl1]=libEGL.so.1 [libxkbcommon0]=libxkbcommon.so.0
  [libglib2.0-0]=libglib-2.0.so.0 [libfreetype6]=libfreetype.so.6
  [libfontconfig1]=libfontconfig.so.1 [libdbus-1-3]=libdbus-1.so.3
  [libxkbcommon-x11-0]=libxkbcommon-x11.so.0 [libxcb-cursor0]=libxcb-cursor.so.0
  [libxcb-icccm4]=libxcb-icccm.so.4 [libxcb-keysyms1]=libxcb-keysyms.so.1
  [libxcb-image0]=libxcb-image.so.0 [libxcb-render-util0]=libxcb-render-util.so.0
  [libxcb-shape0]=libxcb-shape.so.0 [libxcb-randr0]=libxcb-randr.so.0
  [libxcb-xinerama0]=libxcb-xinerama.so.0 [libxcb-xkb1]=libxcb-xkb.so.1
)
missing=()
if [ "$(uname -s)" = "Linux" ]; then
  libraries="$(ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null || true)"
  for package in "${!qt_libs[@]}"; do
    grep -q "${qt_libs[$package]}" <<<"$libraries" || missing+=("$package")
  done
  "$python_bin" -c 'import ensurepip, venv' 2>/dev/null || missing+=("python3-venv")
  if command -v fc-list >/dev/null 2>&1 && ! fc-list 2>/dev/null | grep -qiE 'liberation|dejavu'; then
    missing+=("fonts-liberation2")
  fi
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ]; then sudo_cmd=(); elif sudo -n true 2>/dev/null; then sudo_cmd=(sudo); else sudo_cmd=(none); fi
  if [ "${sudo_cmd[0]:-}" = "none" ]; then
    say "Не хватает системных пакетов: ${missing[*]}"
    say "Установите их и повторите: sudo apt-get install ${missing[*]}"
    exit 1
  fi
  say "Установка системных пакетов: ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  "$python_bin" -m venv .venv
fi
stamp=".venv/.installed-$mode"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  if [ "$mode" = "test" ]; then
    .venv/bin/python -m pip install -q -e ".[test]"
  else
    .venv/bin/python -m pip install -q -e .
  fi
  touch "$stamp"
fi

case "$mode" in
  run)
    if [ "$(uname -s)" = "Linux" ] && [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
      say "Нет графического сеанса (не задан DISPLAY): запустите команду из терминала рабочего стола."
      exit 1
    fi
    exec .venv/bin/python main.py "$@"
    ;;
  test)
    export QT_QPA_PLATFORM=offscreen
    exec .venv/bin/python -m pytest "$@"
    ;;
  *)
    say "Неизвестный режим «$mode»: используйте run или test."
    exit 2
    ;;
esac
