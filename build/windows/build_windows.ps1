<#
.SYNOPSIS
  Собирает установщик «Опоры» для Windows: dist\opora-<версия>-setup.exe.

.DESCRIPTION
  1. build\.venv-build: пакеты Python из build\requirements.txt (из интернета или, без него,
     из папки с заранее скачанными пакетами: -Wheelhouse D:\wheelhouse);
  2. dist\opora\ — папка программы (PyInstaller, build\opora.spec): opora.exe (окно)
     и opora-cli.exe (командная строка);
  3. проверка собранной программы (build\smoke.py): все команды, окно без экрана;
  4. установщик Inno Setup 6 (build\windows\opora.iss) с версией из pyproject.toml;
  5. с ключом -TestInstall: тихая установка в папку пользователя, проверка установленной
     программы и тихое удаление.
  Подробно, в том числе как собрать на компьютере без интернета: docs\INSTALL.md.

.EXAMPLE
  powershell -ExecutionPolicy Bypass -File build\windows\build_windows.ps1
.EXAMPLE
  powershell -ExecutionPolicy Bypass -File build\windows\build_windows.ps1 -Wheelhouse D:\wheelhouse -TestInstall
#>
[CmdletBinding()]
param(
    # Python 3.11 (64-bit): путь к python.exe; по умолчанию — «py -3.11», затем python.exe из PATH.
    [string]$Python = "",
    # Папка с пакетами (.whl), скачанными командой pip download: сборка без интернета.
    [string]$Wheelhouse = "",
    # Путь к ISCC.exe, если Inno Setup 6 установлен не в обычную папку.
    [string]$InnoSetup = "",
    [switch]$SkipSmoke,
    [switch]$TestInstall
)

$ErrorActionPreference = "Stop"
Set-StrictMode -Version 3.0
$Root = (Resolve-Path (Join-Path $PSScriptRoot "..\..")).Path
Set-Location $Root

function Say([string]$Text) { Write-Host $Text }
function Step([string]$Text) { Write-Host ""; Write-Host "=== $Text" -ForegroundColor Cyan }
function Fail([string]$Text) { Write-Host "ОШИБКА: $Text" -ForegroundColor Red; exit 1 }
# Windows PowerShell 5.1 turns a program's stderr into errors when the output is redirected
# (build_windows.ps1 > build.log 2>&1): programs run with "Continue", their exit code decides.
function Invoke-Native([scriptblock]$Command) {
    $Saved = $ErrorActionPreference
    $ErrorActionPreference = "Continue"
    try { & $Command } finally { $ErrorActionPreference = $Saved }
}
function Invoke-Checked([string]$What, [scriptblock]$Command) {
    Invoke-Native $Command
    if ($LASTEXITCODE -ne 0) { Fail "$What (код выхода $LASTEXITCODE)" }
}

# --- Python 3.11+, 64-bit -------------------------------------------------------------------------
function Find-Python {
    if ($Python) { return @($Python) }
    if (Get-Command py.exe -ErrorAction SilentlyContinue) {
        Invoke-Native { & py.exe -3.11 -c "import sys" 2>$null } | Out-Null
        if ($LASTEXITCODE -eq 0) { return @("py.exe", "-3.11") }
    }
    if (Get-Command python.exe -ErrorAction SilentlyContinue) { return @("python.exe") }
    Fail "Python 3.11 не найден. Установите его (python-3.11.x-amd64.exe, «Add python.exe to PATH») или укажите -Python C:\путь\python.exe"
}
$PythonCommand = @(Find-Python)
$PythonExe = $PythonCommand[0]
$PythonArgs = @($PythonCommand | Select-Object -Skip 1)
Invoke-Checked "нужен 64-разрядный Python 3.11 или новее: $($PythonCommand -join ' ')" {
    & $PythonExe @PythonArgs -c "import sys, struct; sys.exit(0 if sys.version_info >= (3, 11) and struct.calcsize('P') == 8 else 1)"
}
$Version = Invoke-Native {
    & $PythonExe @PythonArgs -c "import sys; sys.path.insert(0, 'build'); import bundle_layout; print(bundle_layout.read_version())"
} | Select-Object -Last 1
if (-not $Version) { Fail "версия не прочитана из pyproject.toml" }
$Version = "$Version".Trim()
Say "«Опора» $Version"

# --- 1. Build venv ---------------------------------------------------------------------------------
Step "1. Пакеты Python для сборки (build\.venv-build)"
$Venv = Join-Path $Root "build\.venv-build"
$VenvPython = Join-Path $Venv "Scripts\python.exe"
if (-not (Test-Path $VenvPython)) {
    Invoke-Checked "не создано окружение build\.venv-build" { & $PythonExe @PythonArgs -m venv $Venv }
}
$PipSource = @()
if ($Wheelhouse) {
    if (-not (Test-Path $Wheelhouse)) { Fail "нет папки с пакетами $Wheelhouse" }
    $PipSource = @("--no-index", "--find-links", (Resolve-Path $Wheelhouse).Path)
    Say "Пакеты — из папки $Wheelhouse (без интернета)"
}
$Stamp = Join-Path $Venv ".installed"
$Requirements = Join-Path $Root "build\requirements.txt"
if (-not (Test-Path $Stamp) -or (Get-Item $Requirements).LastWriteTime -gt (Get-Item $Stamp).LastWriteTime) {
    Invoke-Checked "pip не установил пакеты" { & $VenvPython -m pip install -q @PipSource -r $Requirements }
    New-Item -ItemType File -Force $Stamp | Out-Null
}
Invoke-Checked "пакеты build\.venv-build несовместимы (pip check)" { & $VenvPython -m pip check }

# --- 2. PyInstaller --------------------------------------------------------------------------------
Step "2. Сборка dist\opora (PyInstaller)"
$Bundle = Join-Path $Root "dist\opora"
if (Test-Path $Bundle) { Remove-Item -Recurse -Force $Bundle }
Invoke-Checked "PyInstaller не собрал программу" {
    & (Join-Path $Venv "Scripts\pyinstaller.exe") --noconfirm --clean --log-level WARN --distpath dist --workpath build\work build\opora.spec
}
$Gui = Join-Path $Bundle "opora.exe"
$Cli = Join-Path $Bundle "opora-cli.exe"
foreach ($Exe in @($Gui, $Cli)) { if (-not (Test-Path $Exe)) { Fail "нет $Exe" } }
$BundleMb = [math]::Round(((Get-ChildItem -Recurse -File $Bundle | Measure-Object -Sum Length).Sum / 1MB), 1)
Say "Собрано: $Bundle ($BundleMb МБ)"

# --- 3. Smoke test ---------------------------------------------------------------------------------
Step "3. Проверка собранной программы"
if ($SkipSmoke) {
    Say "(пропущена: -SkipSmoke)"
} else {
    Invoke-Checked "проверка собранной программы не пройдена" {
        & $VenvPython build\smoke.py $Gui --cli $Cli --version $Version
    }
}

# --- 4. Inno Setup ---------------------------------------------------------------------------------
Step "4. Установщик (Inno Setup 6)"
$Iscc = $InnoSetup
if (-not $Iscc) {
    $Candidates = @(
        (Join-Path ${env:ProgramFiles(x86)} "Inno Setup 6\ISCC.exe"),
        (Join-Path $env:ProgramFiles "Inno Setup 6\ISCC.exe"),
        (Join-Path $env:LOCALAPPDATA "Programs\Inno Setup 6\ISCC.exe")
    )
    $Iscc = $Candidates | Where-Object { $_ -and (Test-Path $_) } | Select-Object -First 1
    if (-not $Iscc) {
        $Found = Get-Command ISCC.exe -ErrorAction SilentlyContinue
        if ($Found) { $Iscc = $Found.Source }
    }
}
if (-not $Iscc -or -not (Test-Path $Iscc)) {
    Fail "Inno Setup 6 не найден (ISCC.exe). Установите его (innosetup-6.x.exe) или укажите -InnoSetup C:\путь\ISCC.exe"
}
$Dist = Join-Path $Root "dist"
Invoke-Checked "Inno Setup не собрал установщик" {
    & $Iscc /Q "/DAppVersion=$Version" "/DSourceDir=$Bundle" "/DOutputDir=$Dist" (Join-Path $Root "build\windows\opora.iss")
}
$Setup = Join-Path $Dist "opora-$Version-setup.exe"
if (-not (Test-Path $Setup)) { Fail "нет $Setup" }

# --- 5. Optional: install, check, uninstall --------------------------------------------------------
if ($TestInstall) {
    Step "5. Пробная установка"
    $Target = Join-Path $env:TEMP "opora-test-install"
    if (Test-Path $Target) { Remove-Item -Recurse -Force $Target }
    $Log = Join-Path $env:TEMP "opora-test-install.log"
    $Install = Start-Process -Wait -PassThru $Setup -ArgumentList @(
        "/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART", "/CURRENTUSER", "/TASKS=""""",
        "/DIR=""$Target""", "/LOG=""$Log"""
    )
    if ($Install.ExitCode -ne 0) { Fail "тихая установка завершилась с кодом $($Install.ExitCode) (журнал: $Log)" }
    Invoke-Checked "установленная программа не прошла проверку" {
        & $VenvPython build\smoke.py (Join-Path $Target "opora.exe") --cli (Join-Path $Target "opora-cli.exe") --version $Version --quick
    }
    $Uninstaller = Join-Path $Target "unins000.exe"
    $Uninstall = Start-Process -Wait -PassThru $Uninstaller -ArgumentList @("/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART")
    if ($Uninstall.ExitCode -ne 0) { Fail "тихое удаление завершилось с кодом $($Uninstall.ExitCode)" }
    Start-Sleep -Seconds 2  # the uninstaller removes itself through a helper process
    if (Test-Path (Join-Path $Target "opora.exe")) { Fail "после удаления осталась $Target\opora.exe" }
    Say "Установка, проверка и удаление прошли."
}

Step "Готово"
$SetupMb = [math]::Round((Get-Item $Setup).Length / 1MB, 1)
Say "Установщик: $Setup ($SetupMb МБ)"
Say "Папка программы: $Bundle ($BundleMb МБ)"
