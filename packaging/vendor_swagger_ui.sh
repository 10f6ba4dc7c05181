#!/usr/bin/env bash
# Re-vendor Swagger UI for /api/docs from npm's swagger-ui-dist into app/assets/swagger-ui/.
# The docs page must work offline (desktop app, air-gapped servers): no CDN at run time.
#   bash packaging/vendor_swagger_ui.sh [VERSION]     (default: the version in VERSION below)
set -euo pipefail
VERSION="${1:-5.35.0}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TARGET="$ROOT/app/assets/swagger-ui"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
(cd "$WORK" && npm pack --silent "swagger-ui-dist@$VERSION" >/dev/null && tar xzf swagger-ui-dist-*.tgz)
rm -rf "$TARGET" && mkdir -p "$TARGET"
for file in swagger-ui-bundle.js swagger-ui-standalone-preset.js swagger-ui.css \
            favicon-32x32.png LICENSE NOTICE; do
  cp "$WORK/package/$file" "$TARGET/"
done
# source-map comments point at .map files we don't ship; drop them so browsers don't ask
sed -i '/^\/\/# sourceMappingURL=/d' "$TARGET"/*.js
sed -i 's#/\*\# sourceMappingURL=[^*]*\*/##' "$TARGET/swagger-ui.css"
echo "$VERSION" > "$TARGET/VERSION"
ls -l "$TARGET"
