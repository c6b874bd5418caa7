/**
 * search.js: the site's search, with no server (works from file:// and over HTTP).
 *
 * This is the source; the site ships its minified build, site-templates/assets/search.js
 * (`npm run build` in tests/browser; a test there fails while the build is stale).
 *
 * It ranks exactly like `incident-archive search`: the query is parsed with a port of tantivy's
 * query grammar and turned into the same plan as the CLI (src/index/plan.rs), words go through
 * the same analyzers (tantivy's SimpleTokenizer, 40-byte limit, lowercase, and the Snowball
 * English stemmer the index uses: the stems of the records' words from the export's vocabulary,
 * a port of the stemmer, src/index/stem.js, for a word no record holds), and scores are
 * tantivy's BM25 (k1 1.2, b 0.75) computed in f32 with Math.fround in tantivy's order of
 * operations, from the index's own statistics and postings (src/index/export.rs describes the
 * shard format). Ties go to the smaller id.
 *
 * Shards are classic <script> files calling IASearch(name, data), loaded on demand: only the
 * dictionary shards of the query's terms, the best postings of each term, and further postings
 * only where they can still change the top results.
 *
 * Nothing from the index or the query is ever inserted as HTML: results are built with
 * createElement and textContent.
 */
(function (global) {
  "use strict";

  // ---------------------------------------------------------------- f32 arithmetic (tantivy BM25)

  const f32 = Math.fround;
  const K1 = f32(1.2);
  const B = f32(0.75);
  const ONE_PLUS_K1 = f32(1 + K1);
  /** tantivy's fieldnorm id → field length (the table of its src/fieldnorm/code.rs): ids below
   *  40 are the lengths themselves; after them, each run of 8 ids steps by twice the previous
   *  run's step, the first by 2 (40, 42 … 54, 56, 60 … 84, 88, 96 …). */
  const FIELD_NORMS = [];
  for (let id = 0, length = 0; id < 256; id++) {
    FIELD_NORMS.push(length);
    length += id < 40 ? 1 : 2 ** (((id - 40) >> 3) + 1);
  }

  /** idf = ln(1 + (N - n + 0.5) / (n + 0.5)), as Bm25Weight computes it; `fix` holds the
   *  values the CLI's f32 ln rounds differently (exported in meta.idf). */
  function idf(df, n, fix) {
    const exact = fix && fix[df];
    if (exact !== undefined) return f32(exact);
    const x = f32(f32(f32(n - df) + 0.5) / f32(f32(df) + 0.5));
    return f32(Math.log(f32(1 + x)));
  }

  /** K1 * (1 - B + B * dl / avgdl) for every fieldnorm id. */
  function tfCache(totalTokens, docs) {
    const avg = f32(f32(totalTokens) / f32(docs));
    const cache = new Float32Array(256);
    for (let id = 0; id < 256; id++) {
      cache[id] = f32(K1 * f32(f32(1 - B) + f32(f32(B * f32(FIELD_NORMS[id])) / avg)));
    }
    return cache;
  }

  /** tf / (tf + cache[fieldnorm id]): a posting's score over its term's weight. */
  function tfFactor(cache, tf, fieldnorm) {
    const t = f32(tf);
    return f32(t / f32(t + cache[fieldnorm]));
  }

  // ---------------------------------------------------------------- varints

  const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const DIGIT = new Int8Array(128).fill(-1);
  for (let i = 0; i < 64; i++) DIGIT[ALPHABET.charCodeAt(i)] = i;

  /** Base64url varints: five bits a character, low bits first, the sixth bit says "more". */
  function decode(s) {
    const out = [];
    let v = 0;
    let scale = 1;
    for (let i = 0; i < s.length; i++) {
      const d = DIGIT[s.charCodeAt(i)];
      if (d < 0) throw new Error("corrupt search shard");
      v += (d & 31) * scale;
      if (d >= 32) {
        scale *= 32;
      } else {
        out.push(v);
        v = 0;
        scale = 1;
      }
    }
    return out;
  }

  /** Postings string → {docs, tfs, norms}; documents ascending. Per posting: delta * 4 +
   *  min(tf - 1, 3), then tf - 4 when tf >= 4, then the fieldnorm id minus `base` (mod 256). */
  function parsePostings(s, base) {
    const v = decode(s);
    const docs = [];
    const tfs = [];
    const norms = [];
    let doc = -1;
    for (let k = 0; k < v.length; ) {
      const x = v[k++];
      doc += Math.floor(x / 4);
      let tf = (x % 4) + 1;
      if (tf === 4) tf += v[k++];
      docs.push(doc);
      tfs.push(tf);
      norms.push((v[k++] + base) & 255);
    }
    return { docs: Int32Array.from(docs), tfs: Int32Array.from(tfs), norms: Uint8Array.from(norms) };
  }

  /** A reader of LEB128 values from `bytes`: `leb()` the next, `at()` where it is. */
  function lebReader(bytes) {
    let k = 0;
    return {
      leb() {
        let v = 0;
        for (let scale = 1; ; scale *= 128) {
          const b = bytes[k++];
          if (b === undefined) throw new Error("corrupt search shard");
          v += (b & 127) * scale;
          if (b < 128) return v;
        }
      },
      at: () => k,
    };
  }

  /** A list's own postings file (head, layer or chunk) → {docs, tfs, norms}: raw deflate in
   *  Z85 of `n`, `n` gaps (document minus the one before minus one), `n` values
   *  `tf - 1`, all LEB128, and `n` bytes `fieldnorm id - base` (mod 256). */
  async function unpackPostings(z85, base) {
    const bytes = await inflateBytes(z85);
    const { leb, at } = lebReader(bytes);
    const n = leb();
    const docs = new Int32Array(n);
    const tfs = new Int32Array(n);
    const norms = new Uint8Array(n);
    let doc = -1;
    for (let i = 0; i < n; i++) docs[i] = doc += leb() + 1;
    for (let i = 0; i < n; i++) tfs[i] = leb() + 1;
    let k = at();
    if (bytes.length - k !== n) throw new Error("corrupt search shard");
    for (let i = 0; i < n; i++) norms[i] = (bytes[k++] + base) & 255;
    return { docs, tfs, norms };
  }

  /** A frequencies file (LEB128 of tf - 1 per document of the list, deflated) → the tfs. */
  async function frequenciesOf(z85, n) {
    const bytes = await inflateBytes(z85);
    const { leb, at } = lebReader(bytes);
    const tfs = new Int32Array(n);
    for (let i = 0; i < n; i++) tfs[i] = leb() + 1;
    if (at() !== bytes.length) throw new Error("corrupt search shard");
    return tfs;
  }

  /** Positions string → one array per posting (first absolute, the rest deltas). */
  function parsePositions(s, tfs) {
    const v = decode(s);
    const out = new Array(tfs.length);
    let k = 0;
    for (let i = 0; i < tfs.length; i++) {
      const p = new Array(tfs[i]);
      let last = 0;
      for (let j = 0; j < tfs[i]; j++) {
        last = j === 0 ? v[k] : last + v[k];
        p[j] = last;
        k++;
      }
      out[i] = p;
    }
    return out;
  }

  // ---------------------------------------------------------------- stems

  const encoder = new TextEncoder();

  /** The Snowball English stemmer (src/index/stem.js) for `analyze` and `stem` outside a
   *  search, once installed (node); an Engine loads its own (`assets/stem.js`) when it needs it. */
  let stemmer = null;
  /** Word → stem, for analyzeEn: the stemmer, or while a query is parsed or a hit explained,
   *  that query's stems (`Engine.stems`). */
  let stemOf = (word) => {
    if (!stemmer) throw new Error("the stemmer is not loaded");
    return stemmer(word);
  };

  /** Runs `run` with `f` as the word → stem function. */
  function withStems(f, run) {
    const before = stemOf;
    stemOf = f;
    try {
      return run();
    } finally {
      stemOf = before;
    }
  }

  function stem(word) {
    return stemOf(word);
  }

  /** Installs the stemmer (for node: the export of stem.js). */
  function useStemmer(f) {
    stemmer = f;
  }

  // ---------------------------------------------------------------- analyzers

  const WORD = /[\p{Alphabetic}\p{N}]+/gu;
  const MAX_TOKEN_BYTES = 40;

  /** char::to_lowercase, one character at a time (no final-sigma rule, like tantivy). */
  function lower(s) {
    if (/^[\x00-\x7f]*$/.test(s)) return s.toLowerCase();
    let out = "";
    for (const c of s) out += c.toLowerCase();
    return out;
  }

  /** `en`: words of letters and digits, tokens of 40 bytes or more dropped (their position
   *  kept), lowercased, stemmed. Returns [position, term, start, end] (UTF-16 offsets). */
  function analyzeEn(text) {
    const out = [];
    let position = 0;
    for (const m of text.matchAll(WORD)) {
      const p = position++;
      if (encoder.encode(m[0]).length >= MAX_TOKEN_BYTES) continue;
      out.push([p, stemOf(lower(m[0])), m.index, m.index + m[0].length]);
    }
    return out;
  }

  /** `kw`: the whole value, lowercased. */
  function analyzeKw(text) {
    return [[0, lower(text), 0, text.length]];
  }

  function analyze(analyzer, text) {
    return analyzer === "kw" ? analyzeKw(text) : analyzeEn(text);
  }

  // ---------------------------------------------------------------- query grammar
  //
  // A port of tantivy's strict query grammar (tantivy-query-grammar, `parse_to_ast` and
  // `rewrite_ast`) for what the browser runs: words, "phrases", 'phrases', +/-, NOT, AND/OR,
  // parentheses and field:term / field:(group). Ranges, sets, regexes, `*`, boosts, slop and
  // prefixes are recognised and reported as CLI-only. The grammar itself is src/index/parse.js;
  // a query of words alone is read here without it.

  class QueryError extends Error {
    constructor(message, column) {
      super(message);
      this.column = column === undefined ? null : column;
    }
  }
  const cliOnly = (what) => new QueryError(what + " work in `incident-archive search`, not in the browser");

  const clause = (clauses) => ({ t: "c", c: clauses });
  const unary = (occur, ast) => clause([[occur, ast]]);

  /** The grammar (src/index/parse.js, the site's `assets/parse.js`): query text → AST, for a
   *  query that is more than words; an Engine loads it for the first such query, node installs
   *  it with `useParser`. */
  let grammar = null;
  function useParser(g) {
    grammar = g({ QueryError, cliOnly, clause, unary, rewrite });
  }

  /** The words of a query of words alone (letters and digits between spaces, tabs and line
   *  breaks, none of them `AND`, `OR`, `NOT` or `IN`), else null. The grammar reads such a
   *  query as one clause of default-field words, which `parseQuery` builds without it: most
   *  first queries are words, and they need not load the grammar. */
  function simpleWords(s) {
    if (!/^[ \t\r\n]*(?:[\p{L}\p{N}]+(?:[ \t\r\n]+|$))*$/u.test(s)) return null;
    const words = s.split(/[ \t\r\n]+/).filter(Boolean);
    return words.some((w) => /^(AND|OR|NOT|IN)$/.test(w)) ? null : words;
  }

  /** Query text → AST, as tantivy's `parse_to_ast` and `rewrite_ast` give it (`full`: by the
   *  grammar, whatever the query; the tests compare both ways). */
  function parseQuery(s, full) {
    const words = simpleWords(s);
    if (!words || full) {
      if (!grammar) throw new Error("the query grammar is not loaded");
      return grammar(s);
    }
    const literals = words.map((p) => ({ t: "lit", f: null, p, d: "none", slop: 0, prefix: false }));
    return rewrite(literals.length === 1 ? literals[0] : clause(literals.map((l) => [null, l])));
  }

  /** tantivy's rewrite_ast: dedupe identical clauses, unwrap one-clause groups without occur. */
  function rewrite(ast) {
    if (ast.t !== "c") return ast;
    const seen = new Set();
    const out = [];
    for (const [occur, sub] of ast.c) {
      const r = rewrite(sub);
      const key = JSON.stringify([occur, r]);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push([occur, r]);
    }
    ast.c = out.map(([occur, sub]) => (occur === null && sub.t === "c" && sub.c.length === 1 ? sub.c[0] : [occur, sub]));
    return ast;
  }

  // ---------------------------------------------------------------- plan (src/index/plan.rs)

  /** Query text → plan, exactly as the CLI builds it. `schema` comes from meta.js. */
  function plan(query, schema) {
    const ast = parseQuery(query);
    const logical = compute(ast, query, schema);
    if (logical.t === "c" && logical.c.length === 0) return { k: "empty" };
    if (allNegative(logical)) {
      throw new QueryError("only excluded terms: add a term to search for (`-` and `NOT` exclude records)");
    }
    return normalize(toPlan(simplify(logical)));
  }

  function resolveField(typed, schema) {
    const lower = typed.replace(/[A-Z]/g, (c) => c.toLowerCase());
    const name = Object.prototype.hasOwnProperty.call(schema.aliases, lower) ? schema.aliases[lower] : lower;
    const index = schema.fields.findIndex((f) => f[0] === name);
    return index < 0 ? null : index;
  }

  function column(query, name) {
    let at = query.indexOf(name + ":");
    if (at < 0) at = query.indexOf(name);
    return at < 0 ? null : Array.from(query.slice(0, at)).length + 1;
  }

  function compute(ast, query, schema) {
    if (ast.t === "c") return { t: "c", c: ast.c.map(([o, sub]) => [o || "should", compute(sub, query, schema)]) };
    if (ast.t === "boost") throw cliOnly("boosts (`^`)");
    if (ast.t === "all") throw cliOnly("`*` queries");
    const index = resolveField(ast.f === null ? schema.default : ast.f, schema);
    if (index === null) {
      const names = schema.fields.map((f) => f[0]).join(", ");
      throw new QueryError("unknown field `" + ast.f + "`; fields are " + names, column(query, ast.f));
    }
    const analyzer = schema.fields[index][1];
    const tokens = analyze(analyzer, ast.p);
    if (tokens.length <= 1) {
      if (ast.prefix) throw new QueryError('a prefix phrase needs at least two words: `"' + ast.p + '"*`');
      return tokens.length ? { t: "leaf", p: { k: "term", f: index, t: tokens[0][1] } } : { t: "c", c: [] };
    }
    if (analyzer === "kw") throw new QueryError("field `" + schema.fields[index][0] + "` has no positions");
    if (ast.slop > 0) throw cliOnly("sloppy phrases (`~`)");
    if (ast.prefix) throw cliOnly("prefix phrases (`*`)");
    return { t: "leaf", p: { k: "phrase", f: index, terms: tokens.map((t) => [t[0], t[1]]) } };
  }

  function allNegative(ast) {
    if (ast.t === "leaf") return false;
    return ast.c.every(([o, c]) => o === "not" || allNegative(c));
  }

  function simplify(ast) {
    if (ast.t !== "c") return ast;
    const out = [];
    for (const [occur, sub] of ast.c) {
      const s = simplify(sub);
      if (s.t === "c" && (occur === "should" || occur === "must") && s.c.every(([o]) => o === occur)) out.push(...s.c);
      else out.push([occur, s]);
    }
    return { t: "c", c: out };
  }

  function trim(ast) {
    if (ast.t !== "c") return ast;
    const kept = [];
    for (const [o, c] of ast.c) {
      const t = trim(c);
      if (t) kept.push([o, t]);
    }
    return kept.length ? { t: "c", c: kept } : null;
  }

  function toPlan(ast) {
    const t = trim(ast);
    if (!t) return { k: "empty" };
    if (t.t === "leaf") return t.p;
    return { k: "bool", c: t.c.map(([o, c]) => [o, toPlan(c)]) };
  }

  function normalize(p) {
    if (p.k !== "bool") return p;
    const clauses = p.c.map(([o, c]) => [o, normalize(c)]);
    const musts = clauses.filter(([o]) => o === "must").length;
    if (musts < 3) return { k: "bool", c: clauses };
    const out = [];
    let nested = null;
    let slot = -1;
    for (const [o, c] of clauses) {
      if (o === "must") {
        if (nested === null) {
          slot = out.length;
          nested = c;
        } else {
          nested = { k: "bool", c: [["must", nested], ["must", c]] };
        }
      } else {
        out.push([o, c]);
      }
    }
    if (!out.length) return nested;
    out.splice(slot, 0, ["must", nested]);
    return { k: "bool", c: out };
  }

  function showTerm(t) {
    return t.length && /^[\p{Alphabetic}\p{N}._-]+$/u.test(t) ? t : JSON.stringify(t);
  }

  /** The canonical form printed as `parsed` by `search --json`. */
  function show(p, schema) {
    switch (p.k) {
      case "term":
        return schema.fields[p.f][0] + ":" + showTerm(p.t);
      case "phrase": {
        let out = schema.fields[p.f][0] + ':"';
        let next = p.terms[0][0];
        p.terms.forEach(([pos, t], i) => {
          if (i > 0) out += " ";
          for (; next < pos; next++) out += "_ ";
          out += t;
          next = pos + 1;
        });
        return out + '"';
      }
      case "bool":
        return "(" + p.c.map(([o, c]) => (o === "must" ? "+" : o === "not" ? "-" : "") + show(c, schema)).join(" ") + ")";
      default:
        return "<empty>";
    }
  }

  // ---------------------------------------------------------------- shards

  function fnv32(s) {
    let h = 0x811c9dc5;
    for (const b of encoder.encode(s)) {
      h ^= b;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h >>> 0;
  }

  /** Shard `n` of `count` as its name has it: hex digits, as many as the last one has. */
  function hex(n, count) {
    return n.toString(16).padStart((count - 1).toString(16).length, "0");
  }

  /** The file of a shard, from the search folder: the stemmer and the grammar are assets of
   *  the site. */
  function shardFile(name) {
    return name === "stem" || name === "parse" ? "../assets/" + name + ".js" : name + ".js";
  }

  /** Loads shards by injecting <script> tags: works from file:// where fetch does not. */
  class Shards {
    constructor(base) {
      this.base = base;
      this.data = new Map();
      this.pending = new Map();
      this.bytes = 0;
      this.files = 0;
    }
    register(name, data) {
      this.data.set(name, data);
    }
    load(name) {
      if (this.data.has(name)) return Promise.resolve(this.data.get(name));
      if (this.pending.has(name)) return this.pending.get(name);
      const p = new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = this.base + shardFile(name);
        script.async = true;
        script.onload = () => {
          script.remove();
          this.pending.delete(name);
          this.files++;
          if (this.data.has(name)) resolve(this.data.get(name));
          else reject(new Error("search shard `" + name + "` did not register"));
        };
        script.onerror = () => {
          script.remove();
          this.pending.delete(name);
          reject(new Error("cannot load the search shard `" + name + "`"));
        };
        document.head.appendChild(script);
      });
      this.pending.set(name, p);
      return p;
    }
  }

  // ---------------------------------------------------------------- postings lists

  /** Positions files hold the positions of this many dictionary shards, packs or chunks. */
  const POS_GROUP = 4;
  const YES = 2;
  const MAYBE = 1;
  const NO = 0;
  const NO_R = { m: NO, s: 0 };
  const ABSENT = null;
  const UNKNOWN = undefined;

  /** Frontier string → [[tf, fieldnorm id], …]: the pairs that bound the postings left out. */
  function parseFrontier(s) {
    return decode(s).map((v) => [Math.floor(v / 256) + 1, v % 256]);
  }

  /** The best tf factor a posting bounded by `frontier` can have, when its tf is `tf` and
   *  its fieldnorm `norm` if those are given: the posting is beaten on both by a pair of the
   *  frontier, whose tf is at least its own and whose fieldnorm at most its own. */
  function frontierBound(cache, frontier, tf, norm) {
    let best = 0;
    for (const [t, n] of frontier) if (!(t < tf) && !(n > norm)) best = Math.max(best, tfFactor(cache, tf || t, norm === undefined ? n : norm));
    return best;
  }

  /** One (field, term) in one level: a short list written whole in its dictionary entry, or a
   *  long one whose best postings are in the entry and whose head file and chunks load on
   *  demand (src/index/export.rs describes the format). */
  class List {
    constructor(level, key, entry, cache, norms) {
      this.level = level;
      this.cache = cache;
      /** The fieldnorms of the list's field known so far, by document (any list of the field
       *  tells them): with a tf from the frequencies file, a score without the postings. */
      this.norms = norms;
      this.key = key;
      this.shardName = level.shardOf(key);
      this.df = entry[0];
      this.map = new Map();
      this.parts = new Map();
      this.loaded = new Set();
      this.posLoaded = new Set();
      /** Every document of the list, once its `b` file is loaded (the count's). */
      this.docs = null;
      this.docsLoad = null;
      /** Its documents are all candidates of the search. */
      this.docsAdded = false;
      /** Every document's tf, once its frequencies file (`f`) is loaded. */
      this.tfs = null;
      this.tfsLoad = null;
      this.base = level.bases[Number(key.slice(0, key.indexOf(":")))];
      this.inline = entry.length <= 3;
      // A long list of the recent level is written whole in deflated columns ([df, packed, 0]).
      if (entry.length === 3) this.ready = unpackPostings(entry[1], this.base).then((p) => this.add("i", p));
      else this.add("i", parsePostings(entry[1], this.base));
      if (this.inline) return;
      this.dir = entry[3];
      this.hasHead = entry[4] !== 0;
      this.restFrontier = parseFrontier(entry[2]);
      this.tailFrontier = this.hasHead ? parseFrontier(entry[4]) : this.restFrontier;
      /** The layers after the head ("g1", "g2"…, next best first), each with the frontier of
       *  the postings after it. */
      this.layers = entry[7].map((f, i) => ["g" + (i + 1), parseFrontier(f)]);
      // Sizes in characters: the frequencies file, each layer, a chunk on average.
      this.frequenciesSize = entry[8];
      this.sizes = entry.slice(9);
      this.packed = entry[5] === null;
      this.shift = this.packed ? 30 : entry[5];
      this.chunks = new Set();
      if (this.packed) this.chunks.add(0);
      else {
        let c = -1;
        for (const d of decode(entry[6])) this.chunks.add((c += d));
      }
    }
    /** Records the postings of a part ("i" the entry's, "h" the head file's, or a chunk). */
    add(part, p) {
      for (let i = 0; i < p.docs.length; i++) {
        if (!this.map.has(p.docs[i])) this.map.set(p.docs[i], { tf: p.tfs[i], norm: p.norms[i], part, pos: null });
        this.norms.set(p.docs[i], p.norms[i]);
      }
      this.parts.set(part, p);
      this.loaded.add(part);
      return p.docs;
    }
    headPending() {
      return this.hasHead && !this.loaded.has("h");
    }
    /** The next part to load before any chunk: the head file, then the layers in order. */
    layer() {
      if (this.headPending()) return "h";
      for (const [part] of this.layers) if (!this.loaded.has(part)) return part;
      return null;
    }
    /** Every part of the list not loaded yet: its head file, layers and chunks. */
    missing() {
      if (this.inline) return [];
      const parts = [];
      if (this.headPending()) parts.push("h");
      for (const [part] of this.layers) if (!this.loaded.has(part)) parts.push(part);
      for (const c of this.chunks) if (!this.loaded.has(c)) parts.push(c);
      return parts;
    }
    complete() {
      if (this.inline) return true;
      if (this.layer()) return false;
      for (const c of this.chunks) if (!this.loaded.has(c)) return false;
      return true;
    }
    /** The best tf factor of a posting not loaded yet (with its tf `tf` or its fieldnorm
     *  `norm` when given). */
    tail(tf, norm) {
      if (this.complete()) return 0;
      let frontier = this.restFrontier;
      if (!this.headPending()) {
        frontier = this.tailFrontier;
        // The frontier after the last layer loaded (layers load in order).
        for (const [part, after] of this.layers) {
          if (!this.loaded.has(part)) break;
          frontier = after;
        }
      }
      return frontierBound(this.cache, frontier, tf, norm);
    }
    /** What is known of `doc`'s tf factor without its posting: exact from its tf (the
     *  frequencies file) and its fieldnorm (any list of the field), else the best a posting
     *  not loaded yet can have with the one of them known, else with neither. */
    known(doc) {
      const tf = this.tfs ? this.tfs.get(doc) : undefined;
      const norm = this.norms.get(doc);
      if (tf !== undefined && norm !== undefined) return { exact: true, factor: tfFactor(this.cache, tf, norm) };
      return { exact: false, factor: this.tail(tf, norm) };
    }
    /** Adds to `parts` (part → characters) what settles `doc`, whose fieldnorm is known,
     *  when its bound in the search is `bound` and the k-th score `kth`: the layers left in
     *  order until one without it would leave it under `kth`, else its chunk too. */
    cost(doc, bound, kth, parts) {
      const norm = this.norms.get(doc);
      const now = this.known(doc).factor;
      for (let i = 0; i < this.layers.length; i++) {
        const [part, after] = this.layers[i];
        if (this.loaded.has(part)) continue;
        parts.set(part, this.sizes[i]);
        if (kth && f32(bound - this.w * (now - frontierBound(this.cache, after, undefined, norm))) < kth[0]) return;
      }
      const c = this.chunkOf(doc);
      if (!this.packed && this.chunks.has(c) && !this.loaded.has(c)) parts.set(c, this.sizes[this.layers.length]);
    }
    chunkOf(doc) {
      return Math.floor(doc / Math.pow(2, this.shift));
    }
    /** The part to load to learn `doc`'s posting. */
    need(doc) {
      return this.layer() || this.chunkOf(doc);
    }
    /** The posting of `doc`, ABSENT when known absent, UNKNOWN when not loaded yet. */
    state(doc) {
      const p = this.map.get(doc);
      if (p) return p;
      if (this.inline || (this.docs && !this.docs.has(doc))) return ABSENT;
      if (this.layer()) return UNKNOWN;
      const c = this.chunkOf(doc);
      if (!this.chunks.has(c) || this.loaded.has(c)) return ABSENT;
      return UNKNOWN;
    }
    /** [file, pick]: the file of a part's postings (or positions) and how to take them out. */
    file(part, positions) {
      const own = (data) => data;
      const keyed = (data) => data[this.key];
      if (positions && (part === "i" || part === "h")) {
        // The dictionary's positions: the top's, or [top's, head file's].
        const i = part === "i" ? 0 : 1;
        return [this.level.shardPositionsOf(this.key), (data) => (typeof data[this.key] === "string" ? data[this.key] : data[this.key][i])];
      }
      if (typeof part === "string" && part[0] === "g") return [this.dir + (positions ? "/p" : "/") + part, own];
      if (part === "h") return [this.dir + "/h", own];
      if (this.packed) return [positions ? this.level.packPositionsOf(this.key) : this.level.packOf(this.key), keyed];
      if (positions) return [this.dir + "/p" + Math.floor(part / POS_GROUP), (data) => data[part]];
      return [this.dir + "/" + part, own];
    }
  }

  /** One (field, term) across the levels: the document frequency is their sum. */
  class Term {
    constructor(lists) {
      this.lists = lists;
      this.df = lists.reduce((n, l) => n + l.df, 0);
    }
    /** The level list that holds `doc`, if the term occurs in its level. */
    at(doc) {
      for (const l of this.lists) if (doc >= l.level.start && doc < l.level.end) return l;
      return null;
    }
    /** The best tf factor of a document that is no candidate yet: none once every list is
     *  complete or has made all its documents candidates. */
    unseenTail() {
      let best = 0;
      for (const l of this.lists) if (!l.docsAdded) best = Math.max(best, l.tail());
      return best;
    }
    unseenNone() {
      return this.lists.every((l) => l.complete() || l.docsAdded);
    }
  }

  /** A documents file (`m` and a bitmap of the level from `start`, or `g` and gap varints)
   *  → the set of its documents. */
  async function documentsOf(data, start) {
    const docs = new Set();
    if (data[0] === "m") {
      // Low bit first.
      const map = await inflateBytes(data.slice(1));
      for (let i = 0; i < map.length; i++) {
        for (let b = map[i], j = 0; b; b >>= 1, j++) if (b & 1) docs.add(start + i * 8 + j);
      }
    } else {
      let d = -1;
      for (const gap of decode(await inflateText(data.slice(1)))) docs.add((d += gap + 1));
    }
    return docs;
  }

  // ---------------------------------------------------------------- the search

  /** How many files a round of the search loads for its pending documents, at most. */
  const PENDING_FILES = 6;

  /** Runs a plan: the best `k` live documents passing `accept`, as [score, doc], best first. */
  class Search {
    constructor(engine, root, k, accept) {
      this.e = engine;
      this.root = root;
      this.k = k;
      this.accept = accept;
      this.candidates = new Set();
    }

    async prepare() {
      const meta = this.e.meta;
      const leaves = [];
      const walk = (p, negated) => {
        if (p.k === "term" || p.k === "phrase") leaves.push([p, negated]);
        else if (p.k === "bool") p.c.forEach(([o, c]) => walk(c, negated || o === "not"));
      };
      walk(this.root, false);
      const keys = new Set();
      for (const [p] of leaves) {
        for (const t of p.k === "term" ? [p.t] : p.terms.map((t) => t[1])) keys.add(p.f + ":" + t);
      }
      const wanted = [];
      for (const key of keys) for (const level of this.e.levels) wanted.push([key, level]);
      const shards = await Promise.all(wanted.map(([key, level]) => this.e.shards.load(level.shardOf(key))));
      const found = new Map();
      wanted.forEach(([key, level], i) => {
        const entry = shards[i][key];
        if (!entry) return;
        const field = Number(key.slice(0, key.indexOf(":")));
        const list = new List(level, key, entry, this.e.cache(field), this.e.knownNorms(field));
        if (!found.has(key)) found.set(key, []);
        found.get(key).push(list);
      });
      await Promise.all(Array.from(found.values(), (lists) => Promise.all(lists.map((l) => l.ready))));
      const terms = new Map();
      for (const [key, lists] of found) terms.set(key, new Term(lists));
      // Leaves get their terms, weights and fieldnorm caches.
      for (const [p, negated] of leaves) {
        p.negated = negated;
        p.cache = this.e.cache(p.f);
        if (p.k === "term") {
          p.list = terms.get(p.f + ":" + p.t);
          p.w = p.list ? f32(idf(p.list.df, meta.docs, meta.idf) * ONE_PLUS_K1) : 0;
          if (p.list) for (const l of p.list.lists) l.w = Math.max(l.w || 0, p.w);
        } else {
          p.lists = p.terms.map(([, t]) => terms.get(p.f + ":" + t));
          p.offsets = p.terms.map(([o]) => o);
          let sum = 0;
          for (const l of p.lists) sum = f32(sum + idf(l ? l.df : 0, meta.docs, meta.idf));
          p.w = f32(sum * ONE_PLUS_K1);
          p.phrase = true;
        }
      }
      this.leaves = leaves.map(([p]) => p);
      // The level lists of positive leaves: their loaded documents are the candidates.
      this.positiveLists = new Set();
      for (const p of this.leaves) {
        if (p.negated) continue;
        for (const t of p.k === "term" ? [p.list] : p.lists) if (t) for (const l of t.lists) this.positiveLists.add(l);
      }
      for (const l of this.positiveLists) for (const d of l.map.keys()) this.candidates.add(d);
    }

    async loadPart(list, part) {
      if (list.loaded.has(part)) return;
      const [name, pick] = list.file(part, false);
      const data = await this.e.shards.load(name);
      if (list.loaded.has(part)) return;
      // A list's own files (head, layers, chunks) are deflated columns; the dictionary
      // entry and the packs shared by short tails are varints.
      const own = typeof part === "string" ? part !== "i" : !list.packed;
      const postings = own ? await unpackPostings(pick(data), list.base) : parsePostings(pick(data), list.base);
      if (list.loaded.has(part)) return;
      const docs = list.add(part, postings);
      if (this.positiveLists.has(list)) for (const d of docs) this.candidates.add(d);
    }

    /** Loads a list's documents file: from then on the list says present or absent for any
     *  document (all the count asks of a word) without its postings; its documents become
     *  candidates when `candidates` is set. */
    async loadDocs(l, candidates) {
      if (!l.docsLoad) {
        l.docsLoad = this.e.shards.load(l.dir + "/b").then(async (data) => {
          l.docs = await documentsOf(data, l.level.start);
        });
      }
      await l.docsLoad;
      if (candidates && this.positiveLists.has(l) && !l.docsAdded) {
        for (const doc of l.docs) this.candidates.add(doc);
        l.docsAdded = true;
      }
    }

    /** Loads a list's frequencies file (after its documents file, whose order it has). */
    async loadFrequencies(l) {
      if (!l.tfsLoad) {
        l.tfsLoad = Promise.all([this.loadDocs(l, false), this.e.shards.load(l.dir + "/f")]).then(async ([, data]) => {
          const tfs = await frequenciesOf(data, l.docs.size);
          const map = new Map();
          let i = 0;
          for (const d of l.docs) map.set(d, tfs[i++]);
          l.tfs = map;
        });
      }
      await l.tfsLoad;
    }

    async loadPositions(list, part) {
      if (list.posLoaded.has(part)) return;
      const [name, pick] = list.file(part, true);
      const data = await this.e.shards.load(name);
      if (list.posLoaded.has(part)) return;
      const p = list.parts.get(part);
      const positions = parsePositions(pick(data), p.tfs);
      for (let i = 0; i < p.docs.length; i++) {
        const st = list.map.get(p.docs[i]);
        if (!st.pos) st.pos = positions[i];
      }
      list.posLoaded.add(part);
    }

    /** A leaf or boolean node for one document: {m: YES | NO | MAYBE, s: score or bound}. */
    evaluate(p, d, needs) {
      if (p.k === "term") {
        const l = p.list && p.list.at(d);
        if (!l) return NO_R;
        const st = l.state(d);
        if (st === ABSENT) return NO_R;
        if (st === UNKNOWN) {
          const known = l.known(d);
          if (known.exact) return { m: YES, s: f32(p.w * known.factor) };
          needs.push([l, l.need(d), false]);
          return { m: MAYBE, s: f32(p.w * known.factor) };
        }
        return { m: YES, s: f32(p.w * tfFactor(p.cache, st.tf, st.norm)) };
      }
      if (p.k === "phrase") {
        if (p.lists.some((t) => !t)) return NO_R;
        let bound = Infinity;
        let known = true;
        const states = [];
        for (const t of p.lists) {
          const l = t.at(d);
          if (!l) return NO_R;
          const st = l.state(d);
          if (st === ABSENT) return NO_R;
          if (st === UNKNOWN) {
            needs.push([l, l.need(d), false]);
            known = false;
            bound = Math.min(bound, l.tail());
          } else {
            bound = Math.min(bound, tfFactor(p.cache, st.tf, st.norm));
            states.push([l, st]);
          }
        }
        if (known) {
          const missing = states.filter(([, st]) => !st.pos);
          if (missing.length) {
            for (const [l, st] of missing) needs.push([l, st.part, true]);
          } else {
            const count = phraseCount(states.map(([, st]) => st.pos), p.offsets);
            if (count === 0) return NO_R;
            return { m: YES, s: f32(p.w * tfFactor(p.cache, count, states[0][1].norm)) };
          }
        }
        return { m: MAYBE, s: f32(p.w * bound) };
      }
      if (p.k === "bool") return this.combine(p, (c) => this.evaluate(c, d, needs), true);
      return NO_R;
    }

    /** tantivy's BooleanWeight sums: at most two musts (the plan nests the rest), shoulds in
     *  clause order from 0, then required + optional. */
    combine(p, child, withNots) {
      const musts = [];
      let mustMaybe = false;
      let acc = 0;
      let anyShould = false;
      let shouldYes = false;
      let maybe = false;
      for (const [o, c] of p.c) {
        if (o === "not") {
          if (!withNots) continue;
          const r = child(c);
          if (r.m === YES) return NO_R;
          if (r.m === MAYBE) maybe = true;
          continue;
        }
        const r = child(c);
        if (o === "must") {
          if (r.m === NO) return NO_R;
          musts.push(r.s);
          if (r.m === MAYBE) mustMaybe = true;
        } else if (r.m !== NO) {
          acc = f32(acc + r.s);
          anyShould = true;
          if (r.m === MAYBE) maybe = true;
          else shouldYes = true;
        }
      }
      let s;
      if (musts.length === 0) {
        if (!anyShould) return NO_R;
        s = acc;
        if (!shouldYes) maybe = true;
      } else {
        if (musts.length > 2) throw new Error("a plan with more than two musts in one clause");
        const m = musts.length === 1 ? musts[0] : f32(musts[0] + musts[1]);
        s = anyShould ? f32(m + acc) : m;
      }
      return { m: maybe || mustMaybe ? MAYBE : YES, s };
    }

    /** The best score a document in no loaded part of any positive list could have. */
    unseen(p) {
      if (p.k === "term") {
        if (!p.list || p.list.unseenNone()) return NO_R;
        return { m: MAYBE, s: f32(p.w * p.list.unseenTail()) };
      }
      if (p.k === "phrase") {
        if (p.lists.some((t) => !t || t.unseenNone())) return NO_R;
        return { m: MAYBE, s: f32(p.w * Math.min(...p.lists.map((t) => t.unseenTail()))) };
      }
      if (p.k === "bool") return this.combine(p, (c) => this.unseen(c), false);
      return NO_R;
    }

    /** What to load to learn of documents that are no candidates yet, for a list: its head
     *  file, and its documents file (`b`, which the count reads anyway) to make every document
     *  of the list a candidate. For a tie (`below`: a document could only win with a smaller
     *  number), the head, the layers, then the chunks below `below`. */
    unseenParts(l, below) {
      if (l.docsAdded) return [];
      const parts = l.headPending() ? [[l, "h"]] : [];
      if (below === undefined && l.dir) return parts.concat([[l, "b"]]);
      if (parts.length) return parts;
      if (l.layer()) return [[l, l.layer()]];
      let chunks = Array.from(l.chunks);
      if (below !== undefined) chunks = chunks.filter((c) => c * Math.pow(2, l.shift) < below);
      return chunks.filter((c) => !l.loaded.has(c)).map((c) => [l, c]);
    }

    async run() {
      await this.prepare();
      for (let round = 0; ; round++) {
        const exact = [];
        const open = [];
        for (const d of this.candidates) {
          if (!this.accept(d)) continue;
          const needs = [];
          const r = this.evaluate(this.root, d, needs);
          if (r.m === YES) exact.push([r.s, d]);
          else if (r.m === MAYBE) open.push([r.s, d, needs]);
        }
        exact.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
        const kth = exact.length >= this.k ? exact[this.k - 1] : null;
        const beats = (s, d) => !kth || s > kth[0] || (s === kth[0] && d < kth[1]);
        const pending = open.filter(([s, d]) => beats(s, d));
        const u = this.unseen(this.root);
        const incomplete = Array.from(this.positiveLists).filter((l) => !l.complete());
        let unseenLoads = [];
        if (u.m !== NO) {
          if (!kth || u.s > kth[0]) unseenLoads = incomplete.flatMap((l) => this.unseenParts(l));
          // A tie can only win with a smaller document number: load the chunks below it.
          else if (u.s === kth[0]) unseenLoads = incomplete.flatMap((l) => this.unseenParts(l, kth[1]));
        }
        if (!pending.length && !unseenLoads.length) {
          this.matched = exact.length;
          return exact.slice(0, this.k);
        }
        const loads = [];
        for (const [l, c] of unseenLoads) loads.push(c === "b" ? this.loadDocs(l, true) : this.loadPart(l, c));
        pending.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
        // A pending document whose fieldnorm is known needs only its tf: a list's frequencies
        // file has every document's, and is read instead of the layers and chunks such
        // documents would need when those weigh more.
        const costs = new Map();
        for (const [s, d, needs] of pending) {
          for (const [l, part, positions] of needs) {
            if (positions || part === "h" || !l.docs || l.tfs || !l.norms.has(d) || !l.w) continue;
            if (!costs.has(l)) costs.set(l, new Map());
            l.cost(d, s, kth, costs.get(l));
          }
        }
        const byTfs = new Set();
        for (const [l, parts] of costs) {
          let sum = 0;
          for (const size of parts.values()) sum += size;
          if (sum >= 2 * l.frequenciesSize) byTfs.add(l);
        }
        // The files the best pending documents need, a few a round: the best are the likeliest
        // to make the top, and once they are exact the k-th score rises and prunes the others,
        // so that fewer files are read than if every pending document's were.
        const files = new Map();
        for (const [, , needs] of pending) {
          const fresh = [];
          for (const [l, part, positions] of needs) {
            // A chunk of a long list is wanted for documents that may not hold its word at
            // all: its documents file says which do, for fewer bytes than a few chunks (and
            // the count loads it anyway); the chunks follow for those that do.
            const docs = !positions && part !== "h" && l.dir && !l.docs;
            const tfs = !positions && part !== "h" && byTfs.has(l);
            const key = l.key + "@" + l.level.name + "/" + (docs ? "b" : tfs ? "f" : part + (positions ? "p" : ""));
            const load = docs ? () => this.loadDocs(l, false) : tfs ? () => this.loadFrequencies(l) : positions ? () => this.loadPositions(l, part) : () => this.loadPart(l, part);
            if (!files.has(key)) fresh.push([key, load]);
          }
          if (files.size && files.size + fresh.length > PENDING_FILES) break;
          for (const [key, load] of fresh) files.set(key, load);
        }
        for (const load of files.values()) loads.push(load());
        await Promise.all(loads);
      }
    }
  }

  /** Every live document a plan matches that passes `accept` (the CLI's total): a Search that
   *  loads every part of every list the plan reads, and the positions its phrases need. Only
   *  for the count, after the results are shown: a common word loads its whole list. */
  class Count extends Search {
    async run() {
      await this.prepare();
      // A word needs only to be known present: a long list's documents file (`b`) says that
      // for the whole list; a phrase needs the postings and their positions.
      const phraseLists = new Set();
      const termLists = new Set();
      for (const p of this.leaves) {
        for (const t of p.k === "term" ? [p.list] : p.lists) if (t) for (const l of t.lists) (p.k === "term" ? termLists : phraseLists).add(l);
      }
      const byDocs = new Set(Array.from(termLists).filter((l) => !phraseLists.has(l) && !l.complete() && l.dir));
      const loads = Array.from(byDocs, (l) => this.loadDocs(l, true));
      for (const l of new Set([...termLists, ...phraseLists])) if (!byDocs.has(l)) for (const part of l.missing()) loads.push(this.loadPart(l, part));
      await Promise.all(loads);
      for (;;) {
        let n = 0;
        const loads = new Map();
        for (const d of this.candidates) {
          if (!this.accept(d)) continue;
          const needs = [];
          const r = this.evaluate(this.root, d, needs);
          if (r.m === YES) n++;
          else if (r.m === MAYBE) for (const [l, part, positions] of needs) loads.set(l.key + "@" + l.level.name + "/" + part + (positions ? "p" : ""), [l, part, positions]);
        }
        if (!loads.size) return n;
        await Promise.all(Array.from(loads.values(), ([l, part, positions]) => (positions ? this.loadPositions(l, part) : this.loadPart(l, part))));
      }
    }

    evaluate(p, d, needs) {
      if (p.k === "term") {
        const l = p.list && p.list.at(d);
        if (l && l.docs) return l.docs.has(d) ? { m: YES, s: 0 } : NO_R;
      }
      return super.evaluate(p, d, needs);
    }
  }

  /** Number of start positions where every term sits at its offset (tantivy's phrase count). */
  function phraseCount(positions, offsets) {
    const max = Math.max(...offsets);
    let common = new Set(positions[0].map((q) => q + max - offsets[0]));
    for (let i = 1; i < positions.length; i++) {
      const next = new Set();
      for (const q of positions[i]) {
        const v = q + max - offsets[i];
        if (common.has(v)) next.add(v);
      }
      common = next;
    }
    return common.size;
  }

  /** The search over one exported site: meta, shards, filters, and documents. */
  class Engine {
    constructor(shards, meta) {
      this.shards = shards;
      this.meta = meta;
      this.caches = new Map();
      this.norms = new Map();
      /** The stemmer (`assets/stem.js`), once a query has needed it. */
      this.stemmer = null;
      this.schema = { fields: meta.fields, aliases: meta.aliases, default: meta.default };
      if (meta.format !== 5) throw new Error("search index format " + meta.format + " is not supported");
      // Positions files hold those of POS_GROUP shards or packs each.
      const group = (n, count) => hex(Math.floor(n / POS_GROUP), Math.ceil(count / POS_GROUP));
      this.levels = meta.levels.map(([name, start, end, shards, packs, bases]) => ({
        name,
        start,
        end,
        bases,
        shardOf: (key) => name + "/t/" + hex(fnv32(key) & (shards - 1), shards),
        shardPositionsOf: (key) => name + "/tp/" + group(fnv32(key) & (shards - 1), shards),
        packOf: (key) => name + "/s/" + hex(fnv32(key) & (packs - 1), packs),
        packPositionsOf: (key) => name + "/sp/" + group(fnv32(key) & (packs - 1), packs),
      }));
    }
    cache(field) {
      if (!this.caches.has(field)) this.caches.set(field, tfCache(this.meta.fields[field][2], this.meta.docs));
      return this.caches.get(field);
    }
    /** The fieldnorms of a field's documents that loaded postings have told. */
    knownNorms(field) {
      if (!this.norms.has(field)) this.norms.set(field, new Map());
      return this.norms.get(field);
    }
    /** The values a filter offers, as [value, key]; customers are in their own file. */
    async filterValues(kind) {
      if (kind === "customer") return this.shards.load("f/customer");
      return this.meta.filters[kind] || [];
    }
    /** filters: {severity: "P1", customer: "…", year: "2025", status: "…"}; returns a predicate. */
    async filter(filters) {
      const sets = [];
      for (const [kind, wanted] of Object.entries(filters)) {
        if (!wanted) continue;
        const values = (await this.filterValues(kind)).filter((v) => v[0].toLowerCase() === String(wanted).toLowerCase());
        if (!values.length) return () => false;
        const union = new Set();
        for (const [value, key] of values) {
          // Customers share files (f/c/<group>, by name); other values have one each.
          const docs = kind === "customer" ? (await this.shards.load("f/c/" + key))[value] : await this.shards.load("f/" + kind + "/" + key);
          let d = -1;
          for (const delta of decode(docs)) union.add((d += delta));
        }
        sets.push(union);
      }
      return (d) => sets.every((s) => s.has(d));
    }
    /** The customer filter values that are no customer's name (ignoring case), each with the
     *  names that contain it, as the CLI's `suggestions`: [{filter, value, names}]. */
    async suggest(filters) {
      const out = [];
      const value = filters && filters.customer;
      if (!value) return out;
      const names = (await this.filterValues("customer")).map((v) => v[0]);
      const w = String(value).trim().toLowerCase();
      if (names.some((n) => n.toLowerCase() === w)) return out;
      const partial = w ? names.filter((n) => n.toLowerCase().includes(w)) : [];
      // Sorted by code point, as the CLI's BTreeSet sorts them.
      partial.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      out.push({ filter: "customer", value: String(value), names: partial.slice(0, SUGGESTIONS_MAX) });
      return out;
    }
    /** The stems of `query`'s words as a word → stem function for analyzeEn, found in the
     *  vocabulary (`w/`: every word of the records, with its stem and the other words of that
     *  stem) so that the stemmer is not loaded; it is loaded for a word that no record holds
     *  (whose stem may still be another word's). With the vocabulary, a word of a hit's text
     *  outside the families of the query's words gets `null`: it is none of the query's stems.
     *  A term of another field (`severity:P1`) marks the words of the text whose stem it is
     *  (the CLI's snippet): its family when it is its own stem, else the stemmer tells. */
    async stems(query) {
      if (!grammar && !simpleWords(query)) useParser(await this.shards.load("parse"));
      const words = new Set();
      const collected = withStems((w) => (words.add(w), w), () => plan(query, this.schema));
      const others = new Set();
      for (const leaf of positiveLeaves(collected, [], false)) {
        if (leaf.k === "term" && this.schema.fields[leaf.f][1] === "kw" && /^[\p{Alphabetic}\p{N}]+$/u.test(leaf.t)) others.add(leaf.t);
      }
      const count = this.meta.words;
      const known = new Map();
      let unknown = !count && words.size + others.size > 0;
      const lookup = async (w, own) => {
        const shard = await this.shards.load("w/" + hex(fnv32(w) & (count - 1), count));
        const entry = Object.prototype.hasOwnProperty.call(shard, w) ? shard[w] : null;
        const [s, ...family] = typeof entry === "string" ? [entry] : entry || [null];
        if (s === null || (own && s !== w)) return void (unknown = true);
        for (const f of [w, ...family]) known.set(f, s);
      };
      if (count) await Promise.all([...Array.from(words, (w) => lookup(w, false)), ...Array.from(others, (w) => lookup(w, true))]);
      if (unknown && !this.stemmer) this.stemmer = await this.shards.load("stem");
      return unknown ? this.stemmer : (w) => (known.has(w) ? known.get(w) : null);
    }
    /** Runs a query: {plan, hits: [{score, doc, id, title, severity, status, date, path}]};
     *  `path` is the incident page's, relative to the site's root: a row carries it when the
     *  site named the page otherwise than `incidents/<id>.html` (`INC-1` beside `inc-1`, `index`,
     *  `2025`, `CON`…). */
    async search(query, filters, k) {
      const stems = await this.stems(query);
      const p = withStems(stems, () => plan(query, this.schema));
      const accept = await this.filter(filters || {});
      k = k || 10;
      const search = p.k === "empty" ? null : new Search(this, p, k, accept);
      const top = search ? await search.run() : [];
      // The total when it is known already: fewer hits than asked for, or one word without
      // filters (its document frequency); else `count()` finds it.
      let total = null;
      if (top.length < k) total = top.length;
      else if (p.k === "term" && !Object.values(filters || {}).some(Boolean)) total = p.list ? p.list.df : 0;
      const count = total !== null ? () => Promise.resolve(total) : () => new Count(this, withStems(stems, () => plan(query, this.schema)), Infinity, accept).run();
      const rows = await Promise.all(top.map(([, d]) => this.shards.load("d/" + Math.floor(d / this.meta.bucket))));
      const hits = top.map(([score, d], i) => {
        const row = rows[i].find((r) => r[0] === d);
        const path = row[6] || "incidents/" + encodeURIComponent(row[1]) + ".html";
        return { score, doc: d, id: row[1], title: row[2], severity: row[3], status: row[4], date: row[5], path };
      });
      const atLeast = search ? search.matched : 0;
      return { plan: p, parsed: show(p, this.schema), hits, total, atLeast, count, stems };
    }
    /** What a result of `search` shows of each of its hits: the snippet (as the CLI cuts it)
     *  and the fields it matched in; loads one `x/` file per hit. Returns
     *  [{snippet: {text, highlights}, fields}] in the order of `result.hits`. */
    explain(result) {
      return Promise.all(result.hits.map((_, i) => this.explainHit(result, i)));
    }
    /** The same for the `i`th hit of `result` alone (the page asks for a hit when it is
     *  scrolled into view): loads its `x/` file. */
    async explainHit(result, i) {
      const hit = result.hits[i];
      if (!result.weights) result.weights = snippetWeights(result.plan);
      const x = await this.shards.load("x/" + hit.doc).then(inflate);
      return withStems(result.stems, () => ({ snippet: snippet(x[0], result.weights), fields: matchedFields(result.plan, this.schema, x, hit) }));
    }
  }

  // ---------------------------------------------------------------- explaining a hit

  /** Longest snippet (tantivy's max_num_chars: bytes of UTF-8, as the CLI sets it). */
  const SNIPPET_CHARS = 200;
  /** The fields a word of `text` is said to have matched in (SECTIONS in src/index/search.rs). */
  const SECTIONS = ["title", "root_cause", "factors", "detection", "impact", "timeline", "resolution", "lessons", "actions", "customer", "owner"];
  /** Rust's char::is_whitespace. */
  const RUST_WS = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;

  const Z85 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
  const Z85_DIGIT = new Int8Array(128).fill(-1);
  for (let i = 0; i < 85; i++) Z85_DIGIT[Z85.charCodeAt(i)] = i;

  /** Z85 text → its bytes: four bytes (big-endian) per five digits; a last group of `r + 1`
   *  digits holds `r` bytes and is padded with the largest digit (enc::z85 in export.rs). */
  function unz85(s) {
    const n = s.length;
    const out = new Uint8Array(Math.floor(n / 5) * 4 + (n % 5 && (n % 5) - 1));
    for (let i = 0, o = 0; i < n; i += 5) {
      let v = 0;
      for (let j = i; j < i + 5; j++) {
        const d = j < n ? Z85_DIGIT[s.charCodeAt(j)] : 84;
        if (d === undefined || d < 0) throw new Error("corrupt search shard");
        v = v * 85 + d;
      }
      for (let k = 3; k >= 0 && o < out.length; k--, o++) out[o] = Math.floor(v / 2 ** (8 * k)) & 255;
    }
    return out;
  }

  /** Raw-deflated Z85 → a Response over the bytes it holds. */
  function inflated(z85) {
    return new Response(new Blob([unz85(z85)]).stream().pipeThrough(new DecompressionStream("deflate-raw")));
  }

  async function inflateBytes(z85) {
    return new Uint8Array(await inflated(z85).arrayBuffer());
  }

  async function inflateText(z85) {
    return inflated(z85).text();
  }

  /** An `x/` file's data: raw deflate in Z85 → the JSON it holds. */
  async function inflate(z85) {
    return JSON.parse(await inflateText(z85));
  }

  /** The positive leaves of a plan (terms and phrases not under a `-`/`NOT`). */
  function positiveLeaves(p, out, negated) {
    if ((p.k === "term" || p.k === "phrase") && !negated) out.push(p);
    else if (p.k === "bool") p.c.forEach(([o, c]) => positiveLeaves(c, out, negated || o === "not"));
    return out;
  }

  /** Whether the tokens of `text` (analyzed `en`) hold a leaf: its term, or its phrase. */
  function holds(leaf, tokens) {
    if (leaf.k === "term") return tokens.some((t) => t[1] === leaf.t);
    const at = new Map();
    for (const [pos, term] of tokens) at.set(pos + "\u0000" + term, true);
    const [first, ...rest] = leaf.terms;
    return tokens.some(([pos, term]) => term === first[1] && rest.every(([o, t]) => at.has(pos - first[0] + o + "\u0000" + t)));
  }

  /** tantivy's SnippetGenerator on `text` with the CLI's weights (`1 / (1 + df)` of each
   *  term searched for, the largest for a term of several fields), then the CLI's snippet:
   *  the best fragment with `…` where it is cut, its line breaks as spaces, the highlights as
   *  code point offsets; or, when no term is in the text, its start. */
  function snippet(text, weights) {
    // Byte offset of each UTF-16 offset (tantivy measures fragments in bytes).
    const bytes = new Int32Array(text.length + 1);
    for (let i = 0, b = 0; i <= text.length; ) {
      bytes[i] = b;
      if (i === text.length) break;
      const cp = text.codePointAt(i);
      const n = cp > 0xffff ? 2 : 1;
      if (n === 2) bytes[i + 1] = b;
      b += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      i += n;
    }
    const fragments = [];
    let fragment = { score: 0, start: 0, stop: 0, marks: [] };
    for (const [, term, from, to] of analyzeEn(text)) {
      if (bytes[to] - bytes[fragment.start] > SNIPPET_CHARS) {
        if (fragment.score > 0) fragments.push(fragment);
        fragment = { score: 0, start: from, stop: from, marks: [] };
      }
      fragment.stop = to;
      const w = weights.get(term);
      if (w !== undefined) {
        fragment.score = f32(fragment.score + w);
        fragment.marks.push([from, to]);
      }
    }
    if (fragment.score > 0) fragments.push(fragment);
    let best = null;
    for (const f of fragments) if (!best || f.score > best.score) best = f;
    const points = (s) => Array.from(s).length;
    if (!best || !best.marks.length) {
      const chars = Array.from(text);
      let end = chars.length > SNIPPET_CHARS ? chars.slice(0, SNIPPET_CHARS).join("").length : text.length;
      if (end < text.length) {
        let ws = -1;
        for (let i = end - 1; i >= 0; i--) {
          if (RUST_WS.test(text[i])) {
            ws = i;
            break;
          }
        }
        if (ws >= 0) end = ws;
      }
      let out = text.slice(0, end);
      while (out && RUST_WS.test(out[out.length - 1])) out = out.slice(0, -1);
      if (end < text.length) out += "…";
      return { text: out.replace(/\n/g, " "), highlights: [] };
    }
    const shift = best.start > 0 ? 1 : 0;
    let out = (shift ? "…" : "") + text.slice(best.start, best.stop).replace(/\n/g, " ");
    if (best.stop < text.length) out += "…";
    const highlights = best.marks.map(([from, to]) => [points(text.slice(best.start, from)) + shift, points(text.slice(best.start, to)) + shift]);
    return { text: out, highlights };
  }

  /** The snippet weights of a plan that has run (its leaves know their document
   *  frequencies): as the CLI's snippet_generator computes them. */
  function snippetWeights(p) {
    const weights = new Map();
    for (const leaf of positiveLeaves(p, [], false)) {
      const pairs = leaf.k === "term" ? [[leaf.t, leaf.list]] : leaf.terms.map(([, t], i) => [t, leaf.lists && leaf.lists[i]]);
      for (const [term, list] of pairs) {
        const df = list ? list.df : 0;
        if (df <= 0) continue;
        const w = f32(1 / f32(1 + df));
        if (!weights.has(term) || weights.get(term) < w) weights.set(term, w);
      }
    }
    return weights;
  }

  /** The fields a hit matched in, as the CLI names them: each positive leaf's field, or for a
   *  leaf of `text`, the SECTIONS that have it (`text` when none does), in schema order.
   *  `x` is the hit's `x/` file, `hit` its row. */
  function matchedFields(p, schema, x, hit) {
    const [text, byField] = x;
    const values = (f) => (byField[f] || []).map((v) => (typeof v === "string" ? v : text.slice(v[0], v[1])));
    const tokens = new Map();
    const has = (f, leaf) => {
      const name = schema.fields[f][0];
      if (schema.fields[f][1] === "kw") {
        const value = { id: hit.id, severity: hit.severity, status: hit.status, year: (hit.date || "").slice(0, 4) }[name];
        return value !== undefined && value !== "" && leaf.k === "term" && lower(value) === leaf.t;
      }
      if (!tokens.has(f)) tokens.set(f, name === "text" ? [analyzeEn(text)] : values(f).map(analyzeEn));
      return tokens.get(f).some((t) => holds(leaf, t));
    };
    const out = new Set();
    for (const leaf of positiveLeaves(p, [], false)) {
      if (!has(leaf.f, leaf)) continue;
      let found = false;
      if (schema.fields[leaf.f][0] === schema.default) {
        for (const name of SECTIONS) {
          const f = schema.fields.findIndex((x) => x[0] === name);
          if (f >= 0 && has(f, Object.assign({}, leaf, { f }))) {
            out.add(f);
            found = true;
          }
        }
      }
      if (!found) out.add(leaf.f);
    }
    return Array.from(out)
      .sort((a, b) => a - b)
      .map((f) => schema.fields[f][0]);
  }

  /** Most names a suggestion lists (SUGGESTIONS_MAX in src/index/mod.rs). */
  const SUGGESTIONS_MAX = 8;

  // ---------------------------------------------------------------- the page

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    for (const c of children) if (c !== null && c !== undefined) e.append(c);
    return e;
  }

  /** True for a code point that the pages show as a visible escape (`isHidden` of src/text.rs):
   *  controls other than tab and line breaks, C1, bidi embeddings, overrides and isolates,
   *  noncharacters. */
  function isHidden(cp) {
    if (cp === 9 || cp === 10 || cp === 13) return false;
    return (
      cp <= 0x1f ||
      (cp >= 0x7f && cp <= 0x9f) ||
      (cp >= 0xfdd0 && cp <= 0xfdef) ||
      (cp >= 0x202a && cp <= 0x202e) ||
      (cp >= 0x2066 && cp <= 0x2069) ||
      (cp & 0xfffe) === 0xfffe
    );
  }

  /** A filter value as the pages show it (`\u{202e}` for a hidden character), and back: a
   *  filter field holds the shown text, the query the record's own. */
  const showValue = (v) => Array.from(v, (c) => (isHidden(c.codePointAt(0)) ? "\\u{" + c.codePointAt(0).toString(16) + "}" : c)).join("");
  const realValue = (v) =>
    v.replace(/\\u\{([0-9a-f]{1,6})\}/g, (m, hex) => {
      const cp = parseInt(hex, 16);
      return cp <= 0x10ffff && isHidden(cp) ? String.fromCodePoint(cp) : m;
    });

  /** A snippet ({text, highlights: [[start, end]…] in code points}) as a paragraph with its
   *  matched words in <mark>: text nodes only, hidden characters as visible escapes. */
  function marked(sn) {
    const p = el("p", { class: "snippet" });
    const chars = Array.from(sn.text);
    let at = 0;
    for (const [start, end] of sn.highlights) {
      if (start < at || end > chars.length) continue;
      p.append(showValue(chars.slice(at, start).join("")), el("mark", {}, showValue(chars.slice(start, end).join(""))));
      at = end;
    }
    p.append(showValue(chars.slice(at).join("")));
    return p;
  }

  /** Field names as the result list says them ("matched in root cause, action items"). */
  const FIELD_LABELS = {
    text: "other sections",
    root_cause: "root cause",
    factors: "contributing factors",
    went_well: "what went well",
    to_improve: "what to improve",
    lessons: "lessons learned",
    actions: "action items",
    customer: "customers",
    owner: "owners",
  };
  const fieldLabel = (name) => FIELD_LABELS[name] || name;

  /** "Top 10 of 757 results." and the like. */
  function summary(shown, total, atLeast) {
    const results = (n) => n + " result" + (n === 1 ? "" : "s");
    if (!shown) return "No record matches.";
    if (total === null) return "Top " + shown + " of at least " + results(atLeast) + "; counting…";
    return shown === total ? results(total) + "." : "Top " + shown + " of " + results(total) + ".";
  }

  function startPage() {
    const script = document.currentScript;
    const form = document.getElementById("search-form");
    const input = document.getElementById("q");
    const results = document.getElementById("results");
    const status = document.getElementById("search-status");
    if (!form || !input || !results || !status) return;
    const root = (script && script.dataset.root) || "";
    const shards = new Shards(root + "search/");
    global.IASearch = (name, data) => shards.register(name, data);
    const kinds = ["severity", "customer", "year", "status"];
    const body = document.body.dataset;
    let engine = null;
    let shown = 10;
    // Each run has a number; a run that a newer one overtook shows nothing.
    let generation = 0;
    let timer = null;
    const say = (msg) => (status.textContent = msg);
    let error = document.getElementById("search-error");
    if (!error) {
      error = el("div", { id: "search-error", class: "search-error", hidden: "" });
      form.after(error);
    }
    let hint = document.getElementById("search-hint");
    if (!hint) {
      hint = el("p", { id: "search-hint", class: "search-hint", hidden: "" });
      error.after(hint);
    }

    /** The error under the form, and the query with a caret under the column it is at. */
    function showError(e) {
      const where = e instanceof QueryError && e.column ? " (column " + e.column + ")" : "";
      error.replaceChildren(el("p", {}, e.message + where));
      if (where) {
        // One character a column, as the CLI counts them (hidden ones shown as U+FFFD).
        const line = Array.from(input.value, (c) => (isHidden(c.codePointAt(0)) ? "\ufffd" : c)).join("");
        error.append(el("pre", { class: "caret", "data-column": String(e.column) }, line + "\n" + " ".repeat(e.column - 1) + "^"));
      }
      error.hidden = false;
      input.setAttribute("aria-invalid", "true");
    }
    function clearError() {
      error.hidden = true;
      error.replaceChildren();
      input.removeAttribute("aria-invalid");
    }

    /** "No customer named `Globex`; did you mean" and a button per name that contains it. */
    function showHints(list) {
      hint.replaceChildren();
      hint.hidden = !list.length;
      for (const s of list) {
        hint.append("No " + s.filter + " named ", el("code", {}, showValue(s.value)), s.names.length ? "; did you mean " : ".");
        s.names.forEach((name, i) => {
          const b = el("button", { type: "button", class: "suggestion" }, showValue(name));
          b.addEventListener("click", () => {
            const field = document.getElementById(s.filter);
            if (field) field.value = showValue(name);
            now();
          });
          hint.append(i ? ", " : "", b);
        });
        if (s.names.length) hint.append("?");
      }
    }

    function filters() {
      const out = {};
      for (const kind of kinds) {
        const field = document.getElementById(kind);
        if (field && field.value.trim()) out[kind] = realValue(field.value.trim());
      }
      return out;
    }

    async function run(limit) {
      const mine = ++generation;
      clearTimeout(timer);
      // As typed: the CLI parses (and counts the columns of) the query untrimmed.
      const query = input.value;
      const wanted = filters();
      const params = new URLSearchParams();
      if (query.trim()) params.set("q", query);
      for (const [kind, v] of Object.entries(wanted)) params.set(kind, showValue(v));
      try {
        history.replaceState(null, "", "?" + params.toString());
      } catch (_) {
        /* file:// pages may refuse; the search still runs */
      }
      clearError();
      if (!query.trim()) {
        results.replaceChildren();
        showHints([]);
        more.hidden = true;
        say("Type words to search for.");
        body.searchState = "done";
        body.countState = "done";
        return;
      }
      say("Searching…");
      body.searchState = "busy";
      body.countState = "busy";
      try {
        const [r, hints] = await Promise.all([engine.search(query, wanted, limit), engine.suggest(wanted)]);
        if (mine !== generation) return;
        const items = r.hits.map((hit) => {
          const link = el("a", { href: root + hit.path }, hit.id);
          const facts = [hit.severity, hit.date, hit.status].filter(Boolean).join(" · ");
          return el(
            "li",
            { class: "hit", "data-id": hit.id, "data-score": String(hit.score) },
            el("h3", {}, link, " ", el("span", { class: "hit-title" }, hit.title)),
            el("p", { class: "hit-facts" }, facts),
            // Room for the snippet while its file loads: the hits below do not move into view
            // (and load theirs) only to be pushed out again.
            el("p", { class: "snippet" }),
          );
        });
        results.replaceChildren(...items);
        explainInView(r, items, mine);
        showHints(hints);
        say(summary(r.hits.length, r.total, r.atLeast));
        status.dataset.parsed = r.parsed;
        if (r.total !== null) status.dataset.total = String(r.total);
        else delete status.dataset.total;
        more.hidden = r.hits.length < limit;
        body.searchState = "done";
        const total = r.total !== null ? r.total : await r.count();
        if (mine !== generation) return;
        say(summary(r.hits.length, total, total));
        status.dataset.total = String(total);
        body.countState = "done";
      } catch (e) {
        if (mine !== generation) return;
        results.replaceChildren();
        more.hidden = true;
        // The status line (read out) says what and where; the box under the form shows where.
        say(e instanceof QueryError && e.column ? e.message + " (column " + e.column + ")" : e.message);
        if (e instanceof QueryError) showError(e);
        body.searchState = "done";
        body.countState = "done";
      }
    }

    /** Snippets and matched fields, one small `x/` file per hit: for the hits on screen (or
     *  scrolled into it) only; until then a hit shows its title and facts. A hit explained has
     *  `data-fields` (empty when its file could not be read). */
    let watching = null;
    function explainInView(r, items, mine) {
      if (watching) watching.disconnect();
      const explain = (li) => {
        const i = items.indexOf(li);
        engine
          .explainHit(r, i)
          .catch(() => null)
          .then((x) => {
            if (mine !== generation) return;
            if (x) {
              const old = li.querySelector(".snippet");
              if (old) old.replaceWith(marked(x.snippet));
              else li.append(marked(x.snippet));
              if (x.fields.length) li.append(el("p", { class: "hit-fields" }, "Matched in " + x.fields.map(fieldLabel).join(", ")));
            }
            li.dataset.fields = x ? x.fields.join(" ") : "";
          });
      };
      if (typeof IntersectionObserver !== "function") return items.forEach(explain);
      const io = new IntersectionObserver((seen) => {
        for (const e of seen) {
          if (!e.isIntersecting) continue;
          io.unobserve(e.target);
          explain(e.target);
        }
      });
      items.forEach((li) => io.observe(li));
      watching = io;
    }

    /** Runs the search from the first results again: at once, or after a pause in typing. */
    function now() {
      shown = 10;
      run(shown);
    }
    function soon() {
      clearTimeout(timer);
      timer = setTimeout(now, 200);
    }

    const more = el("button", { type: "button", id: "more-results", hidden: "" }, "More results");
    results.after(more);
    more.addEventListener("click", () => run((shown += 10)));
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      if (engine) now();
    });
    input.setAttribute("aria-describedby", ((input.getAttribute("aria-describedby") || "") + " search-error search-hint").trim());

    say("Loading the search index…");
    shards
      .load("meta")
      .then((meta) => {
        engine = new Engine(shards, meta);
        for (const kind of kinds) {
          const field = document.getElementById(kind);
          const list = document.getElementById(kind + "-values") || (field && field.tagName === "SELECT" ? field : null);
          if (field) {
            // A filter re-runs the search: a list at once, a typed name after a pause.
            field.addEventListener("change", now);
            if (field.tagName !== "SELECT") field.addEventListener("input", soon);
          }
          if (!list) continue;
          const fill = (pairs) => {
            const values = pairs.map((v) => v[0]);
            if (kind === "year") values.sort().reverse();
            else values.sort((a, b) => a.localeCompare(b));
            for (const v of values.map(showValue)) list.append(el("option", { value: v }, list.tagName === "SELECT" ? v : null));
          };
          if (kind !== "customer") fill(meta.filters[kind] || []);
          else if (field) {
            // Thousands of names: loaded when the field is first used, not with every search.
            let asked = false;
            field.addEventListener("focus", () => {
              if (!asked) engine.filterValues(kind).then(fill, (e) => say(e.message));
              asked = true;
            });
          }
        }
        input.addEventListener("input", soon);
        const params = new URLSearchParams(location.search);
        input.value = params.get("q") || "";
        for (const kind of kinds) {
          const field = document.getElementById(kind);
          if (field && params.get(kind)) field.value = params.get(kind);
        }
        say("");
        body.searchState = "ready";
        if (input.value) run(shown);
      })
      .catch((e) => say(e.message));
  }

  if (typeof module === "object" && module.exports) {
    module.exports = { FIELD_NORMS, analyze, stem, useStemmer, useParser, simpleWords, parseQuery, shardFile, plan, show, showValue, realValue, parsePostings, decode, idf, tfCache, tfFactor, fnv32, Engine, QueryError };
  } else if (typeof document !== "undefined") {
    startPage();
  }
})(typeof globalThis !== "undefined" ? globalThis : this);
