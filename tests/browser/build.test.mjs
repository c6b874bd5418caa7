// The shipped search script is the build of its source: an edit of src/index/search.js that
// was not rebuilt into site-templates/assets/search.js fails here, not in a user's browser.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { build, checksums, shipped, stemShipped, sums } from "./build-search.mjs";

test("site-templates/assets/search.js and stem.js are built from src/index/search.js and stem.js", async () => {
  const built = await build();
  assert.ok(fs.readFileSync(shipped, "utf8") === built[0], "search.js is stale: run `npm run build` in tests/browser");
  assert.ok(fs.readFileSync(stemShipped, "utf8") === built[1], "stem.js is stale: run `npm run build` in tests/browser");
  assert.equal(fs.readFileSync(sums, "utf8"), checksums(built), "src/index/search.js.sha256 is stale: run `npm run build` in tests/browser");
  // What every first query loads; the stemmer is not in it.
  assert.ok(Buffer.byteLength(built[0]) < 36 * 1024, `${Buffer.byteLength(built[0])} bytes`);
});
