// A search that explains itself, against `incident-archive search` on the same archive: the
// total number of hits (with and without filters), the snippet with its matched words marked
// and the fields a hit matched in, a parse error's caret, and the names a partial customer
// filter may mean; in node on the exported files, then through the page in Chromium: filters
// and typing re-run the search, `/` focuses a search box, the URL restores the view.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, cli, diskEngine, FILTERS, QUERIES, repo, search, serve, site, stemmer, withFilters } from "./helpers.mjs";

// The tests stem the query's words themselves (the page has the vocabulary's stems).
search.useStemmer(stemmer);

const { archive, site: siteDir } = site();
const binary = path.join(repo, "target/debug/incident-archive");

/** The CLI's error for a query it cannot parse: [message, column] from its message and caret. */
function cliError(query) {
  const r = spawnSync(binary, ["--archive", archive, "search", query, "--json"], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  assert.equal(r.status, 2, `${JSON.stringify(query)}: the CLI exits 2: ${r.stdout}${r.stderr}`);
  const lines = r.stderr.split("\n");
  const message = lines[0].replace(/^error: invalid query: /, "");
  // "  <query>" then "  <spaces>^": the caret's place, past the two-space indent, 1-based.
  return [message, lines[2] && lines[2].includes("^") ? lines[2].indexOf("^") - 1 : null];
}

/** Queries the grammar rejects, many with non-ASCII text, leading spaces or both. */
const BAD = [
  "title:",
  "  title:",
  "café title:",
  "  ünïcode (",
  "(a b",
  "\tcafé (a b",
  '"abc',
  ' "éclair',
  "𝔘𝔫𝔦 \"x",
  "a )",
  "naïve b)",
  "a -",
  "  AND a",
  "a AND )",
  "title:(a",
  "é title:(a b",
  "a:b:c",
  "foo bar^",
  ")",
  "NOT",
  "a AND",
];

test("totals equal the CLI's, alone and with filters", async () => {
  let counted = 0;
  for (const [q, f] of withFilters(QUERIES, 3)) {
    const want = cli(archive, q, f);
    const { engine } = await diskEngine(siteDir);
    let r;
    try {
      r = await engine.search(q, f, 10);
    } catch (e) {
      assert.ok(want.error, `${q}: the browser fails (${e.message}) where the CLI answers`);
      continue;
    }
    // Known at once, or counted by the second pass: the same number either way.
    if (r.total !== null) assert.equal(r.total, want.total, `${q} ${JSON.stringify(f)}: the total known at once`);
    else {
      assert.ok(r.atLeast >= r.hits.length && r.atLeast <= want.total, `${q}: at least ${r.atLeast} of ${want.total}`);
      counted++;
    }
    assert.equal(await r.count(), want.total, `${q} ${JSON.stringify(f)}`);
  }
  assert.ok(counted > 10, `the second pass counted ${counted} of the queries`);
});

test("the count reads a common word's documents file, not its postings", async () => {
  let files = 0;
  for (const q of ["connection pool", "memory leak", "database review", "timeout -database"]) {
    const want = cli(archive, q, {});
    const { engine, shards } = await diskEngine(siteDir);
    const names = [];
    const load = shards.load.bind(shards);
    shards.load = (name) => {
      names.push(name);
      return load(name);
    };
    const r = await engine.search(q, {}, 10);
    assert.equal(r.total, null, `${q}: the total is counted, not known at once`);
    const ranked = new Set(names);
    assert.equal(await r.count(), want.total, q);
    const counted = names.filter((n) => !ranked.has(n));
    // A long list's head file (`h`), layers (`g1`…) and chunks (numbers) are its postings:
    // the count does without them.
    assert.deepEqual(counted.filter((n) => /\/l\/.*\/(h|g\d+|\d+)$/.test(n)), [], `${q}: the count loaded postings`);
    files += names.filter((n) => n.endsWith("/b")).length;
  }
  assert.ok(files >= 4, `${files} documents files read`);
});

test("snippets and matched fields equal the CLI's", async () => {
  let marks = 0;
  for (const [q, f] of withFilters(QUERIES, 1, 2)) {
    const want = cli(archive, q, f);
    if (want.error) continue;
    const { engine } = await diskEngine(siteDir);
    const r = await engine.search(q, f, 10);
    const why = await engine.explain(r);
    assert.equal(why.length, want.hits.length);
    why.forEach((x, i) => {
      const w = want.hits[i];
      assert.deepEqual(x.snippet, w.snippet, `${q} ${JSON.stringify(f)}: the snippet of ${w.id}`);
      assert.deepEqual(x.fields, w.fields, `${q} ${JSON.stringify(f)}: the fields of ${w.id}`);
      marks += x.snippet.highlights.length;
    });
  }
  assert.ok(marks > 100, `${marks} marked words`);
});

test("a word of the whole record names the sections it is in", async () => {
  const { engine } = await diskEngine(siteDir);
  const r = await engine.search("leaking", {}, 10);
  const why = await engine.explain(r);
  // `leak` is in the root causes of the generated records: they say so, not just "text"
  // (which a hit names only when no section of SECTIONS has the word).
  assert.ok(why.every((x) => x.fields.length > 0 && (x.fields.includes("text") ? x.fields.length === 1 : true)));
  assert.ok(why.some((x) => x.fields.includes("root_cause")), JSON.stringify(why.map((x) => x.fields)));
});

test("a first query with its snippets loads only a little of the index", async () => {
  const script = fs.statSync(path.join(siteDir, "assets/search.js")).size;
  for (const q of ["database", "connection pool", "memory leak"]) {
    const { engine, shards } = await diskEngine(siteDir);
    const r = await engine.search(q, {}, 10);
    await engine.explain(r);
    const bytes = shards.bytes + script;
    assert.ok(bytes < 150 * 1024, `${q}: ${bytes} bytes (the script, and ${shards.files} files)`);
    console.log(`# ${q} with snippets and the script: ${bytes} bytes in ${shards.files + 1} files`);
  }
});

test("parse errors carry the CLI's message and column", () => {
  const meta = { fields: [["text", "en", 1], ["title", "en", 1]], aliases: {}, default: "text" };
  for (const q of BAD) {
    let got;
    try {
      search.plan(q, meta);
      got = "parsed";
    } catch (e) {
      got = [e.message, e.column];
    }
    assert.deepEqual(got, cliError(q), JSON.stringify(q));
  }
});

test("a partial customer name suggests the names that contain it, like the CLI", async () => {
  const { engine } = await diskEngine(siteDir);
  for (const customer of ["GlobalBank", "bank", "Zzz Nobody", "globalbank corp"]) {
    const want = cli(archive, "database", { customer });
    assert.deepEqual(await engine.suggest({ customer }), want.suggestions || [], customer);
  }
  const [s] = await engine.suggest({ customer: "GlobalBank" });
  assert.deepEqual(s.names, ["GlobalBank Corp"]);
});

// ---------------------------------------------------------------- the page, in Chromium

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

const http = () => `http://127.0.0.1:${server.address().port}`;

/** Waits for the search, and its count, to be done; returns what the page shows. */
async function shown(page) {
  await page.waitForFunction(() => document.body.dataset.searchState === "done" && document.body.dataset.countState === "done", null, { timeout: 30000 });
  // A hit is explained (snippet, fields) once it is on screen: show each in turn.
  await page.evaluate(async () => {
    for (const li of document.querySelectorAll("#results li.hit")) {
      li.scrollIntoView();
      await new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)));
    }
  });
  await page.waitForFunction(() => !document.querySelector("#results li.hit:not([data-fields])"), null, { timeout: 30000 });
  return page.evaluate(() => ({
    hits: Array.from(document.querySelectorAll("#results li.hit"), (li) => li.dataset.id),
    fields: Array.from(document.querySelectorAll("#results li.hit"), (li) => li.dataset.fields),
    status: document.getElementById("search-status").textContent,
    total: document.getElementById("search-status").dataset.total,
    marks: Array.from(document.querySelectorAll("#results li.hit .snippet mark"), (m) => m.textContent),
    matched: Array.from(document.querySelectorAll("#results li.hit .hit-fields"), (p) => p.textContent),
  }));
}

function open(page, base, query, filters = {}) {
  const params = new URLSearchParams({ q: query, ...filters });
  return page.goto(`${base}/search.html?${params}`);
}

test("the page shows the CLI's total, snippets with marked stems, and the fields", async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  for (const [base, [q, f]] of [
    [http(), ["database timeout latency", {}]],
    [pathToFileURL(siteDir).href, ["leaking", { severity: "P2" }]],
    [http(), ["(cache OR memory) AND leak", { year: "2023" }]],
    [pathToFileURL(siteDir).href, ["root_cause:leak", FILTERS[2]]],
    [http(), ["kafka OR rabbitmq", {}]],
  ]) {
    const want = cli(archive, q, f);
    await open(page, base, q, f);
    const got = await shown(page);
    assert.deepEqual(got.hits, want.hits.map((h) => h.id), `${q} ${JSON.stringify(f)}`);
    assert.equal(got.total, String(want.total), `${q}: the total`);
    assert.ok(got.status.includes(want.hits.length < want.total ? `of ${want.total} results` : `${want.total} result`), got.status);
    assert.deepEqual(got.fields, want.hits.map((h) => h.fields.join(" ")));
    assert.ok(got.matched.every((m) => m.startsWith("Matched in ")), got.matched.join());
    // Every marked word has the stem of a word searched for.
    const stems = new Set(search.analyze("en", q.replace(/\b(AND|OR|NOT)\b|[a-z_]+:/g, " ")).map((t) => t[1]));
    assert.ok(got.marks.length > 0, `${q}: marked words`);
    for (const m of got.marks) assert.ok(stems.has(search.analyze("en", m)[0][1]), `${q}: ${m} is no word of the query`);
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test("a hit's snippet file is loaded when the hit comes into view, not before", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  const loaded = [];
  page.on("request", (req) => /\/search\/x\/\d+\.js/.test(req.url()) && loaded.push(req.url()));
  await open(page, http(), "database");
  await page.waitForFunction(() => document.body.dataset.searchState === "done" && document.body.dataset.countState === "done", null, { timeout: 30000 });
  await page.waitForFunction(() => document.querySelector("#results li.hit[data-fields]"));
  await page.waitForTimeout(300);
  const hits = await page.locator("#results li.hit").count();
  const early = await page.$$eval("#results li.hit", (lis) => lis.map((li) => li.hasAttribute("data-fields")));
  assert.equal(hits, 10);
  // The first hit is on the first screen and explained; the last five (below 720 px whatever
  // the snippets above them) still wait for their snippets, and their files were not asked for.
  assert.ok(early[0], JSON.stringify(early));
  assert.deepEqual(early.slice(5), [false, false, false, false, false], JSON.stringify(early));
  const before = loaded.length;
  assert.ok(before >= early.filter(Boolean).length && before <= 5, loaded.join());
  assert.equal(await page.locator("#results li.hit:not([data-fields]) .hit-fields").count(), 0);
  await page.locator("#results li.hit").last().scrollIntoViewIfNeeded();
  await page.waitForFunction(() => document.querySelector("#results li.hit:last-child[data-fields]"), null, { timeout: 30000 });
  assert.ok(loaded.length > before, `${loaded.length} x/ files after scrolling, ${before} before`);
  assert.ok((await page.locator("#results li.hit:last-child .snippet mark").count()) > 0);
  await page.close();
});

test("a filter re-runs the search at once, and the URL restores the view", async () => {
  const page = await browser.newPage();
  await open(page, http(), "memory leak");
  await shown(page);
  await page.selectOption("#severity", "P2");
  await page.waitForFunction(() => new URLSearchParams(location.search).get("severity") === "P2");
  let got = await shown(page);
  let want = cli(archive, "memory leak", { severity: "P2" });
  assert.deepEqual(got.hits, want.hits.map((h) => h.id));
  assert.equal(got.total, String(want.total));
  await page.selectOption("#year", "2023");
  await page.waitForFunction(() => new URLSearchParams(location.search).get("year") === "2023");
  got = await shown(page);
  want = cli(archive, "memory leak", { severity: "P2", year: "2023" });
  assert.deepEqual(got.hits, want.hits.map((h) => h.id));
  assert.equal(got.total, String(want.total));
  // The shared URL opens the same view.
  const url = page.url();
  const other = await browser.newPage();
  await other.goto(url);
  const again = await shown(other);
  assert.deepEqual(again, got);
  assert.equal(await other.inputValue("#q"), "memory leak");
  assert.equal(await other.inputValue("#severity"), "P2");
  assert.equal(await other.inputValue("#year"), "2023");
  await other.close();
  await page.close();
});

test("typing runs the search after a pause, and only the last query's results stay", async () => {
  const page = await browser.newPage();
  await page.goto(`${http()}/search.html`);
  await page.waitForFunction(() => document.body.dataset.searchState === "ready");
  // Watch every run the page starts.
  await page.evaluate(() => {
    window.__runs = 0;
    new MutationObserver(() => document.body.dataset.searchState === "busy" && window.__runs++).observe(document.body, { attributes: true });
  });
  await page.locator("#q").pressSequentially("connection pool", { delay: 20 });
  const got = await shown(page);
  const want = cli(archive, "connection pool");
  assert.deepEqual(got.hits, want.hits.map((h) => h.id));
  assert.equal(got.total, String(want.total));
  // Keys 20 ms apart: the debounce ran the search once, not once per key.
  assert.ok((await page.evaluate(() => window.__runs)) <= 2, "debounced");
  assert.match(page.url(), /\?q=connection\+pool$/);
  // A slow search overtaken by a newer one never shows its results.
  await page.fill("#q", '"connection pool exhaustion"');
  await page.evaluate(() => document.getElementById("search-form").requestSubmit());
  await page.fill("#q", "zebra");
  await page.evaluate(() => document.getElementById("search-form").requestSubmit());
  const last = await shown(page);
  assert.deepEqual(last.hits, []);
  assert.match(last.status, /No record matches/);
  await page.waitForTimeout(500);
  assert.deepEqual((await shown(page)).hits, [], "the older search did not overwrite the newer");
  await page.close();
});

test("`/` focuses the search box, on the search page and from any page", async () => {
  const page = await browser.newPage();
  await page.goto(`${http()}/search.html`);
  await page.waitForFunction(() => document.body.dataset.searchState === "ready");
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press("/");
  assert.equal(await page.evaluate(() => document.activeElement.id), "q");
  assert.equal(await page.inputValue("#q"), "", "the `/` is not typed into the box");
  await page.goto(`${http()}/incidents/index.html`);
  await page.keyboard.press("/");
  assert.ok(await page.evaluate(() => document.activeElement.matches(".quick-search input")));
  // Typed into the box, it goes to the search page with the query.
  await page.keyboard.type("memory leak");
  await page.keyboard.press("Enter");
  await page.waitForURL(/search\.html\?q=memory\+leak/);
  const got = await shown(page);
  assert.deepEqual(got.hits, cli(archive, "memory leak").hits.map((h) => h.id));
  await page.close();
});

test("a parse error shows the query with a caret at the CLI's column", async () => {
  const page = await browser.newPage();
  for (const q of ["  title:", "café (a b", "  naïve \"x", "a -"]) {
    await open(page, http(), q);
    await page.waitForFunction(() => document.body.dataset.searchState === "done");
    const [message, column] = cliError(q);
    const got = await page.evaluate(() => {
      const pre = document.querySelector("#search-error .caret");
      return {
        message: document.querySelector("#search-error p").textContent,
        column: Number(pre.dataset.column),
        lines: pre.textContent.split("\n"),
        invalid: document.getElementById("q").getAttribute("aria-invalid"),
        described: document.getElementById("q").getAttribute("aria-describedby").split(" "),
      };
    });
    assert.equal(got.message, `${message} (column ${column})`, q);
    assert.equal(got.column, column, q);
    assert.equal(got.lines[0], q);
    assert.equal(Array.from(got.lines[1]).indexOf("^") + 1, column, `${q}: the caret under column ${column}`);
    assert.equal(got.invalid, "true");
    assert.ok(got.described.includes("search-error"));
  }
  await page.close();
});

test("a partial customer name offers the names that contain it", async () => {
  const page = await browser.newPage();
  await open(page, http(), "database", { customer: "GlobalBank" });
  const got = await shown(page);
  assert.deepEqual(got.hits, []);
  const hint = await page.textContent("#search-hint");
  assert.equal(hint, "No customer named GlobalBank; did you mean GlobalBank Corp?");
  await page.click("#search-hint button.suggestion");
  await page.waitForFunction(() => new URLSearchParams(location.search).get("customer") === "GlobalBank Corp");
  const exact = await shown(page);
  const want = cli(archive, "database", { customer: "GlobalBank Corp" });
  assert.deepEqual(exact.hits, want.hits.map((h) => h.id));
  assert.equal(exact.total, String(want.total));
  assert.ok(await page.isHidden("#search-hint"));
  await page.close();
});

test("the search page's controls are at least 24 px tall", async () => {
  const page = await browser.newPage();
  await page.setViewportSize({ width: 390, height: 800 });
  await open(page, http(), "database");
  await shown(page);
  const small = await page.evaluate(() =>
    Array.from(document.querySelectorAll("#search-form input, #search-form select, #search-form button, #more-results"))
      .filter((e) => e.offsetParent !== null)
      .map((e) => [e.id || e.tagName, e.getBoundingClientRect().height])
      .filter(([, h]) => h < 24),
  );
  assert.deepEqual(small, []);
  await page.close();
});
