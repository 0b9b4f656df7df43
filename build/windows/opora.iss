; «Опора»: the Windows installer (Inno Setup 6.x, https://jrsoftware.org/isinfo.php).
; Built by build/windows/build_windows.ps1, which passes the version read from pyproject.toml:
;   ISCC.exe /DAppVersion=0.1.0 /DSourceDir=<repo>\dist\opora /DOutputDir=<repo>\dist build\windows\opora.iss
; Result: dist\opora-<version>-setup.exe — one file, everything inside, no network needed.
; Installs into Program Files\Opora (for all users; /CURRENTUSER: into the user's profile),
; Start menu group «Опора», an optional desktop shortcut, an uninstaller. The data is the
; users' own: %LOCALAPPDATA%\Opora (database, backups, log), made by the program on first start;
; the uninstaller keeps it unless the person uninstalling agrees to delete their own (never in a
; silent uninstall). This file is UTF-8 with a byte order mark: Inno Setup reads Russian text so.

#ifndef AppVersion
  #error Версия не передана: ISCC /DAppVersion=0.1.0 opora.iss (build_windows.ps1 передаёт её сам)
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\opora"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif
#define AppName "Опора"
#define AppExe "opora.exe"
#define AppCli "opora-cli.exe"
#define DataFolder "Opora"

[Setup]
; AppId identifies the program for upgrades and the uninstaller: never change it.
AppId={{6B1E2F4A-9C3D-4E8B-A7F0-2D5C8E1B3A94}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppName}
AppComments=Поддержка школ с низкими образовательными результатами: реестр школ, перечни, планы, мониторинг, приказы
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppName}
VersionInfoDescription=Установка программы «{#AppName}»
DefaultDirName={autopf}\Opora
DefaultGroupName={#AppName}
DisableProgramGroupPage=auto
DisableDirPage=auto
OutputDir={#OutputDir}
OutputBaseFilename=opora-{#AppVersion}-setup
SetupIconFile=..\..\resources\icons\opora.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName} {#AppVersion}
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; Qt 6 runs on Windows 10 1809 and newer.
MinVersion=10.0.17763
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=commandline dialog
WizardStyle=modern
ShowLanguageDialog=no
LanguageDetectionMethod=none
Compression=lzma2/max
SolidCompression=yes
; A running «Опора» is asked to close (it makes its closing backup) before files are replaced.
CloseApplications=yes
RestartApplications=no
; The uninstaller's optional deletion of the user's data folder reads {localappdata} on purpose.
UsedUserAreasWarning=no

[Languages]
Name: "russian"; MessagesFile: "compiler:Languages\Russian.isl"

[CustomMessages]
russian.AppComment=Реестр школ, перечни ШНРО и ШФНСУ, планы мероприятий, мониторинг, приказы и письма
russian.CliComment=«Опора»: командная строка и проверка установки
russian.SelfCheck=Проверка установки «Опоры»
russian.DeleteData=Удалить также данные «Опоры» пользователя %1?%n%nПапка «%2»: база данных, резервные копии, журнал.%n%nЕсли база ещё нужна (например, её переносят на другой компьютер), нажмите «Нет»: папка останется.

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[InstallDelete]
; An upgrade replaces the program's libraries wholesale: nothing of the previous version stays behind.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
; cmd /k ""…\opora-cli.exe" --self-check": the outer quotes are cmd's own, so a folder with spaces,
; «&» or brackets (/DIR="C:\Программы (Опора)") keeps its quotes.
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Comment: "{cm:AppComment}"
Name: "{group}\{cm:SelfCheck}"; Filename: "{cmd}"; Parameters: "/k """"{app}\{#AppCli}"" --self-check"""; WorkingDir: "{app}"; IconFilename: "{app}\{#AppExe}"; Comment: "{cm:CliComment}"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Comment: "{cm:AppComment}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[Code]
{ The data of each user lives in their own %LOCALAPPDATA%\Opora and is never deleted silently:
  an office's database outlives any version of the program. An interactive uninstall asks whether
  to delete the data of the user it runs as (default: No); the settings key HKCU\Software\Opora
  goes with it. Other users' folders are never touched. }
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  DataDir: String;
begin
  if CurUninstallStep <> usPostUninstall then
    Exit;
  DataDir := ExpandConstant('{localappdata}\{#DataFolder}');
  if UninstallSilent or not DirExists(DataDir) then
    Exit;
  if MsgBox(FmtMessage(CustomMessage('DeleteData'), [GetUserNameString, DataDir]),
            mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES then
  begin
    DelTree(DataDir, True, True, True);
    RegDeleteKeyIncludingSubkeys(HKCU, 'Software\Opora');
  end;
end;
