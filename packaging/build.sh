#!/usr/bin/env bash
# Build the binary from build.spec: `bash packaging/build.sh [--onefile] [--with-torch]`.
# Needs the app's dependencies and pyinstaller (`pip install -e '.[dev]'`) in $PYTHON's env.
# Output: $AIMY_DIST_DIR (default dist/): aimywhatsapp/aimywhatsapp (one folder) or
# aimywhatsapp-onefile. Takes ~4 min on 2 cores without torch.
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
DIST="${AIMY_DIST_DIR:-dist}"
WORK="build/pyi-$([ -n "${AIMY_ONEFILE:-}" ] && echo onefile || echo folder)"
start=$(date +%s)
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
  --workpath "$WORK" --distpath "$DIST" build.spec
echo "built in $(( $(date +%s) - start ))s: $(du -sh "$DIST"/aimywhatsapp* | tr '\n' ' ')"
