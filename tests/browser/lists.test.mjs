// The long lists of the site in headless Chromium, on the 5,000-record fixture: every sorted
// view of the customers and owners indexes holds every customer (owner) once, in the view's
// order, with the values computed here from `incidents.json` and the CSV exports; the CSV
// exports agree with `incidents.json` and the pages; the retention categories are paged; no
// list page is heavy. Everything is read from file://, without script help (the views are
// pre-rendered pages reached through their column headers).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, site } from "./helpers.mjs";

const { site: siteDir } = site();
const base = pathToFileURL(siteDir).href;
let browser;
let profile;

before(async () => {
  ({ browser, profile } = await chromium());
});

after(async () => {
  await browser?.close();
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
});

/** RFC 4180 rows of a CSV file (quoted fields, doubled quotes, CRLF records). */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += c;
  }
  assert.equal(cell + row.join(""), "", "the file ends with CRLF");
  return rows;
}

/** A CSV export as objects keyed by its header. */
function readCsv(name) {
  const [header, ...rows] = parseCsv(fs.readFileSync(path.join(siteDir, name), "utf8"));
  for (const r of rows) assert.equal(r.length, header.length, `${name}: ${r}`);
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

/** A cell's text as the export wrote it, less the `'` that neutralises a formula. */
const unquote = (v) => (/^'[=+\-@\t\r]/.test(v) ? v.slice(1) : v);

/** Record text as pages show it: the characters no output shows raw as `\u{…}` escapes
 *  (src/text.rs: C0 but tab, LF, CR; DEL and C1; bidi embeddings, overrides, isolates;
 *  noncharacters). */
function shown(s) {
  let out = "";
  for (const ch of s) {
    const c = ch.codePointAt(0);
    const hidden =
      (c < 0x20 && c !== 9 && c !== 10 && c !== 13) ||
      (c >= 0x7f && c <= 0x9f) ||
      (c >= 0xfdd0 && c <= 0xfdef) ||
      (c >= 0x202a && c <= 0x202e) ||
      (c >= 0x2066 && c <= 0x2069) ||
      (c & 0xfffe) === 0xfffe;
    out += hidden ? `\\u{${c.toString(16)}}` : ch;
  }
  return out;
}

const json = JSON.parse(fs.readFileSync(path.join(siteDir, "incidents.json"), "utf8"));
const live = json.incidents.filter((i) => !i.purged && i.title !== null);

/** Per customer (as shown), from incidents.json: incidents, downtime, last incident. */
function customersFromJson() {
  const out = new Map();
  for (const inc of live) {
    const names = new Set(inc.customers.map((n) => n.trim()).filter((n) => n && !/\(\d+ accounts?\)$/.test(n)));
    for (const name of names) {
      const c = out.get(shown(name)) || { incidents: 0, downtime: 0, last: "" };
      c.incidents++;
      c.downtime += Math.max(0, inc.duration_seconds || 0);
      if (inc.started_at && inc.started_at > c.last) c.last = inc.started_at;
      out.set(shown(name), c);
    }
  }
  return out;
}

/** Every row of every page of a view, following its pager. */
async function walk(page, first, rowOf) {
  const rows = [];
  let url = `${base}/${first}`;
  let pages = 0;
  while (url) {
    await page.goto(url);
    pages++;
    const got = await page.evaluate(rowOf);
    rows.push(...got.rows);
    // The header of this view carries aria-sort, and only it.
    assert.equal(got.sorted.length, 1, `${url}: one header carries aria-sort`);
    url = got.next;
  }
  return { rows, pages };
}

/** A customers or owners page: its rows, its sorted header and the next page. */
function pageRows() {
  const cells = (tr) => Array.from(tr.cells, (td) => {
    const data = td.querySelector("data");
    return data ? Number(data.value) : td.textContent.trim();
  });
  return {
    rows: Array.from(document.querySelectorAll("table.sortable tbody tr"), cells),
    sorted: Array.from(document.querySelectorAll("table.sortable th[aria-sort]"), (th) => [th.textContent.trim(), th.getAttribute("aria-sort"), th.querySelector("a").href]),
    next: document.querySelector('.pager a[rel="next"]')?.href || null,
  };
}

const num = (s) => Number(String(s).replace(/,/g, "").replace(/\s.*$/, ""));

function assertOrdered(values, descending, what) {
  for (let i = 1; i < values.length; i++) {
    const ok = descending ? values[i - 1] >= values[i] : values[i - 1] <= values[i];
    assert.ok(ok, `${what}: row ${i} (${values[i - 1]} then ${values[i]}) is out of order`);
  }
}

test("every sorted view of the customers lists every customer once, in order, with the data's values", async () => {
  const fromJson = customersFromJson();
  const csv = readCsv("exports/customers.csv");
  assert.equal(csv.length, fromJson.size, "customers.csv has one row per customer of incidents.json");
  // Users and delay per customer, from the per-incident export.
  const impact = new Map();
  for (const r of readCsv("exports/customer-impact.csv")) {
    const name = unquote(r.customer);
    const c = impact.get(name) || { users: 0, delay: 0 };
    c.users += Number(r.users_affected || 0);
    c.delay += Number(r.max_delay_seconds || 0);
    impact.set(name, c);
  }
  const page = await browser.newPage();
  const views = [
    ["customers/index.html", null, false],
    ["customers/by-incidents.html", 1, true],
    ["customers/by-users.html", 2, true],
    ["customers/by-downtime.html", 3, true],
    ["customers/by-delay.html", 4, true],
    ["customers/by-last-incident.html", 7, true],
  ];
  const names = [];
  for (const [view, column, descending] of views) {
    const { rows, pages } = await walk(page, view, pageRows);
    assert.equal(rows.length, fromJson.size, `${view}: every customer`);
    assert.equal(new Set(rows.map((r) => r[0])).size, rows.length, `${view}: each once`);
    assert.equal(pages, Math.ceil(fromJson.size / 200), `${view}: 200 a page`);
    for (const r of rows) {
      const want = fromJson.get(r[0]);
      assert.ok(want, `${view}: ${r[0]} is a customer of incidents.json`);
      assert.equal(num(r[1]), want.incidents, `${view}: incidents of ${r[0]}`);
      assert.equal(num(r[2]), impact.get(r[0]).users, `${view}: users of ${r[0]}`);
      assert.equal(r[3], want.downtime, `${view}: downtime of ${r[0]}`);
      assert.equal(r[4], impact.get(r[0]).delay, `${view}: delay of ${r[0]}`);
      assert.equal(r[7], want.last.slice(0, 10) || "—", `${view}: last incident of ${r[0]}`);
    }
    if (column === null) names.push(...rows.map((r) => r[0]));
    else assertOrdered(rows.map((r) => (column === 7 ? r[7] : num(r[column]))), descending, view);
  }
  // The index is by name ignoring case, as customers.csv.
  assert.deepEqual(names, csv.map((r) => shown(unquote(r.customer))));
  // Ties keep the name order: in by-incidents, equal counts are in index order.
  const { rows } = await walk(page, "customers/by-incidents.html", pageRows);
  const rank = new Map(names.map((n, i) => [n, i]));
  for (let i = 1; i < rows.length; i++) {
    if (num(rows[i - 1][1]) === num(rows[i][1])) assert.ok(rank.get(rows[i - 1][0]) < rank.get(rows[i][0]), `tie order at ${rows[i][0]}`);
  }
  await page.close();
});

test("every sorted view of the owners agrees with actions.csv", async () => {
  const counts = new Map();
  const actions = readCsv("exports/actions.csv");
  assert.equal(actions.length, live.reduce((n, i) => n + i.action_items, 0), "actions.csv has every action item of incidents.json");
  assert.equal(actions.filter((a) => a.state === "done").length, live.reduce((n, i) => n + i.action_items_done, 0));
  for (const a of actions) {
    const name = shown(unquote(a.owner)) || "(no owner)";
    const c = counts.get(name) || { overdue: 0, open: 0, done: 0 };
    c[a.state]++;
    counts.set(name, c);
  }
  const page = await browser.newPage();
  const views = [
    ["owners/index.html", null],
    ["owners/by-overdue.html", 1],
    ["owners/by-open.html", 2],
    ["owners/by-done.html", 3],
    ["owners/by-total.html", 4],
  ];
  for (const [view, column] of views) {
    const { rows } = await walk(page, view, pageRows);
    assert.equal(rows.length, counts.size, `${view}: every owner`);
    for (const r of rows) {
      const want = counts.get(r[0]);
      assert.ok(want, `${view}: ${r[0]} owns items in actions.csv`);
      assert.deepEqual([num(r[1]), num(r[2]), num(r[3]), num(r[4])], [want.overdue, want.open, want.done, want.overdue + want.open + want.done], `${view}: ${r[0]}`);
    }
    if (column !== null) assertOrdered(rows.map((r) => num(r[column])), true, view);
  }
  await page.close();
});

test("the exports agree with incidents.json and the pages", async () => {
  const incidents = readCsv("exports/incidents.csv");
  assert.deepEqual(incidents.map((r) => r.id), json.incidents.map((i) => i.id), "one row per record, by id");
  for (const [r, i] of incidents.map((r, k) => [r, json.incidents[k]])) {
    assert.equal(Number(r.action_items), i.action_items, r.id);
    assert.equal(r.purged, String(i.purged), r.id);
  }
  const page = await browser.newPage();
  await page.goto(`${base}/customers/index.html`);
  const lede = await page.textContent(".lede");
  const total = readCsv("exports/customers.csv").length;
  assert.ok(lede.includes(`(${total.toLocaleString("en-US")})`), `the index counts ${total}: ${lede}`);
  for (const link of ["exports/customers.csv", "exports/customer-impact.csv"]) {
    assert.equal(await page.locator(`a[href$="${link}"]`).count(), 1, `the customers index links ${link}`);
  }
  await page.goto(`${base}/incidents/index.html`);
  assert.equal(await page.locator('a[href$="exports/incidents.csv"]').count(), 1);
  // A customer's own CSV has as many rows as its page lists incidents, across its pages.
  const big = readCsv("exports/customers.csv").sort((a, b) => b.incidents - a.incidents)[0];
  await page.goto(`${base}/${big.url}`);
  const csvHref = await page.getAttribute('a[href$=".csv"]', "href");
  const own = readCsv(path.join("customers", path.basename(csvHref)));
  let rows = 0;
  let url = `${base}/${big.url}`;
  while (url) {
    await page.goto(url);
    rows += await page.locator("#customer-incidents tbody tr").count();
    url = await page.evaluate(() => document.querySelector('.pager a[rel="next"]')?.href || null);
  }
  assert.equal(own.length, rows, `${big.customer}: CSV rows equal the rows of its pages`);
  assert.ok(rows > 200, "the largest customer spans several pages");
  await page.close();
});

test("the retention categories are paged and add up to the counts", async () => {
  const page = await browser.newPage();
  await page.goto(`${base}/retention.html`);
  const cards = await page.$$eval(".cards .card .n", (ns) => ns.map((n) => Number(n.textContent.replace(/,/g, ""))));
  const categories = ["expired", "expiring", "held", "purged"];
  for (const [k, cat] of categories.entries()) {
    let url = `${base}/retention/${cat}.html`;
    let rows = 0;
    while (url) {
      await page.goto(url);
      const n = await page.locator("#retention-rows tbody tr:not(:has(.empty))").count();
      assert.ok(n <= 200, `${url}: at most 200 rows`);
      rows += n;
      url = await page.evaluate(() => document.querySelector('.pager a[rel="next"]')?.href || null);
    }
    assert.equal(rows, cards[k], `${cat}: the pages hold the ${cards[k]} the card counts`);
  }
  await page.close();
});

test("no list page is heavy, and none grows with the archive", () => {
  // Lists are paged at a fixed number of rows, so a page's size depends on its rows' text, not
  // on the archive's size: the heaviest list page here bounds the heaviest at 100,000 records.
  const heavy = [];
  let max = 0;
  const walkDir = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walkDir(p);
      else if (p.endsWith(".html")) {
        const rel = path.relative(siteDir, p);
        const list = /^(customers|owners|retention)\//.test(rel) || /^incidents\/(\d{4}|undated)(\.p\d+)?\.html$/.test(rel);
        if (!list) continue;
        const size = fs.statSync(p).size;
        max = Math.max(max, size);
        if (size > 200 * 1024) heavy.push(`${rel} ${size}`);
      }
    }
  };
  walkDir(siteDir);
  assert.deepEqual(heavy, [], "list pages over 200 KB");
  // Headroom for longer rows: 200 rows of the largest page leave a quarter of the budget.
  assert.ok(max < 150 * 1024, `the heaviest list page is ${max} bytes`);
});
