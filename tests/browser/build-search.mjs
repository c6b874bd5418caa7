// Builds the site's search scripts from their readable sources next to the exporter whose
// format they read: src/index/search.js minified into site-templates/assets/search.js, the file
// the site ships; src/index/parse.js (the query grammar, loaded for the first query that is more
// than words) into site-templates/assets/parse.js; and src/index/stem.js (the Snowball stemmer,
// loaded only for a query word that no record holds) into site-templates/assets/stem.js. The
// first query loads search.js with the page, and it counts in that query's budget (the target:
// under 150 KB on a 100,000-record site).
//
// Beside the source it writes src/index/search.js.sha256, the SHA-256 of the sources and of the
// shipped files in `sha256sum` form, so that `cargo test` (a unit test of src/index/export.rs)
// fails without node when a shipped file is not the build of its source: after an edit of a
// source without a rebuild, or an edit of a shipped file by hand. (`sha256sum -c
// src/index/search.js.sha256` from the repository's root checks the same.)
//
// usage: node build-search.mjs           rewrites the shipped scripts
//        node build-search.mjs --check   exits 1 when they are not the builds of their sources
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { minify } from "terser";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** Each script's source and its build, in the order of `build()`'s result. */
export const SCRIPTS = ["search", "parse", "stem"].map((name) => [
  path.join(repo, `src/index/${name}.js`),
  path.join(repo, `site-templates/assets/${name}.js`),
]);

export const sums = path.join(repo, "src/index/search.js.sha256");

const banner = (file) =>
  `/*! incident-archive browser search: built from src/index/${file} by tests/browser/build-search.mjs; edit the source, then run \`npm run build\` in tests/browser. */\n`;

const sha256 = (data) => createHash("sha256").update(data).digest("hex");

/** The `sha256sum` lines of the sources and their builds (`built`: `build()`'s result). */
export function checksums(built) {
  const rel = (f) => path.relative(repo, f);
  return SCRIPTS.flatMap(([from, to], i) => [`${sha256(fs.readFileSync(from))}  ${rel(from)}`, `${sha256(built[i])}  ${rel(to)}`])
    .concat([""])
    .join("\n");
}

/** The shipped scripts for the current sources, in the order of `SCRIPTS` (deterministic:
 *  same sources, same bytes). */
export async function build() {
  return Promise.all(SCRIPTS.map(([from]) => minified(from)));
}

async function minified(file) {
  const code = fs.readFileSync(file, "utf8");
  const out = await minify(code, {
    ecma: 2020,
    compress: { passes: 2 },
    // The Snowball runtime's fields and the search's inner ones too (2 KB): no other object
    // of the script, and no object it shares with the page, the tests or the shards' data, has
    // a property of these names.
    mangle: {
      properties: {
        regex:
          /^(cursor|limit|limit_backward|bra|ket|current|headPending|restBound|tailBound|docsAdded|docsLoad|posLoaded|positiveLists|candidates|loadPart|loadDocs|loadPositions|unseenParts|unseenTail|unseenNone|shardPositionsOf|packPositionsOf|chunkOf|layers|layer|tfs|tfsLoad|norms|knownNorms|frequenciesSize|sizes|restFrontier|tailFrontier|loadFrequencies|cost|known|exact|factor|lists|chunks|packed|inline|complete|loaded|hasHead|shardName|caches|combine|unseen|leaves|prepare)$/,
      },
    },
    format: { comments: false, ascii_only: true },
  });
  return banner(path.basename(file)) + out.code + "\n";
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const built = await build();
  const read = (f) => (fs.existsSync(f) ? fs.readFileSync(f, "utf8") : "");
  if (process.argv.includes("--check")) {
    if (SCRIPTS.some(([, to], i) => read(to) !== built[i]) || read(sums) !== checksums(built)) {
      console.error(`site-templates/assets/{search,parse,stem}.js are not the builds of src/index/{search,parse,stem}.js: run \`npm run build\` in tests/browser`);
      process.exit(1);
    }
  } else {
    SCRIPTS.forEach(([from, to], i) => {
      fs.writeFileSync(to, built[i]);
      console.log(`${path.relative(repo, to)}: ${Buffer.byteLength(built[i])} bytes from ${fs.statSync(from).size}`);
    });
    fs.writeFileSync(sums, checksums(built));
  }
}
