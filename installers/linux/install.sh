#!/bin/sh
# Install (or update) Kiosk POS from this unpacked tarball:
#   sudo ./install.sh                          the apps in /opt/kiosk-pos, launchers, menu entries
#   sudo ./install.sh --kiosk-autostart USER   and start the till full screen when USER logs in
# An update replaces the program folders only: each user's data folder
# (~/.local/share/kiosk-pos) and the keyring's device credentials are never touched, and the
# till migrates its database at its next start. PREFIX, BIN_DIR, APPLICATIONS_DIR, ICONS_DIR
# and AUTOSTART_DIR override where things go.
set -eu
PREFIX=${PREFIX:-/opt/kiosk-pos}
BIN_DIR=${BIN_DIR:-/usr/local/bin}
APPLICATIONS_DIR=${APPLICATIONS_DIR:-/usr/share/applications}
ICONS_DIR=${ICONS_DIR:-/usr/share/icons/hicolor/256x256/apps}
autostart_user=""
while [ $# -gt 0 ]; do
    case "$1" in
        --kiosk-autostart) autostart_user=${2:?"--kiosk-autostart needs a user name"}; shift 2 ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) echo "install.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$PREFIX" "$BIN_DIR" "$APPLICATIONS_DIR" "$ICONS_DIR"
for app in kiosk-pos kiosk-kitchen; do
    # Copy next to the old version, then swap: a failed copy leaves the old one working.
    rm -rf "$PREFIX/$app.new"
    cp -a "$here/$app" "$PREFIX/$app.new"
    rm -rf "$PREFIX/$app"
    mv "$PREFIX/$app.new" "$PREFIX/$app"
    ln -sf "$PREFIX/$app/$app" "$BIN_DIR/$app"
    sed "s|@PREFIX@|$PREFIX|g" "$here/$app.desktop" > "$APPLICATIONS_DIR/$app.desktop"
    cp "$here/$app.png" "$ICONS_DIR/$app.png"
done
cp "$here/uninstall.sh" "$here/VERSION" "$PREFIX/"
if [ -n "$autostart_user" ]; then
    if [ -z "${AUTOSTART_DIR:-}" ]; then
        home=$(getent passwd "$autostart_user" | cut -d: -f6)
        [ -n "$home" ] || { echo "install.sh: no user $autostart_user" >&2; exit 2; }
        AUTOSTART_DIR="$home/.config/autostart"
    fi
    mkdir -p "$AUTOSTART_DIR"
    sed -e "s|@PREFIX@|$PREFIX|g" -e "s|^Exec=.*|Exec=$PREFIX/kiosk-pos/kiosk-pos --kiosk|" \
        "$here/kiosk-pos.desktop" > "$AUTOSTART_DIR/kiosk-pos.desktop"
    if [ "$(id -u)" = 0 ]; then
        chown -R "$autostart_user" "$AUTOSTART_DIR" 2>/dev/null || true
    fi
fi
echo "Kiosk POS $(cat "$here/VERSION") installed in $PREFIX"
echo "Check it: $BIN_DIR/kiosk-pos --self-check   (as the cashier's user)"
