#!/bin/sh
# Remove the Kiosk POS programs, launchers, menu entries and autostart entry:
#   sudo /opt/kiosk-pos/uninstall.sh [--kiosk-autostart USER]
# Each user's data folder (~/.local/share/kiosk-pos: sales not yet synced, settings) and the
# device credentials in the keyring are KEPT: reinstalling picks them up again.
set -eu
PREFIX=${PREFIX:-/opt/kiosk-pos}
BIN_DIR=${BIN_DIR:-/usr/local/bin}
APPLICATIONS_DIR=${APPLICATIONS_DIR:-/usr/share/applications}
ICONS_DIR=${ICONS_DIR:-/usr/share/icons/hicolor/256x256/apps}
autostart_user=""
while [ $# -gt 0 ]; do
    case "$1" in
        --kiosk-autostart) autostart_user=${2:?"--kiosk-autostart needs a user name"}; shift 2 ;;
        -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
        *) echo "uninstall.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
for app in kiosk-pos kiosk-kitchen; do
    rm -rf "${PREFIX:?}/$app" "$PREFIX/$app.new"
    rm -f "$BIN_DIR/$app" "$APPLICATIONS_DIR/$app.desktop" "$ICONS_DIR/$app.png"
done
if [ -n "$autostart_user" ] && [ -z "${AUTOSTART_DIR:-}" ]; then
    AUTOSTART_DIR="$(getent passwd "$autostart_user" | cut -d: -f6)/.config/autostart"
fi
if [ -n "${AUTOSTART_DIR:-}" ]; then
    rm -f "$AUTOSTART_DIR/kiosk-pos.desktop"
fi
rm -f "$PREFIX/uninstall.sh" "$PREFIX/VERSION"
rmdir "$PREFIX" 2>/dev/null || true
echo "Kiosk POS removed. Data folders (~/.local/share/kiosk-pos) and keyring entries are kept."
