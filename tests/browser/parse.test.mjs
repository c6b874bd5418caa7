// A query of words alone is read by search.js itself, without the grammar (assets/parse.js),
// which a first query then need not load: it must give the very AST the grammar gives, and
// anything else must go to the grammar.
import { test } from "node:test";
import assert from "node:assert/strict";
import { search } from "./helpers.mjs";

const same = (q) => {
  assert.notEqual(search.simpleWords(q), null, JSON.stringify(q));
  assert.deepEqual(search.parseQuery(q), search.parseQuery(q, true), JSON.stringify(q));
};

test("words alone are read without the grammar, as the grammar reads them", () => {
  for (const q of [
    "database",
    "connection pool",
    "  connection   pool  ",
    "\tmemory\nleak\r\ndeploy ",
    "pool pool",
    "timeout Timeout timeout",
    "and or not in",
    "ANDROID ORACLE NOTE INSIDE",
    "p1 2019 404",
    "café straße 東京 ²",
    "",
    "   ",
  ]) {
    same(q);
  }
});

test("anything more than words goes to the grammar", () => {
  for (const q of [
    "a AND b",
    "a OR b",
    "NOT a",
    "a IN",
    "-timeout",
    "+timeout",
    "root_cause:index",
    '"connection pool"',
    "'connection pool'",
    "(cache OR memory) AND leak",
    "pool*",
    "pool~2",
    "pool^2",
    "a\u00a0b",
    "a\vb",
    "e-mail",
    "it's",
    "x.y",
    "a\\b",
  ]) {
    assert.equal(search.simpleWords(q), null, JSON.stringify(q));
  }
});

test("random queries of letters, digits and spaces parse alike both ways", () => {
  // Seeded, so a failure reproduces.
  let seed = 11;
  const rnd = (k) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % k;
  };
  const pieces = ["a", "Z", "é", "ß", "東", "٣", "²", "7", "AND", "OR", "NOT", "IN", "and", "NOTE", "ORs", " ", "  ", "\t", "\n", "\r\n", "-", ":", '"', "*"];
  let simple = 0;
  for (let n = 0; n < 5000; n++) {
    const q = Array.from({ length: 1 + rnd(8) }, () => pieces[rnd(pieces.length)]).join("");
    if (search.simpleWords(q) === null) continue;
    simple++;
    assert.deepEqual(search.parseQuery(q), search.parseQuery(q, true), JSON.stringify(q));
  }
  assert.ok(simple > 1000, `${simple} of 5000 were words alone`);
});
