// search.js tokenizes and stems exactly like the index: every line of the fixture, which a
// Rust test checks against tantivy's own analyzers, gives the same tokens here.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { here, search, stemmer } from "./helpers.mjs";

// The stemmer is a script of its own (assets/stem.js): the engine loads it for a word no
// record holds; the analyzers use it once it is installed.
search.useStemmer(stemmer);

test("analyzers match tantivy on the fixture", () => {
  const lines = fs.readFileSync(path.join(here, "fixtures/analyzer.jsonl"), "utf8").trim().split("\n");
  assert.ok(lines.length > 10000);
  for (const line of lines) {
    const [analyzer, text, tokens] = JSON.parse(line);
    const got = search.analyze(analyzer, text).map(([p, t]) => [p, t]);
    assert.deepEqual(got, tokens, text);
  }
});

test("leaking stems to leak", () => {
  assert.equal(search.stem("leaking"), "leak");
  assert.equal(search.stem("connections"), "connect");
});

test("field lengths of fieldnorm ids are tantivy's", () => {
  // The fixture is tantivy's table; a Rust test of src/index/export.rs checks it.
  const lengths = JSON.parse(fs.readFileSync(path.join(here, "fixtures/fieldnorms.json"), "utf8"));
  assert.equal(lengths.length, 256);
  assert.deepEqual(search.FIELD_NORMS, lengths);
});

test("varints decode like the export encodes", () => {
  // 0, 1, 31, 32, 1023, 1024 as written by src/index/export.rs.
  assert.deepEqual(search.decode("ABfgB_fggB"), [0, 1, 31, 32, 1023, 1024]);
});

test("filter values show hidden characters as the pages do, and read back exactly", () => {
  const raw = "Acme\u202eevil\u001b[31m\u0000 Corp\tTab";
  const shown = search.showValue(raw);
  assert.equal(shown, "Acme\\u{202e}evil\\u{1b}[31m\\u{0} Corp\tTab");
  assert.equal(search.realValue(shown), raw);
  // Text that only looks like an escape of a visible character stays as it is.
  assert.equal(search.realValue("\\u{41} Corp"), "\\u{41} Corp");
  assert.equal(search.showValue("GlobalBank Corp"), "GlobalBank Corp");
});
