// How long the action-item tracker takes to show a view, from file:// in headless Chromium
// (Debian's /usr/bin/chromium, driven by playwright-core): opens actions.html#VIEW in a new page
// and waits until the tracker has shown its count and is no longer busy. Prints, per view, the
// time from navigation to that point, the files the page loaded, and the count it shows.
//
// usage: node benches/tracker-views.mjs --site DIR [--runs N] VIEW...
//   VIEW is the fragment of a view as the tracker writes it in the address: `` (the default
//   view), `s=done&sort=owner`, `s=all&c=GlobalBank%20Corp`…
// e.g.   node benches/tracker-views.mjs --site site "" "s=overdue&sort=owner" "s=done&sort=owner"

import path from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS } from "../tests/browser/chromium-args.mjs";
import { option } from "./options.mjs";

const argv = process.argv.slice(2);
const site = option(argv, "--site");
const runs = Number(option(argv, "--runs", 1));
if (!site || !argv.length) {
  console.error("usage: node benches/tracker-views.mjs --site DIR [--runs N] VIEW...");
  process.exit(2);
}
const page = `file://${path.resolve(site)}/actions.html`;
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
try {
  for (let run = 0; run < runs; run++) {
    for (const view of argv) {
      const tab = await browser.newPage();
      let files = 0;
      tab.on("requestfinished", () => files++);
      tab.on("pageerror", (e) => console.error(`page error: ${e.message}`));
      const started = Date.now();
      await tab.goto(`${page}#${view}`);
      await tab.waitForFunction(
        () => document.querySelector("#tr-count").textContent && !document.querySelector("[aria-busy=true]"),
        null,
        { timeout: 300_000 },
      );
      const ms = Date.now() - started;
      const count = await tab.evaluate(() => document.querySelector("#tr-count").textContent);
      console.log(`${JSON.stringify(view)}: ${ms} ms, ${files} files, ${JSON.stringify(count)}`);
      await tab.close();
    }
  }
} finally {
  await browser.close();
}
