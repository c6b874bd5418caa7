// Builds the site's search script: src/index/search.js (the readable source, next to the
// exporter whose format it reads) minified into site-templates/assets/search.js, the file the
// site ships. The first query loads it with the page, and it counts in that query's budget
// (the target: under 150 KB on a 100,000-record site): 85 KB of source become about 37 KB.
//
// Beside the source it writes src/index/search.js.sha256, the SHA-256 of the source and of the
// shipped file in `sha256sum` form, so that `cargo test` (a unit test of src/index/export.rs)
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

export const sums = path.join(repo, "src/index/search.js.sha256");

const BANNER =
  "/*! incident-archive browser search: built from src/index/search.js by tests/browser/build-search.mjs; edit the source, then run `npm run build` in tests/browser. */\n";

const sha256 = (data) => createHash("sha256").update(data).digest("hex");

/** The `sha256sum` lines of the source and its build. */
export function checksums(built) {
  return `${sha256(fs.readFileSync(source))}  src/index/search.js\n${sha256(built)}  site-templates/assets/search.js\n`;
}

/** The shipped script for the current source (deterministic: same source, same bytes). */
export async function build() {
  const code = fs.readFileSync(source, "utf8");
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
  return BANNER + out.code + "\n";
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const built = await build();
  if (process.argv.includes("--check")) {
    const current = fs.existsSync(shipped) ? fs.readFileSync(shipped, "utf8") : "";
    const recorded = fs.existsSync(sums) ? fs.readFileSync(sums, "utf8") : "";
    if (current !== built || recorded !== checksums(built)) {
      console.error(`${path.relative(repo, shipped)} is not the build of ${path.relative(repo, source)}: run \`npm run build\` in tests/browser`);
      process.exit(1);
    }
  } else {
    fs.writeFileSync(shipped, built);
    fs.writeFileSync(sums, checksums(built));
    console.log(`${path.relative(repo, shipped)}: ${Buffer.byteLength(built)} bytes from ${fs.statSync(source).size}`);
  }
}
