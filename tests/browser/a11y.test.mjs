// Accessibility and phones, in Chromium, on every kind of page of the shared 5,000-record
// fixture (and a small site whose record has two versions, for the diff between them):
// - axe-core finds no serious or critical violation, in the light and the dark colour scheme;
// - at 390×844 (a phone) every visible link, button, select, input and summary of the main
//   content and the navigation is at least 24×24 px or has 24 px of room around it (WCAG 2.5.8;
//   links inside a sentence are exempt, as the criterion says), no page scrolls sideways as a
//   whole, and a table wider than the screen is marked with a visible cue.
// Pages are opened from file://, as the site is meant to be read. axe-core is injected with
// `addScriptTag`, which the pages' Content-Security-Policy forbids: its context bypasses the
// policy, for the axe runs only.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { HOSTILE, repo, site, launch } from "./helpers.mjs";

const require = createRequire(import.meta.url);
const axePath = require.resolve("axe-core/axe.min.js");
const binary = path.join(repo, "target/debug/incident-archive");

let browser;
let fixtureSite;
let smallSite;
let tmp;
/** Page type → file path under its site. */
let pages;

/** Ids of the incidents in `incidents.json`, with what the choice of pages needs. */
function incidents(siteDir) {
  return JSON.parse(fs.readFileSync(path.join(siteDir, "incidents.json"), "utf8")).incidents;
}

/** The incident page of the fixture with the most kinds of section (typed panels). */
function richestIncident(siteDir) {
  let best = null;
  let bestKinds = -1;
  for (const inc of incidents(siteDir).slice(0, 400)) {
    if (!inc.path || HOSTILE.includes(inc.id)) continue;
    const html = fs.readFileSync(path.join(siteDir, inc.path), "utf8");
    const kinds = new Set([...html.matchAll(/class="block block-(\w+)"/g)].map((m) => m[1])).size;
    if (kinds > bestKinds) [best, bestKinds] = [inc.path, kinds];
  }
  return best;
}

/** The largest page of a folder (`customers`, `owners`) other than its index and later pages:
 *  the one with most rows. */
function largest(siteDir, folder) {
  const files = fs.readdirSync(path.join(siteDir, folder)).filter((f) => /^(?!index)[^.]+\.html$/.test(f));
  files.sort((a, b) => fs.statSync(path.join(siteDir, folder, b)).size - fs.statSync(path.join(siteDir, folder, a)).size);
  return `${folder}/${files[0]}`;
}

/** The first link of `file` (under `siteDir`) to a site path matching `re`. */
function firstLink(siteDir, file, re) {
  const html = fs.readFileSync(path.join(siteDir, file), "utf8");
  for (const m of html.matchAll(/href="([^"]+)"/g)) {
    const href = m[1].replaceAll("&amp;", "&");
    if (/^[a-z]+:|^#/.test(href)) continue;
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), href));
    if (re.test(target)) return target;
  }
  throw new Error(`no link matching ${re} on ${file}`);
}

/** A small site from the repository's records whose INC-2025-0023 has a second version, so its
 *  page shows the diff between versions. */
function buildSmallSite() {
  const records = path.join(tmp, "records");
  fs.mkdirSync(records);
  for (const f of fs.readdirSync(path.join(repo, "records"))) fs.copyFileSync(path.join(repo, "records", f), path.join(records, f));
  fs.writeFileSync(path.join(tmp, "incident-archive.yaml"), "inbox: records\narchive: archive\noutput: public\n");
  const run = (now) => {
    const r = spawnSync(binary, ["--config", "incident-archive.yaml", "build", "--as-of", "2026-01-31", "-q"], {
      cwd: tmp,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1", INCIDENT_ARCHIVE_NOW: now },
    });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  };
  run("2026-01-30T02:00:00Z");
  const file = path.join(records, "INC-2025-0023.md");
  fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("## References", "## References\n\n- Postmortem review notes, added after the review.\n"));
  run("2026-01-31T02:00:00Z");
  return path.join(tmp, "public");
}

before(async () => {
  fixtureSite = site().site;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ia-a11y-"));
  smallSite = buildSmallSite();
  const s = fixtureSite;
  pages = [
    ["home", s, "index.html"],
    ["incidents list", s, "incidents/index.html"],
    ["year", s, firstLink(s, "incidents/index.html", /^incidents\/\d{4}\.html$/)],
    ["incident", s, incidents(s).find((i) => i.path && !HOSTILE.includes(i.id)).path],
    ["incident (hostile)", s, incidents(s).find((i) => i.id === HOSTILE[0]).path],
    ["incident (every section)", s, richestIncident(s)],
    ["incident (two versions)", smallSite, "incidents/INC-2025-0023.html"],
    ["customers", s, "customers/index.html"],
    ["customer", s, largest(s, "customers")],
    ["owners", s, "owners/index.html"],
    ["owner", s, largest(s, "owners")],
    ["actions (overdue)", s, "actions.html"],
    ["actions (open)", s, "actions-open.html"],
    ["actions (done)", s, "actions-done.html"],
    ["retention", s, "retention.html"],
    ["search", s, "search.html?q=database"],
    ["checkpoint", s, "checkpoint.html"],
    ["ledger", s, "ledger.html"],
    ["changes", s, "changes.html"],
  ];
  browser = await launch();
});

after(async () => {
  await browser?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** The page's URL: file:// with the query string kept. */
function url(dir, file) {
  const [p, q] = file.split("?");
  return pathToFileURL(path.join(dir, p)).href + (q ? "?" + q : "");
}

/** Opens `file`; for the search page, waits until its results are shown. */
async function open(page, dir, file) {
  await page.goto(url(dir, file), { waitUntil: "load" });
  if (file.startsWith("search.html?")) {
    await page.waitForFunction(() => document.querySelectorAll("#results li").length > 0, null, { timeout: 30000 });
  }
}

test("axe-core finds no serious or critical violation on any page type, light and dark", async () => {
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  const problems = [];
  try {
    for (const [name, dir, file] of pages) {
      for (const colorScheme of ["light", "dark"]) {
        await page.emulateMedia({ colorScheme });
        await open(page, dir, file);
        await page.addScriptTag({ path: axePath });
        const result = await page.evaluate(async () => {
          // eslint-disable-next-line no-undef
          const r = await axe.run(document, { resultTypes: ["violations"] });
          return r.violations.map((v) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            nodes: v.nodes.map((n) => ({ target: n.target.join(" "), summary: (n.failureSummary || "").split("\n").slice(0, 2).join(" ") })),
          }));
        });
        for (const v of result.filter((v) => v.impact === "serious" || v.impact === "critical")) {
          const nodes = v.nodes.slice(0, 4).map((n) => `      ${n.target}: ${n.summary}`).join("\n");
          const more = v.nodes.length > 4 ? `\n      … and ${v.nodes.length - 4} more` : "";
          problems.push(`${name} (${file}, ${colorScheme}): ${v.id} [${v.impact}] ${v.help}, ${v.nodes.length} element(s):\n${nodes}${more}`);
        }
      }
    }
  } finally {
    await context.close();
  }
  assert.deepEqual(problems, [], "axe-core violations:\n" + problems.join("\n"));
});

/** In the page: the targets (link, button, select, input, summary) of the main content and the
 *  navigation that are smaller than 24×24 px without 24 px of room, with what is wrong. */
function smallTargets() {
  const selector = "a[href], button, select, input:not([type=hidden]), textarea, summary";
  const all = [...document.querySelectorAll(`main :is(${selector}), nav :is(${selector}), header :is(${selector})`)];
  const visible = all.filter((el) => {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && style.visibility !== "hidden" && !el.closest("[hidden], .visually-hidden");
  });
  // WCAG 2.5.8's inline exception: a link inside a sentence, sized by the text's line height.
  const inline = (el) => {
    if (el.tagName !== "A" || getComputedStyle(el).display !== "inline") return false;
    const block = el.parentElement.closest("p, li, dd, td, th, figcaption, blockquote, span.lede");
    return block && block.textContent.trim().length > el.textContent.trim().length + 1;
  };
  const boxes = visible.map((el) => ({ el, r: el.getBoundingClientRect() }));
  const small = (b) => b.r.width < 23.5 || b.r.height < 23.5;
  const centre = (r) => [r.left + r.width / 2, r.top + r.height / 2];
  const distToRect = ([x, y], r) => Math.hypot(Math.max(r.left - x, 0, x - r.right), Math.max(r.top - y, 0, y - r.bottom));
  const describe = (el) => {
    const id = el.id ? `#${el.id}` : "";
    const cls = el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "";
    const text = (el.textContent || el.getAttribute("aria-label") || el.value || "").trim().slice(0, 30);
    const parent = el.parentElement ? el.parentElement.tagName.toLowerCase() + (el.parentElement.className ? "." + String(el.parentElement.className).split(/\s+/)[0] : "") : "";
    return `${parent} > ${el.tagName.toLowerCase()}${id}${cls} "${text}"`;
  };
  const out = [];
  for (const b of boxes) {
    if (!small(b) || inline(b.el)) continue;
    const c = centre(b.r);
    const crowded = boxes.find((o) => {
      if (o === b || o.el.contains(b.el) || b.el.contains(o.el)) return false;
      // Another undersized target's circle, or another target's box, within the 24 px circle.
      return small(o) && !inline(o.el) ? Math.hypot(c[0] - centre(o.r)[0], c[1] - centre(o.r)[1]) < 24 : distToRect(c, o.r) < 12;
    });
    if (crowded) {
      out.push(`${describe(b.el)} is ${b.r.width.toFixed(0)}×${b.r.height.toFixed(0)} px, too close to ${describe(crowded.el)}`);
    }
    if (out.length >= 8) break;
  }
  return out;
}

test("on a 390 px phone: 24 px targets, no sideways page scroll, a cue on wide tables", async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, hasTouch: true, isMobile: true });
  const page = await context.newPage();
  const problems = [];
  let cued = 0;
  try {
    for (const [name, dir, file] of pages) {
      await open(page, dir, file);
      for (const s of await page.evaluate(smallTargets)) problems.push(`${name} (${file}): ${s}`);
      const { page: pageWidth, viewport } = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, viewport: window.innerWidth }));
      if (pageWidth > viewport + 1) problems.push(`${name} (${file}): the page scrolls sideways (${pageWidth} px wide at ${viewport} px)`);
      const tables = await page.evaluate(() =>
        [...document.querySelectorAll(".table-wrap")]
          .filter((w) => w.getBoundingClientRect().height > 0 && w.scrollWidth > w.clientWidth + 1)
          .map((w) => ({ marked: w.classList.contains("scrolls"), shadow: getComputedStyle(w).boxShadow, focusable: w.tabIndex >= 0 })),
      );
      for (const t of tables) {
        if (!t.marked || t.shadow === "none" || !t.focusable) {
          problems.push(`${name} (${file}): a table scrolls sideways without its cue (${JSON.stringify(t)})`);
        } else {
          cued++;
        }
      }
    }
  } finally {
    await context.close();
  }
  assert.deepEqual(problems, [], "on a phone:\n" + problems.join("\n"));
  assert.ok(cued > 0, "no page had a table wider than the phone: the cue went untested");
});
