#!/usr/bin/env bash
# Compatibility across releases: an archive and a site built by an earlier build of the program
# must verify and rebuild unchanged with this one.
#
#   scripts/compat.sh OLD_BINARY [NEW_BINARY] [RECORDS]
#
# OLD_BINARY builds RECORDS (default: the bundled records/) into a fresh archive and site with a
# fixed SOURCE_DATE_EPOCH. NEW_BINARY (default: target/release/incident-archive) then verifies
# that archive, builds again (nothing new: the ledger must not change) and renders the site
# again into a second folder with the same SOURCE_DATE_EPOCH. Every page, asset and data file
# must be byte-identical; only `.site-manifest.json` may differ, because it names the program
# build that wrote the site. Exit 0 when all holds, 1 otherwise.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
old="$(realpath "${1:?usage: scripts/compat.sh OLD_BINARY [NEW_BINARY] [RECORDS]}")"
new="$(realpath "${2:-$root/target/release/incident-archive}")"
records="$(realpath "${3:-$root/records}")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH=1780272000 # 2026-06-01 00:00 UTC
cat >"$work/incident-archive.yaml" <<YAML
inbox: $records
archive: archive
output: public
YAML
cd "$work"
fail=0
"$old" build -q >/dev/null || { echo "the old build failed"; exit 1; }
cp -a archive archive.before
cp -a public public.old
"$new" verify -q || { echo "FAIL: the new program does not verify the old archive"; fail=1; }
"$new" build -q >/dev/null || { echo "FAIL: the new program's build on the old archive failed"; fail=1; }
for f in archive.json ledger.jsonl checkpoint.json; do
  cmp -s "archive.before/$f" "archive/$f" || { echo "FAIL: archive/$f changed"; fail=1; }
done
diff -r archive.before/objects archive/objects >/dev/null || { echo "FAIL: objects changed"; fail=1; }
"$new" site -q --out public.new >/dev/null || { echo "FAIL: the new program's site failed"; fail=1; }
if diff -rq -x .site-manifest.json public.old public.new >diff.txt; then
  pages=$(find public.new -type f ! -name .site-manifest.json | wc -l)
  echo "site: $pages files byte-identical"
else
  echo "FAIL: the site differs:"; head -40 diff.txt; fail=1
fi
if diff -r -x .site-manifest.json public.old public >/dev/null; then
  echo "build's own site: byte-identical"
else
  echo "FAIL: the site rebuilt in place by build differs"; fail=1
fi
[ "$fail" = 0 ] && echo "compatible: the archive verifies, nothing in it changed, the site rebuilds byte-identical"
exit "$fail"
