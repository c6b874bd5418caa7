// The action-item tracker of actions.html (assets/actions.js) in headless Chromium on the
// 5,000-record fixture: every filter and sort gives the counts and the order computed here from
// incidents.json (the site's export of every record and its action items); a view's URL opened
// in a new page shows the same view, and back/forward restore views; an anchor to an item deep
// in the list shows it; the default view loads little and only the files it needs.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { AS_OF, chromium, serve, site } from "./helpers.mjs";

const { site: siteDir } = site();
const base = pathToFileURL(siteDir).href;
const PAGE = 50;
let browser;
let profile;
let server;

before(async () => {
  server = await serve(siteDir);
  ({ browser, profile } = await chromium());
});

after(async () => {
  await browser?.close();
  server?.close();
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
});

// ----- what the tracker should show, from incidents.json -----

const DAY = 86400000;
const today = Date.parse(AS_OF) / DAY;
const json = JSON.parse(fs.readFileSync(path.join(siteDir, "incidents.json"), "utf8"));

/** The team of an owner, as the README defines it: the text in the last parentheses of
 *  `Name (Team)`, else the owner. */
function team(owner) {
  const m = owner.match(/^(.*\S)\s*\(([^()]*)\)$/);
  return m && m[2].trim() ? m[2].trim() : owner;
}

const ITEMS = json.incidents.flatMap((inc) =>
  (inc.items || []).map((it, pos) => {
    const due = it.due ? Date.parse(it.due) / DAY : null;
    const state = it.done ? "done" : due !== null && due < today ? "overdue" : "open";
    return {
      inc: inc.id,
      pos,
      id: it.id,
      anchor: `${inc.id}/${it.id || pos + 1}`,
      owner: it.owner,
      team: team(it.owner),
      due,
      status: it.status,
      state,
      days: state === "overdue" ? today - due : null,
      severity: inc.severity || "",
      customers: inc.customers.map((c) => c.trim()),
      text: [it.action, it.id, inc.id, inc.title, it.owner, it.status].join(" ").toLowerCase(),
    };
  }),
);

const STATES = { overdue: ["overdue"], open: ["open"], notdone: ["overdue", "open"], done: ["done"], all: ["overdue", "open", "done"] };

function natural(a, b) {
  if (a.due !== b.due) return a.due === null ? 1 : b.due === null ? -1 : a.due - b.due;
  if (a.inc !== b.inc) return a.inc < b.inc ? -1 : 1;
  return a.pos - b.pos;
}

/** The items of a view, in its order (nulls last whatever the direction; ties by due date,
 *  incident and position). */
function expected(view) {
  const v = { s: "overdue", sort: "due", ...view };
  const words = (v.q || "").toLowerCase().split(/\s+/).filter(Boolean);
  const rows = ITEMS.filter(
    (it) =>
      STATES[v.s].includes(it.state) &&
      (!v.o || it.owner === v.o) &&
      (!v.t || it.team === v.t) &&
      (!v.st || it.status === v.st) &&
      (!v.sev || it.severity === v.sev) &&
      (!v.c || it.customers.includes(v.c)) &&
      (!v.from || (it.due !== null && it.due >= Date.parse(v.from) / DAY)) &&
      (!v.to || (it.due !== null && it.due <= Date.parse(v.to) / DAY)) &&
      words.every((w) => it.text.includes(w)),
  );
  const desc = v.sort.startsWith("-");
  const key = v.sort.replace(/^-/, "");
  const value = { due: (it) => it.due, days: (it) => it.days, owner: (it) => it.owner || null, incident: (it) => it.inc, severity: (it) => it.severity || null }[key];
  return rows.sort((a, b) => {
    const x = value(a);
    const y = value(b);
    if (x !== y) {
      if (x === null) return 1;
      if (y === null) return -1;
      return (x < y ? -1 : 1) * (desc ? -1 : 1);
    }
    return natural(a, b);
  });
}

/** The most frequent value of `key` among the items that `filter` keeps. */
function frequent(key, filter = () => true) {
  const counts = new Map();
  for (const it of ITEMS.filter(filter)) counts.set(it[key], (counts.get(it[key]) || 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0][0];
}

// ----- what the tracker shows -----

async function settled(page) {
  await page.waitForFunction(() => {
    const t = document.getElementById("tracker");
    return t && !t.hidden && !t.hasAttribute("aria-busy") && !/Loading/.test(document.getElementById("tr-count").textContent);
  }, null, { timeout: 30000 });
}

/** Opens `actions.html#hash` in `page` and reads the view. */
async function open(page, hash, origin = base) {
  await page.goto("about:blank");
  await page.goto(`${origin}/actions.html${hash ? "#" + hash : ""}`);
  await settled(page);
  return shown(page);
}

function shown(page) {
  return page.evaluate(() => {
    const count = document.getElementById("tr-count").textContent;
    const m = count.match(/^([\d,]+) items?/);
    return {
      count: m ? Number(m[1].replace(/,/g, "")) : 0,
      text: count,
      rows: Array.from(document.querySelectorAll("#tr-table tbody tr[data-anchor]"), (tr) => tr.dataset.anchor),
      targets: Array.from(document.querySelectorAll("#tr-table tbody tr.target"), (tr) => tr.dataset.anchor),
      page: document.getElementById("tr-page").textContent,
      sort: Array.from(document.querySelectorAll("#tr-table th[aria-sort]"), (th) => [th.dataset.sort, th.getAttribute("aria-sort")]).filter((s) => s[1] !== "none"),
      hash: location.hash,
    };
  });
}

function hashOf(view) {
  return Object.entries(view)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join("&");
}

const topOwner = frequent("owner", (it) => it.state !== "done");
const topTeam = frequent("team");
const customer = "GlobalBank Corp";
const VIEWS = [
  {},
  { s: "open" },
  { s: "done", p: "7" },
  { s: "all", sort: "-days" },
  { s: "notdone", o: topOwner, sort: "owner" },
  { s: "all", t: topTeam, sort: "-due" },
  { s: "all", st: "Blocked" },
  { s: "all", sev: "P1", sort: "incident", p: "2" },
  { s: "notdone", c: customer, sort: "severity" },
  { s: "all", from: "2025-01-01", to: "2025-03-31", sort: "-severity" },
  { s: "all", q: "runbook" },
  { s: "done", o: topOwner, q: "alert", sort: "-incident" },
  { s: "overdue", sort: "-owner", p: "3" },
];

test("each filter and sort gives the counts and order of incidents.json", async () => {
  assert.ok(ITEMS.length > 20000, `${ITEMS.length} items`);
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  for (const view of VIEWS) {
    const want = expected(view);
    const pages = Math.ceil(want.length / PAGE);
    // The page the view names, and its last page (where the items without a value sort).
    for (const p of new Set([Number(view.p || 1), pages])) {
      const v = p === 1 && !view.p ? view : { ...view, p: String(p) };
      const got = await open(page, hashOf(v));
      const label = JSON.stringify(v);
      assert.ok(want.length > 0, `${label} keeps some items`);
      assert.equal(got.count, want.length, `${label}: ${got.text}`);
      assert.deepEqual(got.rows, want.slice((p - 1) * PAGE, p * PAGE).map((it) => it.anchor), label);
      assert.equal(got.page, `Page ${p.toLocaleString("en-US")} of ${pages.toLocaleString("en-US")}`, label);
      const sort = view.sort || "due";
      assert.deepEqual(got.sort, [[sort.replace(/^-/, ""), sort.startsWith("-") ? "descending" : "ascending"]], label);
    }
  }
  // A filter that names nothing says so.
  const none = await open(page, "o=Nobody%20At%20All");
  assert.match(none.text, /No owner is named/);
  assert.deepEqual(none.rows, []);
  assert.deepEqual(errors, []);
  await page.close();
});

test("the form and the headers change the URL; it restores the view in a new page and on back/forward", async () => {
  const page = await browser.newPage();
  await open(page, "");
  await page.selectOption("#tr-form select[name=s]", "all");
  await settled(page);
  await page.fill("#tr-form input[name=o]", topOwner);
  await page.dispatchEvent("#tr-form input[name=o]", "change");
  await settled(page);
  await page.click("#tr-table th[data-sort=days] button");
  await settled(page);
  await page.click("#tr-table th[data-sort=days] button");
  await settled(page);
  await page.click("#tr-next");
  await settled(page);
  const view = await shown(page);
  assert.equal(view.hash, `#s=all&o=${encodeURIComponent(topOwner)}&sort=days&p=2`);
  const want = expected({ s: "all", o: topOwner, sort: "days" });
  assert.equal(view.count, want.length);
  assert.deepEqual(view.rows, want.slice(PAGE, 2 * PAGE).map((it) => it.anchor));

  // The same URL in another page shows the same view.
  const other = await browser.newPage();
  await other.goto(page.url());
  await settled(other);
  const again = await shown(other);
  assert.deepEqual([again.count, again.rows, again.sort], [view.count, view.rows, view.sort]);
  assert.equal(await other.inputValue("#tr-form input[name=o]"), topOwner, "the form shows the view");
  await other.close();

  // Back: page 1 of the same view, then descending days; forward: page 2 again.
  await page.goBack();
  await settled(page);
  assert.deepEqual((await shown(page)).rows, want.slice(0, PAGE).map((it) => it.anchor));
  await page.goBack();
  await settled(page);
  const desc = await shown(page);
  assert.equal(desc.hash, `#s=all&o=${encodeURIComponent(topOwner)}&sort=-days`);
  assert.deepEqual(desc.rows, expected({ s: "all", o: topOwner, sort: "-days" }).slice(0, PAGE).map((it) => it.anchor));
  await page.goForward();
  await page.goForward();
  await settled(page);
  assert.deepEqual((await shown(page)).rows, view.rows);

  // Typing filters as you type; clearing the filters is the default view.
  await page.fill("#tr-form input[name=q]", "runbook");
  await page.waitForFunction(() => /q=runbook/.test(location.hash));
  await settled(page);
  assert.equal((await shown(page)).count, expected({ s: "all", o: topOwner, sort: "days", q: "runbook" }).length);
  await page.click("#tr-reset");
  await settled(page);
  const cleared = await shown(page);
  assert.equal(cleared.hash, "");
  assert.equal(cleared.count, expected({}).length);
  await page.close();
});

test("an anchor to an item deep in the list shows it, highlighted; a bare id shows every item with it", async () => {
  const page = await browser.newPage();
  const done = expected({ s: "done" });
  const deep = done[Math.floor(done.length * 0.7)];
  assert.ok(done.indexOf(deep) > 10 * PAGE, "not on the static list's first pages");
  const got = await open(page, deep.anchor);
  assert.deepEqual(got.targets, [deep.anchor]);
  const visible = await page.evaluate(() => {
    const r = document.querySelector("#tr-table tr.target").getBoundingClientRect();
    return r.top >= 0 && r.bottom <= window.innerHeight;
  });
  assert.ok(visible, "scrolled into view");
  // A bare id: every item with that id (the hostile and generated records may repeat one).
  const counts = new Map();
  for (const it of ITEMS) counts.set(it.id, (counts.get(it.id) || 0) + 1);
  const [repeated] = [...counts].filter(([id, n]) => id && n > 1).sort((a, b) => b[1] - a[1])[0] || [deep.id];
  const bare = await open(page, encodeURIComponent(repeated));
  const want = ITEMS.filter((it) => it.id === repeated).sort(natural).map((it) => it.anchor);
  assert.deepEqual(bare.targets, want.slice(0, PAGE));
  assert.equal(bare.count, want.length);
  // A link to an element of the page (the skip link) is not an item's anchor.
  await open(page, hashOf({ s: "done" }));
  await page.evaluate(() => document.querySelector("a.skip").click());
  await page.waitForFunction(() => location.hash === "#main");
  await settled(page);
  assert.equal((await shown(page)).count, expected({ s: "done" }).length, "the view stays");
  // Unknown anchors say so.
  const none = await open(page, "INC-0000-0000/AI-NONE");
  assert.match(none.text, /No item has the anchor/);
  await page.close();
});

test("the default view loads the tracker's index and one chunk; an owner's view only that owner's files", async () => {
  const page = await browser.newPage();
  const origin = `http://127.0.0.1:${server.address().port}`;
  let loaded = [];
  let everything = [];
  page.on("request", (r) => {
    const url = new URL(r.url());
    if (url.protocol !== "http:") return;
    everything.push(decodeURIComponent(url.pathname));
    if (url.pathname.startsWith("/tracker/") || url.pathname === "/assets/actions.js") loaded.push(decodeURIComponent(url.pathname));
  });
  const size = (files) => files.reduce((n, f) => n + (fs.statSync(path.join(siteDir, f), { throwIfNoEntry: false })?.size || 0), 0);
  const first = await open(page, "", origin);
  assert.equal(first.count, expected({}).length);
  assert.deepEqual(loaded, ["/assets/actions.js", "/tracker/meta.js", "/tracker/t0.js", "/tracker/s0-0.js"]);
  const bytes = size(loaded);
  const all = fs.readdirSync(path.join(siteDir, "tracker")).map((f) => "/tracker/" + f);
  const total = size(everything);
  console.log(`# default view: ${total} bytes in all, ${bytes} of them the tracker's script and data (of ${size(all)} bytes in ${all.length} data files); the page ${size(["/actions.html"])} bytes`);
  assert.ok(bytes < 100 * 1024, `${bytes} bytes`);
  assert.ok(total < 150 * 1024, `${total} bytes in all (page, styles, scripts, data)`);

  loaded = [];
  const owner = await open(page, hashOf({ s: "notdone", o: topOwner }), origin);
  assert.equal(owner.count, expected({ s: "notdone", o: topOwner }).length);
  const data = loaded.filter((f) => f.startsWith("/tracker/") && !/^\/tracker\/(meta|t\d)\.js$/.test(f));
  assert.ok(data.length > 0 && data.every((f) => /^\/tracker\/o\d+-[01]-\d+\.js$/.test(f)), data.join(" "));
  assert.ok(new Set(data.map((f) => f.match(/o(\d+)-/)[1])).size === 1, "one owner's files");
  await page.close();
});

test("on a 390 px screen the first columns fit, targets are 24 px, and a cue says the table scrolls", async () => {
  const page = await browser.newPage();
  await page.setViewportSize({ width: 390, height: 800 });
  await open(page, "");
  const layout = await page.evaluate(() => {
    const wrap = document.querySelector("#tracker .table-wrap");
    const cells = Array.from(document.querySelector("#tr-table tbody tr").cells);
    const right = (i) => cells[i].getBoundingClientRect().right;
    const small = Array.from(document.querySelectorAll("#tracker button, #tracker input, #tracker select"))
      .filter((e) => e.checkVisibility())
      .map((e) => [e.name || e.id || e.textContent, e.getBoundingClientRect().height])
      .filter(([, h]) => h < 24);
    const cue = document.querySelector("#tracker .scroll-cue");
    return { scrolls: wrap.scrollWidth > wrap.clientWidth, due: right(0), days: right(1), width: innerWidth, small, cue: cue.checkVisibility() };
  });
  assert.ok(layout.due <= layout.width && layout.days <= layout.width, JSON.stringify(layout));
  assert.deepEqual(layout.small, []);
  if (layout.scrolls) assert.ok(layout.cue, "a visible cue when the table scrolls");
  await page.close();
});
