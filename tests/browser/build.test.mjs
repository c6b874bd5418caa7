// The shipped search scripts are the builds of their sources: an edit of src/index/search.js,
// parse.js or stem.js that was not rebuilt into site-templates/assets/ fails here, not in a
// user's browser.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { build, checksums, SCRIPTS, sums } from "./build-search.mjs";

test("site-templates/assets/search.js, parse.js and stem.js are built from src/index/", async () => {
  const built = await build();
  assert.equal(built.length, 3);
  SCRIPTS.forEach(([, to], i) => {
    assert.ok(fs.readFileSync(to, "utf8") === built[i], `${path.basename(to)} is stale: run \`npm run build\` in tests/browser`);
  });
  assert.equal(fs.readFileSync(sums, "utf8"), checksums(built), "src/index/search.js.sha256 is stale: run `npm run build` in tests/browser");
  // What every first query loads; the grammar and the stemmer are not in it.
  assert.ok(Buffer.byteLength(built[0]) < 31 * 1024, `${Buffer.byteLength(built[0])} bytes`);
});
