// Incidents whose pages cannot be `incidents/<id>.html` (ids that differ only in case, ids named
// like the incident lists' pages, names Windows reserves for devices): in headless Chromium,
// from file:// and over HTTP, the search result for each such id links to that incident's own
// page. The site is small and built here, apart from the shared fixture.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, repo, serve } from "./helpers.mjs";

/** The awkward ids, and two plain ones whose pages keep their names. */
const IDS = ["INC-1", "inc-1", "index", "2025", "undated", "2025.p2", "Index.p3", "CON", "nul.txt", "Com1", "lpt9.log", "INC-2", "x.con"];

const binary = path.join(repo, "target/debug/incident-archive");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ia-page-names-"));
const siteDir = path.join(dir, "public");
let server;
let browser;
let profile;

/** A sample record with its id replaced by `id` and the title `Page names: <id>`. */
function record(id) {
  const text = fs.readFileSync(path.join(repo, "records/INC-2024-0031.md"), "utf8");
  return text.replace(/^\*\*Title\*\*:.*$/m, `**Title**: Page names: ${id}  `).replaceAll("INC-2024-0031", id);
}

before(async () => {
  fs.mkdirSync(path.join(dir, "records"));
  // File names of their own: `CON.md`, or two names that differ in case, are trouble elsewhere.
  IDS.forEach((id, n) => fs.writeFileSync(path.join(dir, "records", `record-${n}.md`), record(id)));
  const r = spawnSync(binary, ["-q", "build", "--as-of", "2026-06-01"], { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  assert.equal(r.status, 0, `incident-archive build: ${r.stdout}${r.stderr}`);
  server = await serve(siteDir);
  ({ browser, profile } = await chromium());
});

after(async () => {
  await browser?.close();
  server?.close();
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
  fs.rmSync(dir, { recursive: true, force: true });
});

for (const kind of ["file", "http"]) {
  test(`each id's search result opens its own page (${kind})`, async () => {
    const base = kind === "file" ? pathToFileURL(siteDir).href : `http://127.0.0.1:${server.address().port}`;
    const page = await browser.newPage();
    const problems = [];
    page.on("pageerror", (e) => problems.push(e.message));
    page.on("response", (r) => r.status() >= 400 && problems.push(`${r.status()} ${r.url()}`));
    page.on("requestfailed", (r) => r.failure()?.errorText !== "net::ERR_ABORTED" && problems.push(`${r.url()} ${r.failure()?.errorText}`));
    const hrefs = new Set();
    for (const id of IDS) {
      await page.goto(`${base}/search.html?${new URLSearchParams({ q: `id:"${id}"` })}`);
      await page.waitForFunction(() => document.body.dataset.searchState === "done", null, { timeout: 20000 });
      const hits = await page.$$eval("#results li.hit", (lis) => lis.map((li) => li.dataset.id));
      assert.ok(hits.includes(id), `id:"${id}" finds ${id}: ${hits}`);
      const link = page.locator(`#results li.hit[data-id="${id}"] h3 a`);
      hrefs.add((await link.getAttribute("href")).toLowerCase());
      const [response] = await Promise.all([page.waitForNavigation({ waitUntil: "load" }), link.click()]);
      if (kind === "http") assert.equal(response?.status(), 200, page.url());
      assert.equal(await page.$eval(".crumbs .id", (e) => e.textContent), id, `${page.url()} is the page of ${id}`);
      assert.equal(await page.$eval("h1", (e) => e.textContent), `Page names: ${id}`, page.url());
    }
    assert.equal(hrefs.size, IDS.length, "a page of its own for each id, ignoring case");
    assert.deepEqual(problems, []);
    await page.close();
  });
}
