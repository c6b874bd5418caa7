// Counts the bytes a real browser loads for a first search on a static site.
//
// Serves SITE over HTTP on 127.0.0.1 (no compression, no cache), opens PAGE?q=QUERY in headless
// Chromium (Debian's /usr/bin/chromium, driven by playwright-core) with an empty profile, waits
// until the network is idle and the results are shown, and sums the body sizes of every response
// the server sent (page, workers and all):
// the page, its CSS and JS, and whatever index files the query made it fetch. When the page does
// not show results (`--results SELECTOR`) for `?q=`, the query is typed into its search box.
//
// usage: node browser-bytes.mjs --site DIR --page search.html --query "connection pool"
//        [--results SELECTOR] [--chromium /usr/bin/chromium]
// prints one JSON object: {page, query, bytes, requests, results, files: [{path, status, bytes}]}

import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS } from "../tests/browser/chromium-args.mjs";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) => {
    if (a.startsWith("--")) pairs.push([a.slice(2), all[i + 1]]);
    return pairs;
  }, []),
);
for (const key of ["site", "page", "query"]) {
  if (!args[key]) {
    console.error(`error: missing --${key}\nusage: node browser-bytes.mjs --site DIR --page search.html --query TEXT`);
    process.exit(2);
  }
}
const site = resolve(args.site);
const executablePath = args.chromium ?? "/usr/bin/chromium";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".wasm": "application/wasm",
  ".png": "image/png",
};

// Every response the server sends, with its exact body size: counted here rather than from the
// browser's events so that requests made by workers are included too.
const served = [];
const server = createServer(async (req, res) => {
  const url = new URL(req.url, "http://localhost");
  let path = normalize(join(site, decodeURIComponent(url.pathname)));
  if (!path.startsWith(site)) {
    res.writeHead(403).end();
    return;
  }
  try {
    if ((await stat(path)).isDirectory()) path = join(path, "index.html");
    const body = await readFile(path);
    res.writeHead(200, {
      "content-type": TYPES[extname(path)] ?? "application/octet-stream",
      "content-length": body.length,
      "cache-control": "no-store",
    });
    res.end(body);
    served.push({ path: req.url, status: 200, bytes: body.length });
  } catch {
    res.writeHead(404, { "content-length": 0 }).end();
    served.push({ path: req.url, status: 404, bytes: 0 });
  }
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath,
  args: CHROMIUM_ARGS,
});
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on("pageerror", (e) => console.error(`page error: ${e.message}`));

  const target = `${origin}/${args.page.replace(/^\//, "")}?q=${encodeURIComponent(args.query)}`;
  await page.goto(target, { waitUntil: "networkidle" });
  let results = null;
  if (args.results) {
    const shown = () => page.waitForSelector(args.results, { timeout: 10_000 }).then(() => true, () => false);
    if (!(await shown())) {
      // The page did not act on ?q=: type the query into its search box, as a person would.
      const box = page.locator('input[type="search"], input[name="q"]').first();
      await box.fill(args.query);
      await box.press("Enter");
      await page.waitForLoadState("networkidle");
      await shown();
    }
    results = await page.locator(args.results).count();
  }
  await page.waitForLoadState("networkidle");
  await new Promise((ok) => setTimeout(ok, 300));
  const files = served.map((f) => ({ ...f, path: f.path.replace(/\?ts=\d+$/, "") }));
  const ok = files.filter((f) => f.status === 200);
  console.log(
    JSON.stringify({
      page: args.page,
      query: args.query,
      bytes: ok.reduce((sum, f) => sum + f.bytes, 0),
      requests: ok.length,
      results,
      files: files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    }),
  );
} finally {
  await browser.close();
  server.close();
}
