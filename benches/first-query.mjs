// What a first search loads from a built site, without a browser: runs the site's own
// search.js in node over its exported shards (as the engine tests do) and counts the bytes of
// every shard a query reads: the ranking, the exact total and the snippets of the first three
// hits (what the page shows on a 1280 × 720 screen), plus the page and the CSS, scripts and
// icon it links. The total equals `browser-bytes.mjs`'s for the same query, which it is much
// faster than: it suits trying many queries. Shards are read from disk, in the order the
// engine asks for them.
//
// usage: node benches/first-query.mjs --site DIR [--page search.html] QUERY...
//        node benches/first-query.mjs --site DIR --queries FILE
//        node benches/first-query.mjs --site DIR --random N --records DIR [--seed S]
// FILE has a query a line (`#` starts a comment line): benches/first-queries.txt holds what
// engineers, auditors and customer managers type.
// The second form draws N queries from the Markdown records of DIR (seeded, the same queries
// for the same records): per query, a record, then two words of at least four letters of it
// (three words for every fifth query); and ends with the median, the mean and the largest
// total and how many are over 150,000 bytes.
// prints one line per query: total bytes, the page's share, files, and bytes by kind of shard
// (t: dictionary, w: vocabulary, h: heads, g: layers, chunk, b: documents files, f: frequencies
// files, d: rows, x: snippets, stem: the stemmer).

import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { option } from "./options.mjs";

const argv = process.argv.slice(2);
const site = option(argv, "--site");
const pageName = option(argv, "--page", "search.html");
const random = Number(option(argv, "--random", 0));
const recordsDir = option(argv, "--records");
let seed = Number(option(argv, "--seed", 7));
const queriesFile = option(argv, "--queries");
if (queriesFile) {
  for (const line of fs.readFileSync(queriesFile, "utf8").split("\n")) {
    if (line.trim() && !line.startsWith("#")) argv.push(line.trim());
  }
}
if (random && recordsDir) {
  const rnd = (k) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % k;
  };
  const files = fs.readdirSync(recordsDir).filter((f) => f.endsWith(".md")).sort();
  for (let i = 0; i < random; i++) {
    const words = fs.readFileSync(path.join(recordsDir, files[rnd(files.length)]), "utf8").match(/[A-Za-z]{4,}/g) || [];
    argv.push(Array.from({ length: i % 5 === 4 ? 3 : 2 }, () => words[rnd(words.length)].toLowerCase()).join(" "));
  }
}
if (!site || !argv.length) {
  console.error("usage: node benches/first-query.mjs --site DIR [--page search.html] QUERY...\n       node benches/first-query.mjs --site DIR --queries FILE\n       node benches/first-query.mjs --site DIR --random N --records DIR [--seed S]");
  process.exit(2);
}
const search = createRequire(import.meta.url)(path.resolve(site, "assets/search.js"));

// The page and what it links: stylesheets (print ones too: Chromium fetches them), scripts and
// the icon; not the feed.
const page = fs.readFileSync(path.join(site, pageName), "utf8");
const linked = [...page.matchAll(/<(?:link rel="(?:stylesheet|icon)"[^>]* href|script[^>]* src)="([^"]+)"/g)].map((m) => m[1]);
const pageBytes = [pageName, ...linked].reduce((sum, f) => sum + fs.statSync(path.join(site, path.dirname(pageName), f)).size, 0);

const kind = (name) => {
  if (name.startsWith("x/")) return "x";
  if (name.startsWith("d/")) return "d";
  if (name.startsWith("w/")) return "w";
  if (!name.includes("/l/")) return /\/t\//.test(name) ? "t" : name;
  const last = name.slice(name.lastIndexOf("/") + 1);
  return last === "b" || last === "h" || last === "f" ? last : /^g\d+$/.test(last) ? "g" : /^p/.test(last) ? "positions" : "chunk";
};

const totals = [];
for (const query of argv) {
  const read = [];
  const cache = new Map();
  const shards = {
    async load(name) {
      if (!cache.has(name)) {
        const text = fs.readFileSync(path.join(site, "search", search.shardFile ? search.shardFile(name) : name + ".js"), "utf8");
        let data;
        new Function("IASearch", text)((_, d) => {
          data = d;
        });
        cache.set(name, data);
        read.push([name, Buffer.byteLength(text)]);
      }
      return cache.get(name);
    },
  };
  const engine = new search.Engine(shards, await shards.load("meta"));
  const result = await engine.search(query, {}, 10);
  const total = result.total !== null ? result.total : await result.count();
  for (let i = 0; i < Math.min(3, result.hits.length); i++) await engine.explainHit(result, i);
  const byKind = {};
  for (const [name, bytes] of read) byKind[kind(name)] = (byKind[kind(name)] || 0) + bytes;
  const data = read.reduce((sum, [, bytes]) => sum + bytes, 0);
  totals.push(pageBytes + data);
  console.log(
    `${JSON.stringify(query)}: ${(pageBytes + data).toLocaleString("en")} bytes (page ${pageBytes.toLocaleString("en")}, ` +
      `${read.length} shards ${data.toLocaleString("en")}), ${result.hits.length} hits of ${total}; ${JSON.stringify(byKind)}`,
  );
}
if (totals.length > 1) {
  const sorted = [...totals].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const mean = Math.round(totals.reduce((a, b) => a + b, 0) / totals.length);
  const over = totals.filter((t) => t > 150000).length;
  console.log(`${totals.length} queries: median ${median.toLocaleString("en")}, mean ${mean.toLocaleString("en")}, largest ${sorted[sorted.length - 1].toLocaleString("en")} bytes; ${over} over 150,000`);
}
