; Inno Setup 6 script: a Windows installer for the one-folder app that packaging/rushrater.spec
; builds into dist\rushrater (see packaging\README.md, "Windows"). Per-user install by default (no
; administrator needed on hospital workstations), an admin can choose all users.
;   iscc /DAppVersion=0.1.0 packaging\windows\rushrater.iss   ->  dist\RUSH-Rater-0.1.0-setup.exe

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define Root ".." + "\.."

[Setup]
AppId={{6C0F6C7E-4E0B-4B8B-9E55-2A7B4C1D5E21}
AppName=RUSH Rater
AppVersion={#AppVersion}
AppPublisher=RUSH Rater developers
DefaultDirName={autopf}\RUSH Rater
DefaultGroupName=RUSH Rater
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
LicenseFile={#Root}\LICENSE
SetupIconFile={#Root}\resources\icons\rushrater.ico
UninstallDisplayIcon={app}\rushrater.exe
OutputDir={#Root}\dist
OutputBaseFilename=RUSH-Rater-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ChangesAssociations=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"
Name: "chinesesimplified"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#Root}\dist\rushrater\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\RUSH Rater"; Filename: "{app}\rushrater.exe"; Parameters: "gui"
Name: "{group}\{cm:UninstallProgram,RUSH Rater}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\RUSH Rater"; Filename: "{app}\rushrater.exe"; Parameters: "gui"; Tasks: desktopicon

[Registry]
; Double-click a .rushrater study link (rushrater link STUDY) to open the study.
Root: HKA; Subkey: "Software\Classes\.rushrater"; ValueType: string; ValueName: ""; ValueData: "RUSHRater.Study"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.rushrater"; ValueType: string; ValueName: "Content Type"; ValueData: "application/x-rushrater-study"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\RUSHRater.Study"; ValueType: string; ValueName: ""; ValueData: "RUSH Rater study"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\RUSHRater.Study\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\rushrater.exe,0"
Root: HKA; Subkey: "Software\Classes\RUSHRater.Study\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\rushrater.exe"" gui ""%1"""

[Run]
Filename: "{app}\rushrater.exe"; Parameters: "gui"; Description: "{cm:LaunchProgram,RUSH Rater}"; Flags: nowait postinstall skipifsilent
