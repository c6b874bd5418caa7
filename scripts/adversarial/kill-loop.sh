#!/usr/bin/env bash
# The kill loop: `build` from an empty project on a generated corpus, killed with
# SIGKILL at random moments until N kills have landed; after each kill `verify` must pass, and the
# next `build` must leave an archive that verifies, every record, the root of an uninterrupted
# run and no temporaries of the killed run. Prints the figures. Not run in CI: `cargo test` runs
# the same loop with 5 kills on 30 records.
#
# usage: scripts/adversarial/kill-loop.sh [N] [RECORDS]     (default 50 kills, 200 records)
set -euo pipefail
N=${1:-50}
RECORDS=${2:-200}
for v in "$N" "$RECORDS"; do
  [[ $v =~ ^[1-9][0-9]*$ ]] || { echo "kill-loop.sh: \`$v\` is not a positive whole number" >&2; exit 2; }
done
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
IA_KILLS=$N IA_RECORDS=$RECORDS exec cargo test -q --test cli adversarial::kill_loop_by_hand -- --ignored --exact --nocapture
