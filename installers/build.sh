#!/bin/sh
# Build both desktop bundles and the Linux tarball (what `make installers` runs):
#   installers/build.sh [OUT_DIR]        (default build/installers; PYTHON= picks the venv)
# Leaves OUT_DIR/dist/kiosk-pos/, OUT_DIR/dist/kiosk-kitchen/ and
# OUT_DIR/kiosk-pos-VERSION-linux-ARCH.tar.gz.
set -eu
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
out=${1:-build/installers}
for app in kiosk-pos kiosk-kitchen; do
    "$PY" -m PyInstaller --noconfirm --log-level WARN \
        --distpath "$out/dist" --workpath "$out/work" "installers/$app.spec"
done
version=$("$PY" -c "from importlib.metadata import version; print(version('kiosk-pos'))")
sh installers/linux/pack.sh "$out/dist" "$out" "$version"
