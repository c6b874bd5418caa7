// The search engine of search.js, run in node on the exported shards, against
// `incident-archive search --json` on the same archive: same plan, same hits in the same
// order, same f32 scores.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cli, diskEngine, FILTERS, QUERIES, site, withFilters } from "./helpers.mjs";

const { archive, site: siteDir } = site();

async function compare(engine, query, filters, limit = 10) {
  const expected = cli(archive, query, filters, limit);
  let got;
  try {
    got = await engine.search(query, filters, limit);
  } catch (e) {
    assert.ok(expected.error, `${query}: the browser fails (${e.message}) where the CLI answers`);
    return;
  }
  assert.ok(!expected.error, `${query}: the CLI fails where the browser answers: ${expected.error}`);
  assert.equal(got.parsed, expected.parsed, `plan of ${query}`);
  const want = expected.hits.map((h) => [h.id, Math.fround(h.score)]);
  const have = got.hits.map((h) => [h.id, h.score]);
  assert.deepEqual(have, want, `${query} ${JSON.stringify(filters)}`);
}

test("every reasoned query, alone and with filters, ranks like the CLI", async () => {
  const { engine } = await diskEngine(siteDir);
  for (const [q, f] of withFilters(QUERIES, 2)) await compare(engine, q, f);
});

test("deeper result lists rank like the CLI", async () => {
  const { engine } = await diskEngine(siteDir);
  for (const q of ["database", "review", "connection pool", "severity:p1", "timeout -database", "customer:globalbank"]) await compare(engine, q, {}, 60);
});

/** Random queries from the supported syntax, seeded. */
function randomQueries(n) {
  // The generated corpus's words (tools/corpus): common ones, stems, and a rare tail.
  const words = ["database", "connection", "pool", "query", "timeout", "leak", "cache", "memory", "alert", "review", "index", "slow", "kafka", "consumer", "rebalance", "vault", "oom", "dns", "latency", "retries", "storm", "leaking", "queries", "missing", "certificate", "expired", "stampede", "replica", "failover", "deadlock", "quota", "globalbank", "platform", "soak", "heap", "venzel", "elbarbar"];
  const fields = ["", "", "", "title:", "root_cause:", "lessons:", "timeline:", "actions:", "factors:", "to_improve:", "resolution:", "detection:", "customer:", "owner:"];
  let seed = 7;
  const rnd = (k) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % k;
  };
  const term = () => {
    const f = fields[rnd(fields.length)];
    if (rnd(6) === 0) return f + '"' + words[rnd(words.length)] + " " + words[rnd(words.length)] + '"';
    return f + words[rnd(words.length)];
  };
  const out = [];
  for (let i = 0; i < n; i++) {
    const parts = [term()];
    for (let k = rnd(4); k > 0; k--) {
      const op = ["", "", "AND ", "OR ", "-", "+", "NOT "][rnd(7)];
      parts.push(op + term());
    }
    let q = parts.join(" ");
    if (rnd(8) === 0) q = "(" + q + ") " + term();
    out.push(q);
  }
  return out;
}

test("random queries rank like the CLI", async () => {
  const { engine } = await diskEngine(siteDir);
  const queries = randomQueries(150);
  for (let i = 0; i < queries.length; i++) await compare(engine, queries[i], FILTERS[i % FILTERS.length]);
});

test("a ranking that takes a common word's tf from its frequencies file ranks like the CLI", async () => {
  // A common word with a rarer one: the rarer word's records know their fieldnorm from its
  // postings and take the common word's tf from the common word's frequencies file (`f`).
  let read = 0;
  for (const q of ["database oom", "database certificate", "review vault", "memory leak deploy", "alert soak", "timeout retries"]) {
    const { engine, shards } = await diskEngine(siteDir);
    await compare(engine, q, {});
    await compare(engine, q, {}, 40);
    if (shards.names.some((n) => n.endsWith("/f"))) read++;
  }
  assert.ok(read >= 2, `${read} of the queries read a frequencies file`);
});

test("a query's words take their stems from the vocabulary; a word no record holds loads the stemmer", async () => {
  // Each case: the query, whether the stemmer is loaded. `connectings` is in no record, and
  // stems to `connect` like the records' `connection`, `connections`, `connected`…;
  // `severity:P1` marks `P1` in the text (its own stem), `status:resolved` the words whose
  // stem is `resolved` (the vocabulary cannot say which: the stemmer can).
  for (const [q, stemmer] of [
    ["connection pool", false],
    ["leaking OR title:memory", false],
    ['"connection pool" timeout', false],
    ["connectings", true],
    ["connectings pool", true],
    ["severity:P1 AND cache", false],
    ["status:resolved cache", true],
  ]) {
    const want = cli(archive, q, {});
    const { engine, shards } = await diskEngine(siteDir);
    const r = await engine.search(q, {}, 10);
    assert.equal(shards.names.includes("stem"), stemmer, `${q}: ${shards.names.join(" ")}`);
    // With the vocabulary a word outside the query's families has no stem; the stemmer stems
    // any word.
    assert.equal(r.stems("qxzwvy") !== null, stemmer, q);
    assert.ok(shards.names.some((n) => n.startsWith("w/")), `${q}: the vocabulary is read`);
    assert.equal(r.parsed, want.parsed, q);
    assert.deepEqual(r.hits.map((h) => [h.id, h.score]), want.hits.map((h) => [h.id, Math.fround(h.score)]), q);
    const why = await engine.explain(r);
    why.forEach((x, i) => {
      assert.deepEqual(x.snippet, want.hits[i].snippet, `${q}: the snippet of ${want.hits[i].id}`);
      assert.deepEqual(x.fields, want.hits[i].fields, `${q}: the fields of ${want.hits[i].id}`);
    });
    assert.ok(why.some((x) => x.snippet.highlights.length > 0), `${q}: marked words`);
  }
});

test("a first query loads only a little of the index", async () => {
  for (const q of ["database", "connection pool", "memory leak"]) {
    const { engine, shards } = await diskEngine(siteDir);
    await engine.search(q, {}, 10);
    assert.ok(shards.bytes < 150 * 1024, `${q}: ${shards.bytes} bytes in ${shards.files} files`);
    console.log(`# ${q}: ${shards.bytes} bytes in ${shards.files} files`);
  }
});
