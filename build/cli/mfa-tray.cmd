@echo off
rem mfa-tray: the command of the packaged MFA Tray (Windows). Shipped as <resources>\bin\mfa-tray.cmd;
rem add that folder to PATH to run it from any terminal. It runs MFA Tray.exe itself as Node
rem (ELECTRON_RUN_AS_NODE) on the bundled command, as editors ship `code`.
setlocal
set "ELECTRON_RUN_AS_NODE=1"
"%~dp0..\..\MFA Tray.exe" "%~dp0..\app.asar\dist\cli.mjs" %*
exit /b %ERRORLEVEL%
