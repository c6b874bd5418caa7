// What a first search loads from a built site, without a browser: runs the site's own
// search.js in node over its exported shards (as the engine tests do) and counts the bytes of
// every shard a query reads: the ranking, the exact total and the snippets of the first three
// hits (what the page shows on a 1280 × 720 screen), plus the page and the CSS, scripts and
// icon it links. The total equals `browser-bytes.mjs`'s for the same query, which it is much
// faster than: it suits trying many queries. Shards are read from disk, in the order the
// engine asks for them.
//
// usage: node benches/first-query.mjs --site DIR [--page search.html] QUERY...
// prints one line per query: total bytes, the page's share, files, and bytes by kind of shard
// (t: dictionary, h: heads, g: layers, chunk, b: documents files, f: frequencies files, d: rows,
// x: snippets).

import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const i = argv.indexOf(name);
  if (i < 0) return fallback;
  const value = argv[i + 1];
  argv.splice(i, 2);
  return value;
};
const site = option("--site");
const pageName = option("--page", "search.html");
if (!site || !argv.length) {
  console.error("usage: node benches/first-query.mjs --site DIR [--page search.html] QUERY...");
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
  if (!name.includes("/l/")) return /\/t\//.test(name) ? "t" : name;
  const last = name.slice(name.lastIndexOf("/") + 1);
  return last === "b" || last === "h" || last === "f" ? last : /^g\d+$/.test(last) ? "g" : /^p/.test(last) ? "positions" : "chunk";
};

for (const query of argv) {
  const read = [];
  const cache = new Map();
  const shards = {
    async load(name) {
      if (!cache.has(name)) {
        const text = fs.readFileSync(path.join(site, "search", name + ".js"), "utf8");
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
  console.log(
    `${JSON.stringify(query)}: ${(pageBytes + data).toLocaleString("en")} bytes (page ${pageBytes.toLocaleString("en")}, ` +
      `${read.length} shards ${data.toLocaleString("en")}), ${result.hits.length} hits of ${total}; ${JSON.stringify(byKind)}`,
  );
}
