// Reading a long postmortem, in Chromium: the "on this page" contents reach every heading it
// lists (open beside the text on a wide screen, collapsed on a phone), heading anchors are
// named after the headings and stay the same from one build to the next, the copy button puts
// a hash on the clipboard (or selects it where there is no clipboard), and the previous/next
// links chain every incident in the lists' order (start time, newest first, then id).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { repo, serve, site, launch } from "./helpers.mjs";

const binary = path.join(repo, "target/debug/incident-archive");

let browser;
let siteDir;
let server;
let tmp;

/** The listed incidents in the lists' order: start time newest first (none last), then id. */
function listed() {
  const all = JSON.parse(fs.readFileSync(path.join(siteDir, "incidents.json"), "utf8")).incidents;
  return all
    .filter((i) => !i.purged && i.title !== null)
    .sort((a, b) => {
      if (a.started_at !== b.started_at) {
        if (a.started_at === null) return 1;
        if (b.started_at === null) return -1;
        return a.started_at < b.started_at ? 1 : -1;
      }
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    });
}

/** The incident page of the fixture with the most sections in its contents. */
function longest() {
  let best = null;
  let most = -1;
  for (const inc of listed().slice(0, 300)) {
    const html = fs.readFileSync(path.join(siteDir, inc.path), "utf8");
    const n = (html.match(/<a class="anchor"/g) || []).length;
    if (n > most) [best, most] = [inc, n];
  }
  return best;
}

before(async () => {
  siteDir = site().site;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ia-reading-"));
  server = await serve(siteDir);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test("the contents link to every heading it lists, beside the text and on a phone", async () => {
  const inc = longest();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  try {
    await page.goto(pathToFileURL(path.join(siteDir, inc.path)).href);
    const nav = page.locator('nav[aria-label="On this page"]');
    assert.equal(await nav.count(), 1);
    assert.equal(await nav.locator("details").evaluate((d) => d.open), true, "open on a wide screen");
    assert.equal(await nav.evaluate((n) => getComputedStyle(n).position), "sticky", "beside the text, sticky");
    const links = await nav.locator("a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    assert.ok(links.length >= 8, `${inc.path}: ${links}`);
    for (const href of links) {
      await nav.locator(`a[href="${href}"]`).click();
      const at = await page.evaluate((href) => {
        const h = document.getElementById(decodeURIComponent(href.slice(1)));
        if (!h) return null;
        const r = h.getBoundingClientRect();
        return { hash: location.hash, tag: h.tagName, top: r.top, anchor: !!h.querySelector(`a.anchor[href="${href}"]`) };
      }, href);
      assert.ok(at, `${inc.path}: ${href} names no element`);
      assert.equal(decodeURIComponent(at.hash), decodeURIComponent(href));
      assert.match(at.tag, /^H[2-6]$/, `${href} is a heading`);
      assert.ok(at.anchor, `${href}: the heading has its # link`);
      assert.ok(at.top >= -1 && at.top < 800, `${href}: the heading is scrolled into view (top ${at.top})`);
    }
    // On a phone the contents are at the top of the page, collapsed.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    assert.equal(await nav.locator("details").evaluate((d) => d.open), false, "collapsed on a phone");
    const order = await page.evaluate(() => {
      const toc = document.querySelector("nav.toc").getBoundingClientRect();
      const first = document.querySelector(".page-body").getBoundingClientRect();
      return toc.bottom <= first.top + 1;
    });
    assert.ok(order, "the contents come before the text on a phone");
  } finally {
    await context.close();
  }
});

/** Builds a site from the repository's records into `name`, ingested at `now`. */
function smallSite(name, now) {
  const dir = path.join(tmp, name);
  fs.mkdirSync(path.join(dir, "records"), { recursive: true });
  for (const f of fs.readdirSync(path.join(repo, "records"))) fs.copyFileSync(path.join(repo, "records", f), path.join(dir, "records", f));
  fs.writeFileSync(path.join(dir, "incident-archive.yaml"), "inbox: records\narchive: archive\noutput: public\n");
  const r = spawnSync(binary, ["--config", "incident-archive.yaml", "build", "--as-of", "2026-01-31", "-q"], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", INCIDENT_ARCHIVE_NOW: now },
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return path.join(dir, "public");
}

test("heading anchors are named after the headings and the same in two builds", async () => {
  const a = smallSite("a", "2026-01-30T02:00:00Z");
  const b = smallSite("b", "2026-03-01T09:30:00Z");
  const page = await browser.newPage();
  try {
    const anchors = async (dir, file) => {
      await page.goto(pathToFileURL(path.join(dir, "incidents", file)).href);
      return page.$$eval(":is(h2, h3, h4, h5)[id]", (hs) => hs.map((h) => h.id));
    };
    const files = fs.readdirSync(path.join(a, "incidents")).filter((f) => /^INC-.*\.html$/.test(f));
    assert.ok(files.length >= 30, `${files.length} incident pages`);
    for (const file of files) {
      const first = await anchors(a, file);
      assert.ok(first.length > 3, `${file}: ${first}`);
      assert.deepEqual(await anchors(b, file), first, `${file}: the anchors moved between builds`);
      assert.equal(new Set(first).size, first.length, `${file}: duplicate anchors ${first}`);
    }
    const reference = await anchors(a, "INC-2025-0023.html");
    for (const id of ["root-cause", "customer-specific-impact", "lessons-learned", "sign-off"]) {
      assert.ok(reference.includes(id), `INC-2025-0023: no #${id} in ${reference}`);
    }
    // A link to a section of one build opens the same section in the other.
    await page.goto(pathToFileURL(path.join(b, "incidents/INC-2025-0023.html")).href + "#root-cause");
    assert.equal(await page.evaluate(() => document.querySelector(":target")?.textContent.replace(/#$/, "").trim()), "Root Cause");
  } finally {
    await page.close();
  }
});

test("the copy button puts a hash on the clipboard, or selects it without one", async () => {
  const inc = listed()[0];
  const base = `http://127.0.0.1:${server.address().port}/`;
  const context = await browser.newContext();
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base.slice(0, -1) });
  const page = await context.newPage();
  try {
    await page.goto(base + inc.path);
    const sha = await page.getAttribute("article.incident", "data-sha256");
    const button = page.locator(".provenance dd code.hash + button.copy").first();
    assert.equal(await button.getAttribute("aria-label"), `Copy ${sha}`);
    await button.click();
    await page.waitForFunction(() => document.getElementById("copy-status")?.textContent.startsWith("Copied"));
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), sha);
    assert.equal(await button.textContent(), "Copied");
    assert.equal(await page.getAttribute("#copy-status", "aria-live"), "polite");
    // The checkpoint and the ledger have theirs too.
    for (const file of ["checkpoint.html", "ledger.html"]) {
      await page.goto(base + file);
      const n = await page.locator("code.hash + button.copy").count();
      assert.ok(n > 0, `${file}: no copy button`);
      const root = await page.locator("code.hash").first().textContent();
      await page.locator("code.hash + button.copy").first().click();
      await page.waitForFunction(() => document.getElementById("copy-status")?.textContent.startsWith("Copied"));
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), root.trim(), file);
    }
  } finally {
    await context.close();
  }
  // From file:// without a Clipboard API: the hash is selected, and the message says so.
  const bare = await browser.newContext();
  await bare.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, "clipboard", { get: () => undefined });
    document.execCommand = () => false;
  });
  const p = await bare.newPage();
  try {
    await p.goto(pathToFileURL(path.join(siteDir, inc.path)).href);
    const sha = await p.getAttribute("article.incident", "data-sha256");
    await p.locator(".provenance dd code.hash + button.copy").first().click();
    await p.waitForFunction(() => document.getElementById("copy-status")?.textContent.length > 0);
    assert.equal(await p.evaluate(() => window.getSelection().toString()), sha);
    assert.match(await p.textContent("#copy-status"), /^Selected/);
  } finally {
    await bare.close();
  }
});

test("previous and next chain every incident in the lists' order", async () => {
  const order = listed();
  assert.ok(order.length >= 5000);
  // Every page's links, read from the files.
  const rel = (html, r) => html.match(new RegExp(`<a rel="${r}" href="\\.\\./([^"]+)"`))?.[1] ?? null;
  for (let i = 0; i < order.length; i++) {
    const html = fs.readFileSync(path.join(siteDir, order[i].path), "utf8");
    assert.equal(rel(html, "prev"), order[i + 1]?.path ?? null, `${order[i].id}: previous`);
    assert.equal(rel(html, "next"), order[i - 1]?.path ?? null, `${order[i].id}: next`);
  }
  // In the browser: ten steps back in time and ten forward again, by the links.
  const page = await browser.newPage();
  try {
    const start = Math.floor(order.length / 2);
    await page.goto(pathToFileURL(path.join(siteDir, order[start].path)).href);
    for (let i = 1; i <= 10; i++) {
      await page.click('nav.prev-next a[rel="prev"]');
      await page.waitForURL((u) => u.href.endsWith("/" + order[start + i].path), { timeout: 5000 });
    }
    for (let i = 9; i >= 0; i--) {
      await page.click('nav.prev-next a[rel="next"]');
      await page.waitForURL((u) => u.href.endsWith("/" + order[start + i].path), { timeout: 5000 });
    }
    assert.equal(await page.getAttribute('nav.prev-next a[rel="next"]', "href"), "../" + order[start - 1].path);
  } finally {
    await page.close();
  }
});
