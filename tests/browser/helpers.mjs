// Shared by the browser tests: the site built by the real binary from the project's own
// generated corpus plus hostile records, the CLI, the search engine run in node, a static HTTP
// server, and Chromium.
import { execFileSync, spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CHROMIUM_ARGS } from "./chromium-args.mjs";

export const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, "../..");
export const searchJs = path.join(repo, "site-templates/assets/search.js");
const require = createRequire(import.meta.url);
export const search = require(searchJs);
/** The Snowball stemmer the site loads only for a word no record holds (`assets/stem.js`). */
export const stemmer = require(path.join(repo, "site-templates/assets/stem.js"));
/** The query grammar the site loads for the first query that is more than words
 *  (`assets/parse.js`); installed here for the tests that call `search.plan` directly. An
 *  Engine in node then finds it installed and does not load it. */
search.useParser(require(path.join(repo, "site-templates/assets/parse.js")));

const binary = path.join(repo, "target/debug/incident-archive");
/** The corpus generator of the workspace (tools/corpus), built beside the product's binary. */
const corpusBinary = path.join(repo, "target/debug/incident-corpus");
const fixture = process.env.IA_BROWSER_FIXTURE || path.join(here, ".fixture");
/** Records whose text tries to inject markup and script; copied into the generated inbox. */
export const hostileDir = path.join(repo, "tests/fixtures/hostile");
/** Ids of the hostile records (their file names). */
export const HOSTILE = fs
  .readdirSync(hostileDir)
  .filter((f) => f.endsWith(".md"))
  .map((f) => f.slice(0, -3))
  .sort();
/** The generated corpus: `incident-corpus --count COUNT --seed SEED`. The suite is written
 *  against no particular records: `IA_BROWSER_SEED` and `IA_BROWSER_COUNT` (with a fixture
 *  folder of their own, `IA_BROWSER_FIXTURE`) run it on another corpus. */
const COUNT = Number(process.env.IA_BROWSER_COUNT || 5000);
const SEED = Number(process.env.IA_BROWSER_SEED || 7);
/** The build date and the ledger's clock, fixed so that every run builds the same site (the debug
 *  binary takes the clock from `INCIDENT_ARCHIVE_NOW`; a release binary would ignore it). */
export const AS_OF = "2026-01-31";
const NOW = "2026-01-31T02:00:00Z";

function mtime(p) {
  return fs.statSync(p).mtimeMs;
}

/** Runs the binary (the product's unless another is given) as a user would; throws with its
 *  output unless it exits 0. */
function run(args, options = {}, program = binary) {
  const r = spawnSync(program, args, {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    ...options,
    env: { ...process.env, NO_COLOR: "1", ...options.env },
  });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    throw new Error(`building the browser fixture: \`${path.basename(program)} ${args.join(" ")}\` exited ${r.status}:\n${r.stdout}${r.stderr}`);
  }
  return r;
}

/** Builds the fixture as a new user would: the project's deterministic corpus and the hostile
 *  records in an inbox, a configuration file, and `incident-archive build`. Gives
 *  `<fixture>/archive` (for `incident-archive search`) and `<fixture>/site` (for the browser). */
function build() {
  const records = path.join(fixture, "records");
  const started = Date.now();
  run(["--count", String(COUNT), "--seed", String(SEED), "--out", records, "-q"], {}, corpusBinary);
  for (const id of HOSTILE) fs.copyFileSync(path.join(hostileDir, id + ".md"), path.join(records, id + ".md"));
  const config = path.join(fixture, "incident-archive.yaml");
  fs.writeFileSync(config, "inbox: records\narchive: archive\noutput: site\n");
  const report = path.join(fixture, "build.json");
  const r = run(["--config", config, "build", "--as-of", AS_OF, "--report", report], {
    cwd: fixture,
    env: { INCIDENT_ARCHIVE_NOW: NOW },
  });
  const { ingest, verify } = JSON.parse(fs.readFileSync(report, "utf8"));
  if (ingest.new !== COUNT + HOSTILE.length || ingest.rejected.length || !verify.ok) {
    throw new Error(`building the browser fixture: expected ${COUNT + HOSTILE.length} new records, none rejected, a clean verify:\n${r.stdout}${r.stderr}`);
  }
  console.log(`# fixture: ${COUNT} generated + ${HOSTILE.length} hostile records built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** Builds the fixture once, shared by the test files (a lock folder while one builds, `done` when
 *  built), again only when a binary, search.js or a hostile record is newer. */
export function site() {
  for (const program of [binary, corpusBinary]) {
    if (!fs.existsSync(program)) {
      throw new Error(`${program} is missing: run \`cargo build --workspace\` first (scripts/test.sh builds it with \`cargo test --workspace\`)`);
    }
  }
  const done = path.join(fixture, "done");
  const lock = fixture + ".lock";
  const inputs = [binary, corpusBinary, searchJs, ...HOSTILE.map((id) => path.join(hostileDir, id + ".md"))];
  for (;;) {
    if (fs.existsSync(done) && inputs.every((p) => mtime(done) > mtime(p))) break;
    try {
      fs.mkdirSync(lock, { recursive: false });
    } catch {
      // Another test file is building it; a lock left by a killed run is taken over.
      const since = fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs;
      if (since && Date.now() - since > 10 * 60 * 1000) fs.rmSync(lock, { recursive: true, force: true });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
      continue;
    }
    try {
      fs.rmSync(fixture, { recursive: true, force: true });
      fs.mkdirSync(fixture, { recursive: true });
      build();
      fs.writeFileSync(done, "");
    } finally {
      fs.rmSync(lock, { recursive: true, force: true });
    }
  }
  return { archive: path.join(fixture, "archive"), site: path.join(fixture, "site") };
}

/** `incident-archive search --json` with the browser's filters. */
export function cli(archive, query, filters = {}, limit = 10) {
  const args = ["--archive", archive, "search", query, "--json", "--limit", String(limit)];
  if (filters.severity) args.push("--severity", filters.severity);
  if (filters.customer) args.push("--customer", filters.customer);
  if (filters.status) args.push("--status", filters.status);
  if (filters.year) args.push("--since", filters.year + "-01-01", "--until", filters.year + "-12-31");
  const r = spawnSync(binary, args, { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  if (r.status === 2) return { error: r.stderr };
  return JSON.parse(r.stdout);
}

/** The engine of search.js, reading shards from disk; counts the bytes it loads. */
export function diskEngine(siteDir) {
  const cache = new Map();
  const shards = {
    bytes: 0,
    files: 0,
    /** The names of the shards loaded, in order. */
    names: [],
    async load(name) {
      if (!cache.has(name)) {
        const text = fs.readFileSync(path.join(siteDir, "search", search.shardFile(name)), "utf8");
        let data;
        new Function("IASearch", text)((n, d) => {
          if (n === name) data = d;
        });
        if (data === undefined) throw new Error("shard " + name + " did not register");
        shards.bytes += Buffer.byteLength(text);
        shards.files++;
        shards.names.push(name);
        cache.set(name, data);
      }
      return cache.get(name);
    },
  };
  return shards.load("meta").then((meta) => ({ engine: new search.Engine(shards, meta), shards }));
}

/** A static file server on 127.0.0.1 and a random port. */
export function serve(root) {
  const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css" };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://localhost");
    const file = path.join(root, decodeURIComponent(url.pathname));
    if (!file.startsWith(root) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { "content-type": types[path.extname(file)] || "application/octet-stream" });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** Chromium as a browser whose contexts a test opens with its own options (colour scheme,
 *  permissions, bypassing the CSP for axe-core). */
export async function launch() {
  const { chromium } = await import("playwright-core");
  return chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: CHROMIUM_ARGS });
}

/** Debian's Chromium, headless, with a fresh profile (a browser context: `newPage`, `close`). */
export async function chromium() {
  const { chromium } = await import("playwright-core");
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "ia-chromium-"));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
  });
  return { browser, profile };
}

/** Queries of the supported browser syntax over the generated corpus's vocabulary
 *  (tools/corpus: scenario templates, Zipf-drawn customers, owners and long-tail words), each
 *  chosen for a part of the engine. The hit counts in the comments were read on 3,000 records of
 *  seed 7 (the fixture now has 5,000); lists over 32 postings live in the export's `l/` files. */
export const QUERIES = [
  // Common terms: long posting lists, read in chunks.
  "database", // 2,355 of 3,003
  "review", // every record: all scores tie, the order is by id
  "leaking", // stemmed to `leak`: 655
  "certificates",
  "connection pool",
  "database timeout latency",
  // Phrases, and one in the wrong order.
  '"connection pool exhaustion"',
  '"slow query"',
  '"memory leak"',
  '"expired tls certificate"',
  '"pool connection"', // nothing
  // Boolean operators.
  "database AND timeout",
  "query AND timeout AND database",
  "timeout -database",
  "leak NOT memory",
  "(cache OR memory) AND leak",
  "(dns OR certificate) AND -expired",
  "+kafka consumer -rebalance",
  "kafka OR rabbitmq",
  // Fields.
  "root_cause:leak",
  "title:database",
  'title:"memory leak"',
  "lessons:review",
  "to_improve:alerts",
  "factors:soak",
  "timeline:rollback",
  "actions:runbook",
  "detection:prometheus",
  "resolution:index",
  "root_cause:(slow query) -title:database",
  // Customers and owners that exist: the most frequent, a common one, a rare one.
  "customer:globalbank", // 1,259
  'customer:"healthtech systems"',
  "customer:coastalmart", // 1
  "owner:platform", // 2,107
  'owner:"db team"',
  'owner:"ledger ops"', // 10
  // Status, severity and year as fields.
  "status:closed",
  "status:closed AND certificate",
  "severity:p1 AND cache",
  "year:2023",
  "year:2019 AND dns", // 17
  // Rare terms of the long tail, an id, the hostile records, and nothing.
  "clock skew", // 16
  "deadlock quota",
  "venzel", // 9
  "elbarbar", // 2
  "id:INC-2023-00002",
  "hostile",
  "zebra",
  '"zebra crossing"',
];

/** Filters as the search page offers them: none, each kind, the most frequent customer, a rare
 *  one, and combinations that leave few hits. */
export const FILTERS = [
  {},
  { severity: "P1" },
  { customer: "GlobalBank Corp" },
  { year: "2023" },
  { status: "Closed" },
  { severity: "P2", customer: "QuantumWorks Ltd" },
  { customer: "CoastalMart Co" },
  { year: "2019", status: "Closed", severity: "P4" },
];

/** Pairs of a query and filters: each query alone and with `n` of the other filters in turn
 *  (`shift` moves the turn), so that every filter meets many queries without the whole product
 *  (each pair costs a run of the CLI). */
export function withFilters(queries, n, shift = 0) {
  const rest = FILTERS.slice(1);
  return queries.flatMap((q, i) => [[q, {}], ...Array.from({ length: n }, (_, k) => [q, rest[(i * n + k + shift) % rest.length]])]);
}

export { execFileSync };
