#!/usr/bin/env python3
"""Turns the raw measurements of benches/run.sh into the Markdown tables of the README.

usage: report.py RESULTS.tsv SEARCH.jsonl BYTES.jsonl --machine TEXT --versions TEXT
                 --command TEXT --nightly N --date YYYY-MM-DD

RESULTS.tsv has one line per measured process: size, label, run, wall seconds, peak RSS in KiB,
exit code. Times are medians over the runs; RSS is the largest seen. A process that exited with
2 or more is shown as failed, whatever its time.
"""

import argparse
import json
import os
import statistics
from collections import defaultdict


def load(path):
    rows = defaultdict(list)
    with open(path) as f:
        for line in f:
            size, label, run, wall, rss, rc = line.rstrip("\n").split("\t")
            rows[(int(size), label)].append((float(wall or "nan"), int(rss or 0), int(rc)))
    return rows


def jsonl(path):
    try:
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        return []


class Figures:
    def __init__(self, rows):
        self.rows = rows

    def ok(self, size, label):
        runs = self.rows.get((size, label), [])
        return bool(runs) and all(rc < 2 for _, _, rc in runs)

    def wall(self, size, label):
        if not self.ok(size, label):
            return None
        return statistics.median(w for w, _, _ in self.rows[(size, label)])

    def rss(self, size, label):
        if not self.ok(size, label):
            return None
        return max(r for _, r, _ in self.rows[(size, label)]) / 1024

    def runs(self, size, label):
        return len(self.rows.get((size, label), []))

    def cell(self, size, label, rss=False):
        runs = self.rows.get((size, label))
        if not runs:
            return "–"
        if not self.ok(size, label):
            return f"failed (exit {max(rc for _, _, rc in runs)})"
        text = seconds(self.wall(size, label))
        if any(rc == 1 for _, _, rc in runs):
            text += " ¹"
        if rss:
            text += f" · {mib(self.rss(size, label))}"
        return text


def build_report(path):
    try:
        with open(path) as f:
            r = json.load(f)
        return r if "timings" in r and "seconds" in r else None
    except (OSError, ValueError):
        return None


def seconds(s):
    return f"{s:.2f} s" if s < 10 else f"{s:.1f} s"


def mib(m):
    return f"{m / 1024:.2f} GiB" if m >= 1024 else f"{m:.0f} MiB"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("search")
    ap.add_argument("bytes")
    ap.add_argument("--machine", required=True)
    ap.add_argument("--versions", required=True)
    ap.add_argument("--command", required=True)
    ap.add_argument("--nightly", type=int, required=True)
    ap.add_argument("--date", required=True)
    a = ap.parse_args()

    rows = load(a.results)
    f = Figures(rows)
    sizes = sorted({s for s, label in rows if label == "build" or label == "ingest"})
    out = []
    p = out.append
    p("## Benchmarks")
    p("")
    p(f"- Machine: {a.machine}")
    p(f"- Software: {a.versions}")
    p(f"- Command: `{a.command}` ({a.date}); times are medians of the runs shown, memory is the peak RSS")
    p("  (`/usr/bin/time -f '%e %M'`); the corpus is `incident-corpus --seed 1` (tools/corpus).")
    p("")
    p("### Full build from an empty archive")
    p("")
    p("| records | runs | ingest | index | site | verify | `build` (all stages) | `build` peak RSS | `build` again, nothing new |")
    p("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for n in sizes:
        build_rss = mib(f.rss(n, "build")) if f.ok(n, "build") else "–"
        p(
            f"| {n:,} | {f.runs(n, 'build')} | {f.cell(n, 'ingest', True)} | {f.cell(n, 'index', True)} | "
            f"{f.cell(n, 'site', True)} | {f.cell(n, 'verify', True)} | {f.cell(n, 'build')} | {build_rss} | "
            f"{f.cell(n, 'rebuild-unchanged')} |"
        )
    p("")
    p("Each stage is a separate process (`ingest`, `index`, `site --as-of`, `verify`); `build` runs them all")
    p("in one process from a second empty archive. Stage cells show time · peak RSS.")

    # The steps inside `build`, from its own `--report` (the last run of each size).
    out_dir = os.path.dirname(os.path.abspath(a.results))
    reports = [(n, build_report(os.path.join(out_dir, f"ours-{n}", "build-report.json"))) for n in sizes]
    reports = [(n, r) for n, r in reports if r]
    if reports:
        steps = []
        for _, r in reports:
            for t in r["timings"]:
                if t["step"] not in steps:
                    steps.append(t["step"])
        p("")
        p("Inside `build` (its `--report` timings, last run):")
        p("")
        p("| records | " + " | ".join(steps) + " | total | pages rendered | files written |")
        p("| ---: | " + " | ".join("---:" for _ in steps) + " | ---: | ---: | ---: |")
        for n, r in reports:
            by = {t["step"]: t["seconds"] for t in r["timings"]}
            cells = [seconds(by[s]) if s in by else "–" for s in steps]
            site = r.get("site") or {}
            p(f"| {n:,} | " + " | ".join(cells) + f" | {seconds(r['seconds'])} | {site.get('rendered', '–'):,} | {site.get('files', '–'):,} |")

    if rows.get((a.nightly, "nightly")):
        p("")
        p("### Nightly run")
        p("")
        p("| archive | full build | nightly build adding 10 records | nightly / full |")
        p("| ---: | ---: | ---: | ---: |")
        full, nightly = f.wall(a.nightly, "nightly-base"), f.wall(a.nightly, "nightly")
        ratio = f"{100 * nightly / full:.1f} %" if full and nightly is not None else "–"
        p(f"| {a.nightly:,} | {f.cell(a.nightly, 'nightly-base', True)} | {f.cell(a.nightly, 'nightly', True)} | {ratio} |")
        r = build_report(os.path.join(os.path.dirname(os.path.abspath(a.results)), f"nightly-{a.nightly}", "nightly-report.json"))
        if r:
            steps = ", ".join(f"{t['step']} {seconds(t['seconds'])}" for t in r["timings"])
            site = r.get("site") or {}
            ing = r.get("ingest") or {}
            p("")
            p(f"The nightly `build` (last run): {ing.get('new', '?')} new records; {steps}; "
              f"{site.get('rendered', '?')} pages rendered, {site.get('reused', '?')} reused.")

    search = jsonl(a.search)
    if search:
        p("")
        p(f"### Search: the whole `incident-archive search` process on {max(sizes):,} records")
        p("")
        p("| query | median | runs | exit |")
        p("| --- | ---: | ---: | ---: |")
        for s in search:
            p(f"| `{s['query']}` | {s['median_ms']:.1f} ms | {s['runs']} ({s['tool']}) | {s['exit']} |")

    sent = jsonl(a.bytes)
    if sent:
        p("")
        p("### Browser: bytes loaded by a first query")
        p("")
        p("| site | records | query | bytes loaded | requests | results shown |")
        p("| --- | ---: | --- | ---: | ---: | ---: |")
        for b in sent:
            shown = "–" if b.get("results") is None else b["results"]
            p(f"| {b['site']} | {b['size']:,} | `{b['query']}` | {b['bytes']:,} ({b['bytes'] / 1024:.0f} KiB) | {b['requests']} | {shown} |")
        p("")
        p("Counted by `benches/browser-bytes.mjs`: headless Chromium opens the search page with `?q=` from a")
        p("local HTTP server (no compression, empty cache), and every body the server sends is summed.")

    hugo_sizes = [n for n in sizes if rows.get((n, "hugo"))]
    if hugo_sizes:
        p("")
        p("### Side by side with Hugo + Pagefind (same records, same machine)")
        p("")
        p("| records | Hugo | Pagefind | Hugo + Pagefind | incident-archive `build` | Hugo + Pagefind / incident-archive |")
        p("| ---: | ---: | ---: | ---: | ---: | ---: |")
        for n in hugo_sizes:
            h, pf, ours = f.wall(n, "hugo"), f.wall(n, "pagefind"), f.wall(n, "build")
            both = seconds(h + pf) if h is not None and pf is not None else "–"
            peak = max(f.rss(n, "hugo") or 0, f.rss(n, "pagefind") or 0)
            both += f" · {mib(peak)}" if peak else ""
            ratio = f"**{(h + pf) / ours:.1f}×** time" if h is not None and pf is not None and ours else "–"
            if ratio != "–" and peak and f.rss(n, "build"):
                ratio += f", {peak / f.rss(n, 'build'):.1f}× memory"
            p(f"| {n:,} | {f.cell(n, 'hugo', True)} | {f.cell(n, 'pagefind', True)} | {both} | {f.cell(n, 'build', True)} | {ratio} |")
        p("")
        p("Hugo renders each record as a content page (`benches/to-hugo.py` adds front matter: title, date,")
        p("severity, customers as a taxonomy; conversion time not counted) with the minimal theme of")
        p("`benches/hugo/`; Pagefind then indexes Hugo's output. Memory: the larger peak RSS of the two.")

    prep = [n for n in sizes if rows.get((n, "generate"))]
    if prep:
        p("")
        p("Preparation, not counted above: " + "; ".join(
            f"{n:,} records generated in {f.cell(n, 'generate')}"
            + (f", converted for Hugo in {f.cell(n, 'convert')}" if rows.get((n, "convert")) else "")
            for n in prep
        ) + ".")
    if any(rc == 1 for runs in rows.values() for _, _, rc in runs):
        p("")
        p("¹ exit 1: the run finished but reported problems (see `benches/out/logs/`).")
    print("\n".join(out))


if __name__ == "__main__":
    main()
