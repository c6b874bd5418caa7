#!/usr/bin/env bash
# Installs what the browser tests need: Debian's Chromium (when /usr/bin/chromium is missing)
# and the npm packages of tests/browser (playwright-core, from package-lock.json).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ]; then
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends chromium
fi
(cd tests/browser && npm ci --no-audit --no-fund)
