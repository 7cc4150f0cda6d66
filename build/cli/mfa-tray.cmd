@echo off
rem mfa-tray: the command of the packaged MFA Tray (Windows). Shipped as <resources>\bin\mfa-tray.cmd;
rem the installer adds that folder to PATH. It starts MFA Tray.exe itself in its command mode
rem (--mfa-tray-command, then -- and the arguments): the app's fuses forbid running it as plain Node.
rem Electron attaches to this console, so output and prompts work in cmd and PowerShell, and a batch
rem file waits for the program, so the exit status is its own.
setlocal
"%~dp0..\..\MFA Tray.exe" --mfa-tray-command -- %*
exit /b %ERRORLEVEL%
