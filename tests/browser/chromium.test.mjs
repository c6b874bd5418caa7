// The search page in headless Chromium (Debian's), opened from file:// and from a local HTTP
// server: results and their order equal `incident-archive search --json`, filters work from
// the URL and from the form, and hostile records never run script.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { pathToFileURL } from "node:url";
import { chromium, cli, FILTERS, serve, site } from "./helpers.mjs";

const { archive, site: siteDir } = site();
let server;
let browser;
let profile;

before(async () => {
  server = await serve(siteDir);
  ({ browser, profile } = await chromium());
});

after(async () => {
  await browser?.close();
  server?.close();
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
});

const origins = () => [
  ["file", pathToFileURL(siteDir).href],
  ["http", `http://127.0.0.1:${server.address().port}`],
];

/** Opens the search page with a query in its URL and returns what it shows. */
async function results(page, base, query, filters = {}) {
  const params = new URLSearchParams({ q: query, ...filters });
  await page.goto(`${base}/search.html?${params}`);
  await page.waitForFunction(() => document.body.dataset.searchState === "done", null, { timeout: 20000 });
  return page.evaluate(() => ({
    hits: Array.from(document.querySelectorAll("#results li.hit"), (li) => [li.dataset.id, Number(li.dataset.score)]),
    status: document.getElementById("search-status").textContent,
    parsed: document.getElementById("search-status").dataset.parsed,
  }));
}

const QUERIES = ["database", "leaking", "connection pool", '"connection pool exhaustion"', "query AND timeout AND database", "timeout -database", "root_cause:(slow query) -title:database", "customer:globalbank", "zebra"];

for (const kind of ["file", "http"]) {
  test(`results equal the CLI's (${kind})`, async () => {
    const base = origins().find(([k]) => k === kind)[1];
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("response", (r) => r.status() >= 400 && !r.url().endsWith("/favicon.ico") && errors.push(`${r.status()} ${r.url()}`));
    for (const q of QUERIES) {
      for (const f of FILTERS.slice(0, 4)) {
        const want = cli(archive, q, f);
        const got = await results(page, base, q, f);
        assert.deepEqual(got.hits, want.hits.map((h) => [h.id, Math.fround(h.score)]), `${q} ${JSON.stringify(f)}`);
        if (want.hits.length) assert.equal(got.parsed, want.parsed);
        else assert.match(got.status, /No record matches/);
      }
    }
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test("the form runs searches with filters, and links lead to incident pages", async () => {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/search.html`);
  await page.waitForFunction(() => document.body.dataset.searchState === "ready");
  const severities = await page.$$eval("#severity option", (os) => os.map((o) => o.value));
  assert.deepEqual(severities, ["", "P1", "P2", "P3", "P4"]);
  await page.fill("#q", "memory leak");
  await page.selectOption("#severity", "P2");
  await page.fill("#customer", "GlobalBank Corp");
  await page.click("button[type=submit]");
  await page.waitForFunction(() => document.body.dataset.searchState === "done");
  const got = await page.$$eval("#results li.hit", (lis) => lis.map((li) => li.dataset.id));
  const want = cli(archive, "memory leak", { severity: "P2", customer: "GlobalBank Corp" });
  assert.deepEqual(got, want.hits.map((h) => h.id));
  assert.ok(got.length > 0);
  assert.match(page.url(), /\?q=memory\+leak&severity=P2&customer=GlobalBank\+Corp$/);
  const href = await page.$eval("#results li.hit a", (a) => a.getAttribute("href"));
  assert.equal(href, `incidents/${got[0]}.html`);
  assert.ok(fs.existsSync(`${siteDir}/${href}`), `${href} is a page of the site`);
  const marks = await page.$$eval("#results li.hit mark", (ms) => ms.map((m) => m.textContent.toLowerCase()));
  assert.ok(marks.every((m) => m.startsWith("memor") || m.startsWith("leak")), marks.join());
  await page.close();
});

test("a bad query says where, a CLI-only query says so", async () => {
  const page = await browser.newPage();
  const base = `http://127.0.0.1:${server.address().port}`;
  assert.match((await results(page, base, "nope:x")).status, /unknown field `nope`.*\(column 1\)/);
  assert.match((await results(page, base, "started:[2024-01-01 TO *]")).status, /ranges work in `incident-archive search`/);
  await page.close();
});

test("hostile records never run script and show as text", async () => {
  for (const [, base] of origins()) {
    const page = await browser.newPage();
    const dialogs = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      d.dismiss();
    });
    const got = await results(page, base, "hostile");
    assert.deepEqual(got.hits.map((h) => h[0]).sort(), ["XSS-1", "XSS-2"]);
    const state = await page.evaluate(() => ({
      pwned: window.__pwned,
      scripts: document.querySelectorAll("#results script, #results svg, #results img").length,
      handlers: Array.from(document.querySelectorAll("#results *")).filter((e) => Array.from(e.attributes).some((a) => a.name.startsWith("on"))).length,
      titles: Array.from(document.querySelectorAll("#results .hit-title"), (e) => e.textContent),
    }));
    assert.equal(state.pwned, undefined);
    assert.equal(state.scripts, 0);
    assert.equal(state.handlers, 0);
    assert.ok(state.titles.includes("<script>window.__pwned = 1</script> hostile markup"), state.titles.join("|"));
    assert.deepEqual(dialogs, []);
    await page.close();
  }
});

test("a first query over HTTP loads only its shards", async () => {
  const page = await browser.newPage();
  let bytes = 0;
  const files = [];
  page.on("request", (r) => {
    const url = new URL(r.url());
    if (url.pathname.startsWith("/search/")) {
      files.push(url.pathname);
      bytes += fs.statSync(siteDir + url.pathname).size;
    }
  });
  await results(page, `http://127.0.0.1:${server.address().port}`, "connection pool");
  const total = fs.readdirSync(siteDir + "/search", { recursive: true }).length;
  assert.ok(files.length < total / 50, `${files.length} of ${total} files`);
  assert.ok(bytes < 150 * 1024, `${bytes} bytes`);
  console.log(`# first query: ${bytes} bytes in ${files.length} of ${total} files`);
  await page.close();
});
