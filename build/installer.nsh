; NSIS additions for the Windows installer (electron-builder's nsis.include): the command's folder
; <install dir>\resources\bin (mfa-tray.cmd) goes on the user's PATH, and leaves it on uninstall.
; Only the current user's PATH (HKCU; the installer is per user). A PATH too long for NSIS's strings
; is never rewritten (it would be cut short); the log then says what to add by hand.
!include "StrFunc.nsh"
${StrStr}
${UnStrRep}

!define MFA_TRAY_BIN "$INSTDIR\resources\bin"

!macro customInstall
  ReadRegStr $0 HKCU "Environment" "Path"
  StrLen $2 $0
  IntOp $3 ${NSIS_MAX_STRLEN} - 300
  ${If} $2 > $3
    DetailPrint "Your PATH is too long to change safely: add ${MFA_TRAY_BIN} to it to run mfa-tray from a terminal."
  ${Else}
    ${StrStr} $1 "$0" "${MFA_TRAY_BIN}"
    ${If} $1 == ""
      ${If} $0 == ""
        WriteRegExpandStr HKCU "Environment" "Path" "${MFA_TRAY_BIN}"
      ${Else}
        WriteRegExpandStr HKCU "Environment" "Path" "$0;${MFA_TRAY_BIN}"
      ${EndIf}
      SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=5000
    ${EndIf}
  ${EndIf}
!macroend

!macro customUnInstall
  ReadRegStr $0 HKCU "Environment" "Path"
  StrLen $2 $0
  IntOp $3 ${NSIS_MAX_STRLEN} - 300
  ${If} $2 <= $3
    ${UnStrRep} $1 "$0" ";${MFA_TRAY_BIN}" ""
    ${UnStrRep} $1 "$1" "${MFA_TRAY_BIN}" ""
    ${If} $1 != $0
      WriteRegExpandStr HKCU "Environment" "Path" "$1"
      SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=5000
    ${EndIf}
  ${EndIf}
!macroend
