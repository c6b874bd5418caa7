// The shipped search script is the build of its source: an edit of src/index/search.js that
// was not rebuilt into site-templates/assets/search.js fails here, not in a user's browser.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { build, checksums, shipped, sums } from "./build-search.mjs";

test("site-templates/assets/search.js is built from src/index/search.js", async () => {
  const built = await build();
  assert.ok(fs.readFileSync(shipped, "utf8") === built, "stale: run `npm run build` in tests/browser");
  assert.equal(fs.readFileSync(sums, "utf8"), checksums(built), "src/index/search.js.sha256 is stale: run `npm run build` in tests/browser");
  assert.ok(Buffer.byteLength(built) < 47 * 1024, `${Buffer.byteLength(built)} bytes`);
});
