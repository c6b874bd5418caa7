// Shared by the browser tests: the synthetic site, the CLI, the search engine run in node,
// a static HTTP server, and Chromium.
import { execFileSync, spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, "../..");
export const searchJs = path.join(repo, "site-templates/assets/search.js");
const require = createRequire(import.meta.url);
export const search = require(searchJs);

const binary = path.join(repo, "target/debug/incident-archive");
const fixture = process.env.IA_BROWSER_FIXTURE || path.join(here, ".fixture");

function newer(a, b) {
  return fs.existsSync(a) && fs.existsSync(b) && fs.statSync(a).mtimeMs > fs.statSync(b).mtimeMs;
}

/** Builds (once, shared by the test files) a synthetic archive index and its exported site:
 *  `<fixture>/archive` for the CLI, `<fixture>/site` for the browser. */
export function site() {
  const done = path.join(fixture, "done");
  const lock = fixture + ".lock";
  for (;;) {
    if (fs.existsSync(done) && newer(done, binary) && newer(done, searchJs)) break;
    try {
      fs.mkdirSync(lock, { recursive: false });
    } catch {
      // another test file is building it
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
      continue;
    }
    try {
      fs.rmSync(fixture, { recursive: true, force: true });
      const r = spawnSync("cargo", ["test", "-q", "--test", "cli", "index::browser_site", "--", "--ignored", "--exact"], {
        cwd: repo,
        env: { ...process.env, BROWSER_SITE_DIR: fixture },
        encoding: "utf8",
      });
      if (r.status !== 0) throw new Error("building the browser fixture failed:\n" + r.stdout + r.stderr);
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
    async load(name) {
      if (!cache.has(name)) {
        const text = fs.readFileSync(path.join(siteDir, "search", name + ".js"), "utf8");
        let data;
        new Function("IASearch", text)((n, d) => {
          if (n === name) data = d;
        });
        if (data === undefined) throw new Error("shard " + name + " did not register");
        shards.bytes += Buffer.byteLength(text);
        shards.files++;
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

/** Debian's Chromium, headless, with a fresh profile (a browser context: `newPage`, `close`). */
export async function chromium() {
  const { chromium } = await import("playwright-core");
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "ia-chromium-"));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return { browser, profile };
}

/** Queries of the supported browser syntax, reasoned to cover each part of the engine. */
export const QUERIES = [
  "database",
  "leaking",
  "connection pool",
  "database timeout latency",
  '"connection pool exhaustion"',
  '"slow query"',
  '"pool connection"',
  "database AND timeout",
  "query AND timeout AND database",
  "timeout -database",
  "leak NOT memory",
  "root_cause:leak",
  "title:database",
  "lessons:review",
  "to_improve:alerts",
  "customer:globalbank",
  "severity:p1 AND cache",
  "owner:platform",
  "status:closed",
  "root_cause:(slow query) -title:database",
  "(cache OR memory) AND leak",
  "+kafka consumer -rebalance",
  "clock skew",
  "vault secret rotation",
  "id:INC-2023-00002",
  "hostile",
  "zebra",
];

/** Filters as the search page offers them. */
export const FILTERS = [
  {},
  { severity: "P1" },
  { customer: "GlobalBank Corp" },
  { year: "2023" },
  { status: "Closed" },
  { severity: "P2", customer: "Nordic Air" },
];

export { execFileSync };
