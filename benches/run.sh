#!/usr/bin/env bash
# The benchmarks of incident-archive, side by side with Hugo + Pagefind on the same records.
# What is measured and how: benches/README.md. Not run in CI.
#
# usage: benches/run.sh [--sizes 1000,10000,100000] [--skip-hugo] [--hugo-max N] [--runs N]
#                       [--large-runs N] [--seed N] [--nightly-size N] [--as-of YYYY-MM-DD]
#                       [--results SELECTOR] [--search-only]
set -euo pipefail
COMMAND_LINE="benches/run.sh${*:+ $*}"

SIZES=1000,10000,100000
SKIP_HUGO=0
SEARCH_ONLY=0
HUGO_MAX=10000
RUNS=3
LARGE_RUNS=1
LARGE=50000
SEED=1
NIGHTLY=10000
AS_OF=2026-11-15
RESULTS_SELECTOR='#results li, .search-results li, .results li, [data-result]'
QUERY='connection pool'

usage() {
    cat <<'EOF'
usage: benches/run.sh [options]

Builds the release binaries, generates deterministic corpora into benches/out/, and measures
incident-archive (per stage and as a whole, a nightly run, search, browser bytes) and
Hugo + Pagefind on the same records. Prints a Markdown table of medians at the end.

  --sizes LIST        record counts, comma-separated (default 1000,10000,100000)
  --skip-hugo         do not run the Hugo + Pagefind side
  --hugo-max N        largest size given to Hugo + Pagefind (default 10000; see README)
  --runs N            runs per measurement below 50,000 records (default 3; medians reported)
  --large-runs N      runs per measurement from 50,000 records (default 1)
  --seed N            corpus seed (default 1)
  --nightly-size N    archive size of the nightly run that adds 10 records (default 10000)
  --as-of DATE        build date given to `build` and `site` (default 2026-11-15)
  --results SELECTOR  CSS selector of a search result on the site's search page
  --search-only       only the search and browser measurements, on the archives and sites
                      of the previous run (same --sizes), keeping its other figures
  -h, --help          this text
EOF
}

die() {
    echo "run.sh: error: $*" >&2
    exit 2
}

while [[ $# -gt 0 ]]; do
    case "$1" in
        --sizes) SIZES=${2:?--sizes needs a list}; shift 2 ;;
        --skip-hugo) SKIP_HUGO=1; shift ;;
        --search-only) SEARCH_ONLY=1; shift ;;
        --hugo-max) HUGO_MAX=${2:?--hugo-max needs a number}; shift 2 ;;
        --runs) RUNS=${2:?--runs needs a number}; shift 2 ;;
        --large-runs) LARGE_RUNS=${2:?--large-runs needs a number}; shift 2 ;;
        --seed) SEED=${2:?--seed needs a number}; shift 2 ;;
        --nightly-size) NIGHTLY=${2:?--nightly-size needs a number}; shift 2 ;;
        --as-of) AS_OF=${2:?--as-of needs a date}; shift 2 ;;
        --results) RESULTS_SELECTOR=${2:?--results needs a selector}; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown option \`$1\`" ;;
    esac
done
for n in ${SIZES//,/ } "$HUGO_MAX" "$RUNS" "$LARGE_RUNS" "$SEED" "$NIGHTLY"; do
    [[ $n =~ ^[0-9]+$ ]] || die "\`$n\` is not a whole number"
done
[[ $AS_OF =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] || die "\`$AS_OF\` is not a date (YYYY-MM-DD)"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCHES=$ROOT/benches
OUT=$BENCHES/out
LOGS=$OUT/logs
RESULTS=$OUT/results.tsv
BIN=$ROOT/target/release/incident-archive
CORPUS=$ROOT/target/release/incident-corpus
mkdir -p "$OUT" "$LOGS"
if [[ $SEARCH_ONLY -eq 1 ]]; then
    [[ -s $RESULTS ]] || die "--search-only needs a previous run's $RESULTS"
    COMMAND_LINE="$(cat "$OUT/command.txt" 2>/dev/null || echo benches/run.sh); search and browser: $COMMAND_LINE"
else
    : >"$RESULTS"
    echo "$COMMAND_LINE" >"$OUT/command.txt"
fi

say() { printf '\n== %s\n' "$*" >&2; }

# ---------------------------------------------------------------------------- tools

APT_UPDATED=0
apt_install() {
    local sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo >/dev/null || die "need root (or sudo) to install the Debian packages: $*"
        sudo=(sudo)
    fi
    command -v apt-get >/dev/null || die "no apt-get here: install these yourself: $*"
    if [[ $APT_UPDATED -eq 0 ]]; then
        "${sudo[@]}" apt-get update -qq >&2 || die "apt-get update failed"
        APT_UPDATED=1
    fi
    say "installing Debian packages: $*"
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "$@" >&2 || die "apt-get install $* failed"
}

command -v cargo >/dev/null || die "cargo not found: install Rust (https://rustup.rs)"
command -v python3 >/dev/null || die "python3 not found (it summarises the results)"
[[ -x /usr/bin/time ]] || apt_install time
command -v hyperfine >/dev/null || (apt_install hyperfine) || echo "run.sh: no hyperfine; search is timed with repeated /usr/bin/time" >&2
if [[ $SKIP_HUGO -eq 0 ]]; then
    command -v hugo >/dev/null || apt_install hugo
fi
if [[ ! -x /usr/bin/chromium ]]; then apt_install chromium; fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    die "node and npm are needed (Pagefind, the browser byte count)"
fi
if [[ ! -x $BENCHES/node_modules/@pagefind/linux-x64/bin/pagefind_extended || ! -d $BENCHES/node_modules/playwright-core ]]; then
    say "installing benches/node_modules (pagefind, playwright-core)"
    (cd "$BENCHES" && npm ci --no-audit --no-fund >&2) || die "npm ci in benches/ failed"
fi
PAGEFIND=$(find "$BENCHES/node_modules/@pagefind" -path '*/bin/pagefind_extended' -type f 2>/dev/null | head -1)
[[ -n $PAGEFIND ]] || PAGEFIND=$(find "$BENCHES/node_modules/@pagefind" -path '*/bin/pagefind' -type f 2>/dev/null | head -1)
[[ -n $PAGEFIND ]] || die "no Pagefind binary under benches/node_modules/@pagefind (unsupported platform?)"

say "building the release binaries (incident-archive, incident-corpus)"
(cd "$ROOT" && cargo build --release --locked --workspace >&2) || die "cargo build --release failed"

# ---------------------------------------------------------------------------- timing

# measure SIZE LABEL RUN DIR CMD...: runs CMD in DIR under /usr/bin/time, appends
# "size label run wall_s rss_kib exit" to results.tsv; the command's output goes to logs/.
measure() {
    local size=$1 label=$2 run=$3 dir=$4
    shift 4
    local log=$LOGS/$label-$size-$run.log tf rc=0 wall rss
    tf=$(mktemp)
    (cd "$dir" && /usr/bin/time -f '%e %M' -o "$tf" "$@") >"$log" 2>&1 || rc=$?
    wall=nan rss=0
    read -r wall rss < <(tail -n 1 "$tf") || true
    [[ $rss =~ ^[0-9]+$ ]] || rss=0
    rm -f "$tf"
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$size" "$label" "$run" "$wall" "$rss" "$rc" >>"$RESULTS"
    local note=""
    if [[ $rc -ge 2 ]]; then
        note="  FAILED (exit $rc): $(grep -m1 -i 'error' "$log" || tail -n 1 "$log")"
    elif [[ $rc -eq 1 ]]; then
        note="  (exit 1: finished with problems, see $log)"
    fi
    printf '   %-16s %7s records  run %s  %8s s  %8s MiB%s\n' "$label" "$size" "$run" "$wall" "$((rss / 1024))" "$note" >&2
    return 0
}

runs_for() { if [[ $1 -ge $LARGE ]]; then echo "$LARGE_RUNS"; else echo "$RUNS"; fi; }

corpus() { # corpus COUNT DIR: a fresh corpus of COUNT records for the seed
    rm -rf "$2"
    measure "$1" generate 1 "$OUT" "$CORPUS" --count "$1" --seed "$SEED" --out "$2"
}

# ---------------------------------------------------------------------------- runs

MAX_SIZE=0
HUGO_LARGEST=0
for n in ${SIZES//,/ }; do
    [[ $n -gt $MAX_SIZE ]] && MAX_SIZE=$n
    if [[ $SEARCH_ONLY -eq 1 ]]; then
        [[ $SKIP_HUGO -eq 0 && $n -le $HUGO_MAX && $n -gt $HUGO_LARGEST ]] && HUGO_LARGEST=$n
        continue
    fi
    records=$OUT/records-$n
    say "$n records: corpus"
    corpus "$n" "$records"

    say "$n records: incident-archive, stage by stage and as a whole"
    work=$OUT/ours-$n
    for run in $(seq 1 "$(runs_for "$n")"); do
        rm -rf "$work" && mkdir -p "$work"
        measure "$n" ingest "$run" "$work" "$BIN" -q ingest "$records"
        measure "$n" index "$run" "$work" "$BIN" -q index
        measure "$n" site "$run" "$work" "$BIN" -q site --as-of "$AS_OF"
        measure "$n" verify "$run" "$work" "$BIN" -q verify
        rm -rf "$work" && mkdir -p "$work"
        measure "$n" build "$run" "$work" "$BIN" -q build "$records" --as-of "$AS_OF" --report "$work/build-report.json"
        measure "$n" rebuild-unchanged "$run" "$work" "$BIN" -q build "$records" --as-of "$AS_OF"
    done

    if [[ $SKIP_HUGO -eq 0 && $n -le $HUGO_MAX ]]; then
        say "$n records: Hugo + Pagefind"
        [[ $n -gt $HUGO_LARGEST ]] && HUGO_LARGEST=$n
        hugo_dir=$OUT/hugo-$n
        rm -rf "$hugo_dir" && mkdir -p "$hugo_dir" && cp -r "$BENCHES/hugo/." "$hugo_dir/"
        measure "$n" convert 1 "$OUT" python3 "$BENCHES/to-hugo.py" "$records" "$hugo_dir/content/incidents"
        for run in $(seq 1 "$(runs_for "$n")"); do
            rm -rf "$hugo_dir/public" "$hugo_dir/resources"
            measure "$n" hugo "$run" "$hugo_dir" hugo --quiet --destination public
            measure "$n" pagefind "$run" "$hugo_dir" "$PAGEFIND" --site public
        done
    fi
done

if [[ $NIGHTLY -gt 0 && $SEARCH_ONLY -eq 0 ]]; then
    say "nightly: $NIGHTLY records archived, then 10 new ones"
    all=$OUT/records-nightly-$NIGHTLY
    fresh=$OUT/nightly-new-$NIGHTLY
    corpus "$((NIGHTLY + 10))" "$all"
    rm -rf "$fresh" && mkdir -p "$fresh"
    # The 10 newest records (ids sort by year, then by start time) arrive the next night.
    find "$all" -maxdepth 1 -name '*.md' -printf '%f\n' | sort | tail -n 10 | while read -r f; do mv "$all/$f" "$fresh/"; done
    work=$OUT/nightly-$NIGHTLY
    for run in $(seq 1 "$(runs_for "$NIGHTLY")"); do
        rm -rf "$work" && mkdir -p "$work"
        measure "$NIGHTLY" nightly-base "$run" "$work" "$BIN" -q build "$all" --as-of "$AS_OF"
        mv "$fresh"/*.md "$all/"
        measure "$NIGHTLY" nightly "$run" "$work" "$BIN" -q build "$all" --as-of "$AS_OF" --report "$work/nightly-report.json"
        find "$all" -maxdepth 1 -name '*.md' -printf '%f\n' | sort | tail -n 10 | while read -r f; do mv "$all/$f" "$fresh/"; done
    done
fi

# Search and browser bytes on the largest archive built.
SEARCH_JSON=$OUT/search.json
BYTES_JSON=$OUT/browser-bytes.json
: >"$SEARCH_JSON"
: >"$BYTES_JSON"
: >"$LOGS/search.log"
work=$OUT/ours-$MAX_SIZE
# Each entry is the argument list of `search` as typed in a shell (quotes included).
QUERIES=(
    "timeout"
    "'\"connection pool\"'"
    "'replication lag' --severity P1"
    "certificate --customer 'GlobalBank Corp'"
    "root_cause:index"
)
if [[ -d $work/archive ]]; then
    say "search on $MAX_SIZE records: whole process, median of repeated runs"
    for q in "${QUERIES[@]}"; do
        eval "set -- $q"
        if command -v hyperfine >/dev/null; then
            hf=$(mktemp)
            (cd "$work" && hyperfine -N -i --warmup 3 --runs 25 --export-json "$hf" \
                "$(printf '%q ' "$BIN" search "$@")" >>"$LOGS/search.log" 2>&1) || true
            python3 - "$hf" "$q" >>"$SEARCH_JSON" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
codes = sorted(set(r.get("exit_codes") or [0]))
print(json.dumps({"query": sys.argv[2], "median_ms": r["median"] * 1000, "runs": len(r["times"]), "exit": codes[-1], "tool": "hyperfine"}))
EOF
            rm -f "$hf"
        else
            times=()
            rc=0
            for _ in $(seq 1 15); do
                tf=$(mktemp)
                rc=0
                (cd "$work" && /usr/bin/time -f '%e' -o "$tf" "$BIN" search "$@" >/dev/null 2>&1) || rc=$?
                times+=("$(tail -n 1 "$tf")")
                rm -f "$tf"
            done
            python3 -c 'import json,statistics,sys; t=[float(x) for x in sys.argv[3:]]; print(json.dumps({"query": sys.argv[1], "median_ms": statistics.median(t)*1000, "runs": len(t), "exit": int(sys.argv[2]), "tool": "/usr/bin/time"}))' \
                "$q" "$rc" "${times[@]}" >>"$SEARCH_JSON"
        fi
        tail -n 1 "$SEARCH_JSON" >&2
    done

    say "browser: bytes loaded by a first query on the $MAX_SIZE-record site"
    if [[ -f $work/public/search.html ]]; then
        node "$BENCHES/browser-bytes.mjs" --site "$work/public" --page search.html --query "$QUERY" \
            --results "$RESULTS_SELECTOR" >"$OUT/bytes-ours.json" 2>>"$LOGS/browser.log" &&
            python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["site"]="incident-archive"; d["size"]=int(sys.argv[2]); print(json.dumps(d))' \
                "$OUT/bytes-ours.json" "$MAX_SIZE" >>"$BYTES_JSON" ||
            echo "   browser byte count failed: see $LOGS/browser.log" >&2
    else
        echo "   no $work/public/search.html: skipped" >&2
    fi
else
    echo "   no archive at $work: search and browser bytes skipped" >&2
fi
if [[ $HUGO_LARGEST -gt 0 && -d $OUT/hugo-$HUGO_LARGEST/public/pagefind ]]; then
    say "browser: bytes loaded by a first query on the $HUGO_LARGEST-record Hugo + Pagefind site"
    node "$BENCHES/browser-bytes.mjs" --site "$OUT/hugo-$HUGO_LARGEST/public" --page search/index.html \
        --query "$QUERY" --results .pagefind-ui__result >"$OUT/bytes-hugo.json" 2>>"$LOGS/browser.log" &&
        python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["site"]="Hugo + Pagefind"; d["size"]=int(sys.argv[2]); print(json.dumps(d))' \
            "$OUT/bytes-hugo.json" "$HUGO_LARGEST" >>"$BYTES_JSON" ||
        echo "   browser byte count failed: see $LOGS/browser.log" >&2
fi

# ---------------------------------------------------------------------------- report

MACHINE=$(printf '%s cores (nproc), %s GiB memory, %s, Linux %s' \
    "$(nproc)" \
    "$(awk '/MemTotal/ {printf "%.0f", $2 / 1048576}' /proc/meminfo)" \
    "$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')" \
    "$(uname -r)")
VERSIONS=$(printf 'incident-archive %s (%s), %s, Pagefind %s, Chromium %s' \
    "$("$BIN" --version | awk '{print $2}')" \
    "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
    "$(command -v hugo >/dev/null && hugo version | awk '{print "Hugo " $2}' || echo 'Hugo not installed')" \
    "$("$PAGEFIND" --version 2>/dev/null | awk '{print $2}')" \
    "$(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}')")

python3 "$BENCHES/report.py" "$RESULTS" "$SEARCH_JSON" "$BYTES_JSON" \
    --machine "$MACHINE" --versions "$VERSIONS" --command "$COMMAND_LINE" --nightly "$NIGHTLY" \
    --date "$(date -u +%Y-%m-%d)" | tee "$OUT/results.md"
echo >&2
echo "results: $OUT/results.md (raw: $RESULTS, logs: $LOGS/)" >&2
