#!/usr/bin/env bash
# Runs the browser tests (tests/browser: Chromium from file:// and HTTP, a click-through of the
# site, search results against the CLI's, hostile records, the first query's bytes) against a
# large site instead of the 5,000-record fixture of `scripts/test.sh`. Not run in CI.
#
# usage: benches/browser-suite.sh [COUNT]      (default 100000; seed 7 and the hostile records,
#                                               built as tests/browser/helpers.mjs builds its fixture)
set -euo pipefail
COUNT=${1:-100000}
[[ $COUNT =~ ^[0-9]+$ ]] || { echo "browser-suite.sh: \`$COUNT\` is not a whole number" >&2; exit 2; }
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FIXTURE=$ROOT/benches/out/browser-$COUNT
cd "$ROOT"
cargo build -q --release --workspace # incident-archive and the corpus generator, incident-corpus
cargo build -q # the tests run `incident-archive search` with the debug binary, as in scripts/test.sh
scripts/install-browser-deps.sh
BIN=$ROOT/target/release/incident-archive
rm -rf "$FIXTURE" && mkdir -p "$FIXTURE"
"$ROOT/target/release/incident-corpus" --count "$COUNT" --seed 7 --out "$FIXTURE/records" -q
cp tests/fixtures/hostile/*.md "$FIXTURE/records/"
printf 'inbox: records\narchive: archive\noutput: site\n' >"$FIXTURE/incident-archive.yaml"
# The release binary has no test clock: the ledger's times are the system's, the site's build
# date is `--as-of` (the tests compare the site with the CLI on this same archive).
(cd "$FIXTURE" && /usr/bin/time -f 'build: %e s, peak RSS %M KB' \
    "$BIN" -q --config incident-archive.yaml build --as-of 2026-01-31 --report build.json)
touch "$FIXTURE/done"
cd tests/browser
IA_BROWSER_FIXTURE=$FIXTURE node --test chromium.test.mjs engine.test.mjs
