#!/usr/bin/env bash
# Build the binary from build.spec: `bash packaging/build.sh [--onefile] [--with-torch]`.
# Needs the app's dependencies and pyinstaller (`pip install -e '.[dev]'`) in $PYTHON's env.
# Output: dist/aimywhatsapp/aimywhatsapp (one folder) or dist/aimywhatsapp-onefile.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-$(command -v python3)}"
for arg in "$@"; do
  case "$arg" in
    --onefile) export AIMY_ONEFILE=1 ;;
    --with-torch) export AIMY_BUNDLE_TORCH=1 ;;
    *) echo "usage: $0 [--onefile] [--with-torch]" >&2; exit 2 ;;
  esac
done
WORK="build/pyi-${AIMY_ONEFILE:+onefile}${AIMY_ONEFILE:-folder}"
start=$(date +%s)
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
  --workpath "$WORK" --distpath dist build.spec
echo "built in $(( $(date +%s) - start ))s: $(du -sh dist/aimywhatsapp* | tr '\n' ' ')"
