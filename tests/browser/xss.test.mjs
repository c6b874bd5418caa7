// The XSS corpus in Chromium: 50 payloads (tests/fixtures/hostile/xss/payloads.txt) in each of
// the 35 fields of a generated record (record.md.in), built by the real binary; every page of
// the site is opened (file://, the search page over HTTP too) and no payload runs: no script
// sets `window.__pwned`, no dialog opens, the Content-Security-Policy never has to block
// anything, and the DOM Chromium builds holds no record element that could run or load.
// tests/cli/hostile.rs generates the same records and checks the HTML with a parser.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, repo, serve } from "./helpers.mjs";

const binary = path.join(repo, "target/debug/incident-archive");
const corpusDir = path.join(repo, "tests/fixtures/hostile/xss");

/** `$N` of payload `p` (0-based) in slot `slot` (1-based): which payload in which field ran. */
const marker = (p, slot) => 900000 + p * 100 + slot;

/** The generated records, as tests/cli/hostile.rs makes them: one per payload (`XSSG-01`…),
 *  the payload in every slot of record.md.in, written as the slot's syntax needs. */
function xssRecords() {
  const payloads = fs.readFileSync(path.join(corpusDir, "payloads.txt"), "utf8").split("\n").filter(Boolean);
  const template = fs.readFileSync(path.join(corpusDir, "record.md.in"), "utf8");
  assert.equal(payloads.length, 50, "payloads.txt has 50 payloads");
  return payloads.map((payload, p) => {
    const id = `XSSG-${String(p + 1).padStart(2, "0")}`;
    let slot = 0;
    const text = template.replace(/\{\{(ID|P(?::\w+)?)\}\}/g, (_, tag) => {
      if (tag === "ID") return id;
      slot++;
      const v = payload.replaceAll("$N", String(marker(p, slot)));
      if (tag === "P") return v;
      if (tag === "P:yaml" || tag === "P:title") return v.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\t", "\\t");
      if (tag === "P:cell") return v.replaceAll("|", "\\|");
      throw new Error(`record.md.in: unknown slot ${tag}`);
    });
    assert.equal(slot, 35, "record.md.in has 35 slots");
    return { id, text };
  });
}

let dir;
let siteDir;
let server;
let browser;
let profile;

before(async () => {
  if (!fs.existsSync(binary)) throw new Error(`${binary} is missing: run \`cargo build\` first`);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ia-xss-"));
  fs.mkdirSync(path.join(dir, "records"));
  for (const { id, text } of xssRecords()) fs.writeFileSync(path.join(dir, "records", id + ".md"), text);
  const r = spawnSync(binary, ["--archive", "archive", "build", "records", "--as-of", "2026-01-31", "--json"], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  const report = JSON.parse(r.stdout);
  assert.equal(report.ingest.new, 50, r.stderr);
  assert.deepEqual(report.ingest.rejected, [], r.stderr);
  siteDir = path.join(dir, "public");
  server = await serve(siteDir);
  ({ browser, profile } = await chromium());
});

after(async () => {
  await browser?.close();
  server?.close();
  for (const d of [profile, dir]) if (d) fs.rmSync(d, { recursive: true, force: true });
});

/** A page that counts what would show a payload ran or was stopped only by the policy. */
async function watchedPage() {
  const page = await browser.newPage();
  const problems = [];
  const at = () => page.url();
  page.on("dialog", (d) => {
    problems.push(`dialog on ${at()}: ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  page.on("pageerror", (e) => problems.push(`exception on ${at()}: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && problems.push(`console error on ${at()}: ${m.text()}`));
  await page.exposeFunction("__cspViolation", (v) => problems.push(`CSP violation on ${at()}: ${v}`));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => window.__cspViolation(`${e.violatedDirective} ${e.blockedURI || "inline"}`));
  });
  return { page, problems };
}

/** What on the open page could run or load record content: scripts other than the site's,
 *  embedded content, event handler and style attributes, active URLs, SVG other than charts. */
function activeContent(page) {
  return page.evaluate(() => {
    const bad = [];
    const show = (e) => e.outerHTML.slice(0, 140);
    for (const e of document.querySelectorAll("*")) {
      const name = e.localName;
      if (name === "script") {
        if (!/^(\.\.\/)*(assets\/(site|search|search-key|actions)\.js|tracker\/[\w-]+\.js)$/.test(e.getAttribute("src") || "") || e.textContent.trim()) bad.push(show(e));
      }
      if (["iframe", "object", "embed", "base", "img", "style", "math", "video", "audio", "source", "frame", "textarea"].includes(name)) bad.push(show(e));
      if ((name === "link" || name === "meta") && !e.closest("head")) bad.push(show(e));
      if (name === "svg" && !(e.classList.contains("chart") && !e.parentElement.closest("svg"))) bad.push(show(e));
      if (name === "form" && !/^(\.\.\/)*search\.html$/.test(e.getAttribute("action") || "")) bad.push(show(e));
      for (const a of e.attributes) {
        if (a.name.startsWith("on") || a.name === "style" || a.name === "srcdoc") bad.push(show(e));
        if (["href", "src", "action", "formaction", "xlink:href", "data"].includes(a.name)) {
          if (/^(javascript|data|vbscript):/.test(a.value.replace(/[\s\u0000-\u001f]/g, "").toLowerCase())) bad.push(show(e));
        }
      }
    }
    return bad;
  });
}

function htmlFiles(root, rel = "") {
  return fs.readdirSync(path.join(root, rel), { withFileTypes: true }).flatMap((e) => {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) return htmlFiles(root, p);
    return p.endsWith(".html") ? [p] : [];
  });
}

test("50 payloads in 35 fields run no script on any page", async () => {
  const { page, problems } = await watchedPage();
  const files = htmlFiles(siteDir).sort();
  assert.ok(files.length > 120, `${files.length} pages`);
  const markers = new Set();
  for (const file of files) {
    await page.goto(pathToFileURL(path.join(siteDir, file)).href, { waitUntil: "load" });
    // Focus moves, as a user's would, to every element that takes it (autofocus payloads).
    await page.evaluate(() => {
      for (const e of document.querySelectorAll("a, button, input, select, summary, details, [tabindex]")) e.focus?.();
      return new Promise((r) => setTimeout(r, 0));
    });
    assert.equal(await page.evaluate(() => window.__pwned), undefined, `${file} ran record script`);
    assert.deepEqual(await activeContent(page), [], file);
    for (const m of (await page.content()).matchAll(/\b90\d{4}\b/g)) markers.add(m[0]);
  }
  assert.deepEqual(problems, []);
  // The payloads reached the pages, as text.
  for (let p = 0; p < 50; p++) assert.ok(markers.has(String(marker(p, 1))), `payload ${p + 1}'s title is on a page`);
  console.log(`# ${files.length} pages opened; ${markers.size} of the 1,750 payload placements shown as text; 0 ran`);
  await page.close();
});

test("the search shows all 50 hostile results and their filter values as text", async () => {
  const { page, problems } = await watchedPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/search.html?q=xssgen`);
  await page.waitForFunction(() => document.body.dataset.searchState === "done", null, { timeout: 20000 });
  for (let i = 0; i < 4; i++) {
    const before = await page.$$eval("#results li.hit", (l) => l.length);
    await page.click("#more-results");
    await page.waitForFunction((n) => document.querySelectorAll("#results li.hit").length > n, before);
  }
  await page.waitForFunction(() => document.body.dataset.searchState === "done");
  const titles = await page.$$eval("#results .hit-title", (l) => l.map((e) => e.textContent));
  assert.equal(titles.length, 50);
  assert.ok(titles.includes(`<script>window.__pwned=${marker(0, 1)}</script> generated hostile`), titles.join(" | "));
  // The customer filter's suggestions (loaded on focus) are the payloads, as option values.
  await page.focus("#customer");
  await page.waitForFunction(() => document.querySelectorAll("#customer-values option").length > 10);
  await page.evaluate(() => new Promise((r) => setTimeout(r, 0)));
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.deepEqual(await activeContent(page), []);
  assert.deepEqual(problems, []);
  await page.close();
});
