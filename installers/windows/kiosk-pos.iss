; Inno Setup script for Kiosk POS on Windows (NOT TESTED: written for Inno Setup 6, never
; compiled by us). Build both bundles on Windows first (see installers/README.md), then:
;   iscc /DAppVersion=0.1.0 installers\windows\kiosk-pos.iss
; Installs both apps under Program Files, Start menu entries, an optional kiosk-mode
; autostart; uninstalling keeps %LOCALAPPDATA%\kiosk-pos (the till's data) and the
; credentials in Windows Credential Manager.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif

[Setup]
AppId=KioskPOS
AppName=Kiosk POS
AppVersion={#AppVersion}
AppPublisher=Kiosk POS
DefaultDirName={autopf}\Kiosk POS
DefaultGroupName=Kiosk POS
OutputDir=..\..\build\installers
OutputBaseFilename=kiosk-pos-{#AppVersion}-windows-setup
SetupIconFile=..\icons\kiosk-pos.ico
Compression=lzma2
SolidCompression=yes
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequired=admin

[Tasks]
Name: "kioskautostart"; Description: "Open the till full screen when Windows starts"; Flags: unchecked

[Files]
Source: "..\..\build\installers\dist\kiosk-pos\*"; DestDir: "{app}\kiosk-pos"; Flags: recursesubdirs ignoreversion
Source: "..\..\build\installers\dist\kiosk-kitchen\*"; DestDir: "{app}\kiosk-kitchen"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\Kiosk POS"; Filename: "{app}\kiosk-pos\kiosk-pos.exe"
Name: "{group}\Kiosk POS Kitchen"; Filename: "{app}\kiosk-kitchen\kiosk-kitchen.exe"
Name: "{commonstartup}\Kiosk POS"; Filename: "{app}\kiosk-pos\kiosk-pos.exe"; Parameters: "--kiosk"; Tasks: kioskautostart

[Run]
Filename: "{app}\kiosk-pos\kiosk-pos.exe"; Parameters: "--self-check"; Description: "Check the installation"; Flags: postinstall runhidden waituntilterminated
