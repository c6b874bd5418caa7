// The site ships its stylesheets minified (src/site/templates.rs): Chromium must read each
// shipped file as the very rules of its source in site-templates/assets/. Both are parsed into
// constructed style sheets and their rules' serializations (the CSSOM's canonical form: every
// selector, declaration, media query and nested rule) compared one by one, spaces aside.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { launch, repo, site } from "./helpers.mjs";

let browser;
let siteDir;

before(async () => {
  siteDir = site().site;
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

test("each shipped stylesheet is minified and holds exactly its source's rules", async () => {
  const dir = path.join(repo, "site-templates/assets");
  const names = fs.readdirSync(dir).filter((f) => f.endsWith(".css"));
  assert.ok(names.includes("site.css") && names.includes("search.css") && names.includes("pages.css"), names.join());
  const page = await browser.newPage();
  for (const name of names) {
    const source = fs.readFileSync(path.join(dir, name), "utf8");
    const shipped = fs.readFileSync(path.join(siteDir, "assets", name), "utf8");
    assert.ok(shipped.length < source.length * 0.9, `${name}: ${shipped.length} bytes shipped of ${source.length}`);
    const [want, got] = await page.evaluate(
      (texts) =>
        texts.map((css) => {
          const sheet = new CSSStyleSheet();
          sheet.replaceSync(css);
          const out = [];
          const walk = (rules, depth) => {
            for (const rule of rules) {
              // A value with var() keeps its text as written (it is read once the variables are
              // known): the spaces around commas, slashes and brackets, insignificant there,
              // are not compared.
              out.push(`${depth}:${rule.cssText.replace(/\s+/g, " ").replace(/ ?([,/()]) ?/g, "$1")}`);
              if (rule.cssRules) walk(rule.cssRules, depth + 1);
            }
          };
          walk(sheet.cssRules, 0);
          return out;
        }),
      [source, shipped],
    );
    assert.ok(want.length > 10, `${name}: ${want.length} rules`);
    assert.deepEqual(got, want, name);
  }
  await page.close();
});
