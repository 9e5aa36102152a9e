#!/bin/sh
# Pack the two one-folder builds with their install scripts into one tarball:
#   installers/linux/pack.sh DIST_DIR OUT_DIR VERSION
set -eu
dist=$1
out=$2
version=$3
here=$(cd "$(dirname "$0")" && pwd)
name="kiosk-pos-$version-linux-$(uname -m)"
stage=$(mktemp -d)
mkdir "$stage/$name"
cp -a "$dist/kiosk-pos" "$dist/kiosk-kitchen" "$stage/$name/"
cp "$here/install.sh" "$here/uninstall.sh" "$here/kiosk-pos.desktop" \
    "$here/kiosk-kitchen.desktop" "$here/README.txt" "$stage/$name/"
cp "$here/../icons/kiosk-pos.png" "$here/../icons/kiosk-kitchen.png" "$stage/$name/"
echo "$version" > "$stage/$name/VERSION"
mkdir -p "$out"
tar -C "$stage" -czf "$out/$name.tar.gz" "$name"
rm -rf "$stage"
echo "$out/$name.tar.gz"
