#!/usr/bin/env bash
# Builds the dashboard the host embeds: type-checks the TypeScript, bundles it with esbuild (Chart.js inside) and
# writes app.js, app.css and the bundled libraries' licences to src/DmpActors.Host/Dashboard/assets/, where the host
# embeds them with index.html (written by hand: it needs no build).
# The bundle is committed, so running the host needs only the .NET SDK; this script needs Node.js and npm.
#   ./build.sh          install the pinned packages (npm ci) when missing, then build
#   ./build.sh --check  build into a temporary folder and fail if the committed assets differ from it
set -euo pipefail
cd "$(dirname "$0")"
out=../src/DmpActors.Host/Dashboard/assets
check=false
[ "${1:-}" = "--check" ] && check=true

command -v npm >/dev/null 2>&1 || { echo "build.sh: needs Node.js and npm" >&2; exit 1; }
[ -x node_modules/.bin/esbuild ] || npm ci --no-audit --no-fund --loglevel=error

target=$out
if $check; then target=$(mktemp -d); trap 'rm -rf "$target"' EXIT; fi
mkdir -p "$target"

node_modules/.bin/tsc -p tsconfig.json
# main.ts imports app.css: esbuild writes app.js and app.css side by side.
node_modules/.bin/esbuild src/main.ts --bundle --minify --format=iife --target=es2022 --legal-comments=none \
  --outfile="$target/app.js" --log-level=warning
{
  echo "The dashboard bundle (app.js) contains the following libraries."
  for package in chart.js @kurkle/color; do
    version=$(node -p "require('./node_modules/$package/package.json').version")
    echo
    echo "== $package $version =="
    cat "node_modules/$package/LICENSE.md"
  done
} >"$target/THIRD-PARTY-LICENSES.txt"

if $check; then
  stale=()
  for file in app.js app.css THIRD-PARTY-LICENSES.txt; do
    cmp -s "$target/$file" "$out/$file" || stale+=("$file")
  done
  if [ ${#stale[@]} -gt 0 ]; then
    echo "differs from a fresh build: ${stale[*]}" >&2
    echo "build.sh --check: the committed dashboard assets are out of date; run dashboard/build.sh and commit src/DmpActors.Host/Dashboard/assets/" >&2
    exit 1
  fi
  echo "dashboard assets are up to date"
fi
