// Builds the site's search scripts: src/index/search.js (the readable source, next to the
// exporter whose format it reads) minified into site-templates/assets/search.js, the file the
// site ships, and src/index/stem.js (the Snowball stemmer, loaded only for a query word that no
// record holds) into site-templates/assets/stem.js. The first query loads search.js with the
// page, and it counts in that query's budget (the target: under 150 KB on a 100,000-record
// site).
//
// Beside the source it writes src/index/search.js.sha256, the SHA-256 of the sources and of the
// shipped files in `sha256sum` form, so that `cargo test` (a unit test of src/index/export.rs)
// fails without node when the shipped file is not the build of the source: after an edit of
// the source without a rebuild, or an edit of the shipped file by hand. (`sha256sum -c
// src/index/search.js.sha256` from the repository's root checks the same.)
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
export const stemSource = path.join(repo, "src/index/stem.js");
export const stemShipped = path.join(repo, "site-templates/assets/stem.js");

export const sums = path.join(repo, "src/index/search.js.sha256");

const banner = (file) =>
  `/*! incident-archive browser search: built from src/index/${file} by tests/browser/build-search.mjs; edit the source, then run \`npm run build\` in tests/browser. */\n`;

const sha256 = (data) => createHash("sha256").update(data).digest("hex");

/** The `sha256sum` lines of the sources and their builds ([search.js, stem.js]). */
export function checksums([built, builtStem]) {
  return [
    `${sha256(fs.readFileSync(source))}  src/index/search.js`,
    `${sha256(built)}  site-templates/assets/search.js`,
    `${sha256(fs.readFileSync(stemSource))}  src/index/stem.js`,
    `${sha256(builtStem)}  site-templates/assets/stem.js`,
    "",
  ].join("\n");
}

/** The shipped scripts for the current sources, [search.js, stem.js] (deterministic: same
 *  sources, same bytes). */
export async function build() {
  return [await minified(source), await minified(stemSource)];
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
    if (read(shipped) !== built[0] || read(stemShipped) !== built[1] || read(sums) !== checksums(built)) {
      console.error(`site-templates/assets/search.js and stem.js are not the builds of src/index/search.js and stem.js: run \`npm run build\` in tests/browser`);
      process.exit(1);
    }
  } else {
    fs.writeFileSync(shipped, built[0]);
    fs.writeFileSync(stemShipped, built[1]);
    fs.writeFileSync(sums, checksums(built));
    for (const [to, from, b] of [[shipped, source, built[0]], [stemShipped, stemSource, built[1]]]) {
      console.log(`${path.relative(repo, to)}: ${Buffer.byteLength(b)} bytes from ${fs.statSync(from).size}`);
    }
  }
}
