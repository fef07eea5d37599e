#!/usr/bin/env bash
# scripts/deps.sh — install every Debian package hotline's build and tests need,
# and the npm packages pinned by lock files: the browser libraries the build
# embeds (web/), the SDK conformance tests (tests/sdk) and the browser tests'
# playwright-core (tests/browser, which drives Debian's chromium; playwright
# never downloads a browser). Safe to run repeatedly: it only installs what is
# missing.
# As root it runs apt-get itself; otherwise it prints the exact command and stops.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)

packages=(
  build-essential cmake pkg-config
  libmicrohttpd-dev libssl-dev libsqlite3-dev libjansson-dev libcurl4-openssl-dev
  libespeak-ng-dev espeak-ng-data libexpat1-dev
  libpocketsphinx-dev pocketsphinx-en-us pocketsphinx-testdata libqrencode-dev
  libcmocka-dev clang libclang-rt-14-dev
  sqlite3 python3 python3-twilio nodejs wrk valgrind curl zlib1g-dev
  chromium fonts-dejavu-core
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

# Some nodejs builds ship npm themselves (and conflict with Debian's npm package).
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "hotline needs these Debian packages: ${missing[*]}" >&2
    echo "run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# npm packages, each folder pinned by its package-lock.json; `npm ci` runs again when the lock
# file is newer than what node_modules holds.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
for dir in web tests/sdk tests/browser; do
  if [ -f "$here/$dir/package-lock.json" ]; then
    if [ ! -f "$here/$dir/node_modules/.package-lock.json" ] ||
       [ "$here/$dir/package-lock.json" -nt "$here/$dir/node_modules/.package-lock.json" ]; then
      echo "deps: npm ci in $dir"
      (cd "$here/$dir" && npm ci --no-audit --no-fund --loglevel=error)
    fi
  fi
done
