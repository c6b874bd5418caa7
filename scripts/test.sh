#!/usr/bin/env bash
# Runs every test: the Rust unit and integration tests of the workspace (the product and
# tools/corpus, whose binary the browser tests run), then the browser tests in headless Chromium
# (installed by scripts/install-browser-deps.sh when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace --all-targets
scripts/install-browser-deps.sh
(cd tests/browser && npm test)
