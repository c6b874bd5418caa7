// Builds the site's search script: src/index/search.js (the readable source, next to the
// exporter whose format it reads) minified into site-templates/assets/search.js, the file the
// site ships. The first query loads it with the page, and it counts in that query's budget
// (the target: under 150 KB on a 100,000-record site): 85 KB of source become about 37 KB.
//
// The banner names the SHA-256 of the source's bytes, so that `cargo test` (a unit test of
// src/index/export.rs) also fails when the shipped file was not rebuilt after an edit of the
// source, without node.
//
// usage: node build-search.mjs           rewrites site-templates/assets/search.js
//        node build-search.mjs --check   exits 1 when that file is not the build of the source
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { minify } from "terser";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const source = path.join(repo, "src/index/search.js");
export const shipped = path.join(repo, "site-templates/assets/search.js");

/** The first line of the shipped script: where it comes from and the SHA-256 of the source. */
function banner(sha256) {
  return `/*! incident-archive browser search: built from src/index/search.js (sha256 ${sha256}) by tests/browser/build-search.mjs; edit the source, then run \`npm run build\` in tests/browser. */\n`;
}

/** The shipped script for the current source (deterministic: same source, same bytes). */
export async function build() {
  const bytes = fs.readFileSync(source);
  const code = bytes.toString("utf8");
  const out = await minify(code, {
    ecma: 2020,
    compress: { passes: 2 },
    mangle: true,
    format: { comments: false, ascii_only: true },
  });
  return banner(createHash("sha256").update(bytes).digest("hex")) + out.code + "\n";
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const built = await build();
  if (process.argv.includes("--check")) {
    const current = fs.existsSync(shipped) ? fs.readFileSync(shipped, "utf8") : "";
    if (current !== built) {
      console.error(`${path.relative(repo, shipped)} is not the build of ${path.relative(repo, source)}: run \`npm run build\` in tests/browser`);
      process.exit(1);
    }
  } else {
    fs.writeFileSync(shipped, built);
    console.log(`${path.relative(repo, shipped)}: ${Buffer.byteLength(built)} bytes from ${fs.statSync(source).size}`);
  }
}
