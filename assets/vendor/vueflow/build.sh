#!/usr/bin/env bash
# Rebuild the Vue Flow bundle the flow builder serves (no CDN: the desktop app works offline).
#   bash assets/vendor/vueflow/build.sh
# Installs the exact versions of package-lock.json, bundles src/index.js into one ES module
# (dist/index.js, Vue left external: NiceGUI provides it), joins the four stylesheets into
# dist/vueflow.css and copies the licences next to them. Commit dist/ and licenses/.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --ignore-scripts
rm -rf dist licenses && mkdir -p dist licenses
node_modules/.bin/esbuild src/index.js --bundle --format=esm --platform=browser \
  --target=es2020 --external:vue --minify --legal-comments=eof \
  --define:process.env.NODE_ENV='"production"' --outfile=dist/index.js
cat node_modules/@vue-flow/core/dist/style.css \
    node_modules/@vue-flow/core/dist/theme-default.css \
    node_modules/@vue-flow/minimap/dist/style.css \
    node_modules/@vue-flow/controls/dist/style.css > dist/vueflow.css
for pkg in @vue-flow/core @vue-flow/minimap @vue-flow/controls @vue-flow/background \
           @vueuse/core @vueuse/shared @vueuse/core/node_modules/vue-demi d3-drag d3-selection \
           d3-zoom d3-interpolate d3-color \
           d3-dispatch d3-ease d3-timer d3-transition; do
  licence="$(ls node_modules/$pkg/LICEN[CS]E* 2>/dev/null | head -1 || true)"
  name="${pkg##*/node_modules/}"
  [ -n "$licence" ] && cp "$licence" "licenses/$(echo "$name" | tr / _ | tr -d @).txt"
done
# what dist/index.js contains, with versions and licences 
for pkg in @vue-flow/core @vue-flow/minimap @vue-flow/controls @vue-flow/background \
           @vueuse/core @vueuse/shared @vueuse/core/node_modules/vue-demi d3-drag d3-selection \
           d3-zoom d3-interpolate d3-color d3-dispatch d3-ease d3-timer d3-transition; do
  node -p "const p=require('./node_modules/$pkg/package.json'); [p.name, p.version, p.license].join(' ')"
done > licenses/VERSIONS.txt
ls -l dist licenses
