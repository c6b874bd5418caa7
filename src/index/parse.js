/**
 * parse.js: the query grammar of the site's search, a port of tantivy's strict query grammar
 * (tantivy-query-grammar, `parse_to_ast`): words, "phrases", 'phrases', +/-, NOT, AND/OR,
 * parentheses and field:term / field:(group). Ranges, sets, regexes, `*`, boosts, slop and
 * prefixes are recognised and reported as CLI-only; a query it rejects gets the CLI's message
 * and caret column.
 *
 * search.js reads a query of words alone without it (`simpleWords`), and loads it for the first
 * query that is more than that. This is the source; the site ships its minified build,
 * site-templates/assets/parse.js (`npm run build` in tests/browser, with search.js). As a classic
 * script it registers `IASearch("parse", grammar)`; as a node module it exports `grammar`: given
 * search.js's QueryError, cliOnly, clause, unary and rewrite, it returns the parser, query text
 * → AST (`rewrite_ast` applied).
 */
(function () {
  "use strict";

  function grammar({ QueryError, cliOnly, clause, unary, rewrite }) {
    const SPECIAL_CHARS = "+^`:{}\"'[]()!\\* ";
    const ESCAPE_IN_WORD = "^`:{}\"'[]()\\";
    const isWs = (c) => c !== undefined && /\s/.test(c);
    const isMultispace = (c) => c === " " || c === "\t" || c === "\r" || c === "\n";

    function ws0(s, i) {
      while (i < s.length && isMultispace(s[i])) i++;
      return i;
    }
    function ws1(s, i) {
      const j = ws0(s, i);
      return j > i ? j : -1;
    }

    /** The farthest place the parser expected something it did not find, and what: the error
     *  tantivy's lenient parser (which gives the CLI its message and caret) reports first. */
    let farthest = null;
    function expected(i, message) {
      if (!farthest || i > farthest.i) farthest = { i, message };
    }

    function parseQuery(s) {
      farthest = null;
      let i = ws0(s, 0);
      let ast = null;
      const r = astP(s, i);
      if (r) {
        ast = r.v;
        i = r.i;
      }
      if (i !== s.length) throw syntaxError(s, i);
      return rewrite(ast || clause([]));
    }

    /** The error of a query the grammar rejects, with the 1-based column (in code points, of the
     *  query as typed: leading spaces count) that the CLI's caret points at. */
    function syntaxError(s, i) {
      const at = (j, message) => new QueryError(message, Array.from(s.slice(0, j)).length + 1);
      const head = /^[ \t\r\n]*(AND|OR)[ \t\r\n]/.exec(s);
      // tantivy's quirk: an operator before the first term is reported at the end of the query.
      if (head) return at(s.length, "Found unexpected boolean operator before term");
      // A trailing operator: tantivy's lenient parser finds nothing to report.
      if (/[ \t\r\n](AND|OR)[ \t\r\n]*$/.test(s)) return new QueryError("could not parse the query");
      const m = /^[ \t\r\n]*NOT[ \t\r\n]*$/.exec(s);
      if (m) return at(s.indexOf("NOT"), "parsed keyword NOT as term. It should be quoted");
      // `a:b:c`: a word that reads as a field name after a field.
      const field = /(^|[ \t\r\n(+-])[^ \t\r\n:()"'\\]+:[^ \t\r\n:()"'\\]+:/.exec(s);
      if (field) return at(field.index + field[1].length + field[0].slice(field[1].length).indexOf(":") + 1, "parsed possible invalid field as term");
      if (farthest && farthest.i >= i) return at(farthest.i, farthest.message);
      return at(i, "unparsed end of query");
    }

    function astP(s, i) {
      i = ws0(s, i);
      const first = occurLeaf(s, i);
      if (!first) {
        expected(i, "expected word");
        return null;
      }
      const rest = first.i;
      const j = ws1(s, rest);
      if (j >= 0) {
        const more = [];
        let k = j;
        for (;;) {
          const r = operandLeaf(s, k);
          if (!r) break;
          more.push(r.v);
          k = r.i;
        }
        if (more.length) {
          return { v: aggregate([[null, first.v[0], first.v[1]]].concat(more)), i: ws0(s, k) };
        }
      }
      const [occur, ast] = first.v;
      return { v: occur === "not" ? unary("not", ast) : ast, i: ws0(s, rest) };
    }

    function occurLeaf(s, i) {
      let occur = null;
      if (s[i] === "-") {
        occur = "not";
        i++;
      } else if (s[i] === "+") {
        occur = "must";
        i++;
      }
      const r = boostedLeaf(s, i);
      if (!r && occur) expected(i, "expected word");
      return r && { v: [occur, r.v], i: r.i };
    }

    function operandLeaf(s, i) {
      let op = null;
      let j = i;
      if (s.startsWith("AND ", i)) {
        op = "and";
        j = i + 4;
      } else if (s.startsWith("OR ", i)) {
        op = "or";
        j = i + 3;
      }
      j = ws0(s, j);
      const r = occurLeaf(s, j);
      if (!r && op) expected(j, "expected word");
      return r && { v: [op, r.v[0], r.v[1]], i: ws0(s, r.i) };
    }

    function boostedLeaf(s, i) {
      const r = leaf(s, i);
      if (!r) return null;
      const m = /^\^(\d+(\.\d+)?)/.exec(s.slice(r.i));
      if (m) {
        const boost = parseFloat(m[1]);
        const j = r.i + m[0].length;
        return Math.abs(boost - 1) > Number.EPSILON ? { v: { t: "boost", a: r.v, b: boost }, i: j } : { v: r.v, i: j };
      }
      return r;
    }

    function starEnds(s, j) {
      const c = s[j];
      return j >= s.length || isMultispace(c) || c === ")" || (ESCAPE_IN_WORD.includes(c) && c !== "\\");
    }

    function leaf(s, i) {
      if (s[i] === "(") {
        const r = astP(s, i + 1);
        if (r && s[r.i] === ")") return { v: r.v, i: r.i + 1 };
        if (r) expected(r.i, "expected ')'");
      }
      if (s[i] === "*" && starEnds(s, i + 1)) return { v: { t: "all" }, i: i + 1 };
      if (s.startsWith("NOT", i)) {
        const j = ws1(s, i + 3);
        if (j >= 0) {
          const r = leaf(s, j);
          if (r) return { v: unary("not", r.v), i: r.i };
        }
      }
      return literal(s, i);
    }

    function fieldName(s, i) {
      let name = "";
      let j = i;
      const special = (c) => SPECIAL_CHARS.includes(c);
      if (j >= s.length) return null;
      if (s[j] === "\\" && j + 1 < s.length && special(s[j + 1])) {
        name += s[j + 1];
        j += 2;
      } else if (!special(s[j]) && s[j] !== "-") {
        name += s[j];
        j++;
      } else {
        return null;
      }
      while (j < s.length) {
        if (!special(s[j])) {
          name += s[j];
          j++;
        } else if (s[j] === "\\" && j + 1 < s.length && special(s[j + 1])) {
          name += s[j + 1];
          j += 2;
        } else if (s[j] === "\\") {
          name += "\\";
          j++;
        } else {
          break;
        }
      }
      j = ws0(s, j);
      if (s[j] !== ":") return null;
      return { v: name, i: ws0(s, j + 1) };
    }

    function literal(s, i) {
      const f = fieldName(s, i);
      const j = f ? f.i : i;
      const c = s[j];
      if (c === "[" || c === "{" || c === "<" || c === ">") throw cliOnly("ranges");
      if (/^IN\s+\[/.test(s.slice(j))) throw cliOnly("`IN [...]` sets");
      if (c === "*" && starEnds(s, j + 1)) throw cliOnly("`field:*` queries");
      if (c === "/" && /^\/(\\\/|[^/])+\/(\s|\)|\^|$)/.test(s.slice(j))) throw cliOnly("regex queries");
      const t = termOrPhrase(s, j);
      if (t) {
        t.v.f = f ? f.v : null;
        return t;
      }
      if (f) {
        // term_group: field:( ast )
        let k = f.i;
        if (s[k] === "(") {
          const r = astP(s, ws0(s, k + 1));
          if (r && s[r.i] === ")") {
            setDefaultField(r.v, f.v);
            return { v: r.v, i: r.i + 1 };
          }
          if (r) expected(r.i, "expected ')'");
        }
        expected(k, "expected word");
      }
      return null;
    }

    function setDefaultField(ast, field) {
      if (ast.t === "c") ast.c.forEach(([, a]) => setDefaultField(a, field));
      else if (ast.t === "boost") setDefaultField(ast.a, field);
      else if (ast.t === "lit" && ast.f === null) ast.f = field;
    }

    function quoted(s, i, q) {
      if (s[i] !== q) return null;
      let out = "";
      let j = i + 1;
      while (j < s.length && s[j] !== q) {
        if (s[j] === "\\" && j + 1 < s.length) {
          const cp = s.codePointAt(j + 1);
          out += String.fromCodePoint(cp);
          j += 1 + (cp > 0xffff ? 2 : 1);
        } else {
          out += s[j];
          j++;
        }
      }
      if (s[j] !== q) {
        expected(j, "missing delimiter \\" + q);
        return null;
      }
      return { v: out, i: j + 1 };
    }

    function word(s, i) {
      let j = i;
      let raw = "";
      const take = (first) => {
        if (j >= s.length) return false;
        if (s[j] === "\\" && j + 1 < s.length) {
          const cp = s.codePointAt(j + 1);
          const n = 1 + (cp > 0xffff ? 2 : 1);
          raw += s.slice(j, j + n);
          j += n;
          return true;
        }
        const c = s[j];
        if (isWs(c) || ESCAPE_IN_WORD.includes(c) || (first && c === "-")) return false;
        raw += c;
        j++;
        return true;
      };
      if (!take(true)) return null;
      while (take(false));
      if (raw === "OR" || raw === "AND" || raw === "NOT" || raw === "IN") return null;
      return { v: raw.includes("\\") ? interpretEscape(raw) : raw, i: j };
    }

    function interpretEscape(source) {
      let out = "";
      let escape = false;
      for (const c of source) {
        if (escape) {
          if (!(isWs(c) || ESCAPE_IN_WORD.includes(c) || c === "-")) out += "\\";
          out += c;
          escape = false;
        } else if (c === "\\") {
          escape = true;
        } else {
          out += c;
        }
      }
      return out;
    }

    function termOrPhrase(s, i) {
      let r = null;
      let delimiter = "none";
      const neg = /^-\d+(\.\d+)?/.exec(s.slice(i));
      if (neg) {
        r = { v: neg[0], i: i + neg[0].length };
      } else if ((r = quoted(s, i, "'"))) {
        delimiter = "single";
      } else if ((r = quoted(s, i, '"'))) {
        delimiter = "double";
      } else {
        r = word(s, i);
      }
      if (!r) return null;
      let slop = 0;
      let prefix = false;
      let j = r.i;
      if (s[j] === "*") {
        prefix = true;
        j++;
      } else if (s[j] === "~") {
        const m = /^~(\d+)/.exec(s.slice(j));
        if (m) {
          slop = parseInt(m[1], 10);
          j += m[0].length;
        }
      }
      return { v: { t: "lit", f: null, p: r.v, d: delimiter, slop, prefix }, i: j };
    }

    /** tantivy's aggregate_infallible_expressions (no errors in strict mode). */
    function aggregate(leafs) {
      const clauses = [];
      const pushAnd = (item) => {
        if (clauses.length) clauses[clauses.length - 1].push(item);
        else clauses.push([item]);
      };
      for (let n = 0; n + 1 < leafs.length; n++) {
        const [prev, occur, ast] = leafs[n];
        const next = leafs[n + 1][0];
        if (prev === "and") {
          pushAnd([occur || "must", ast]);
        } else {
          const dflt = prev === "or" ? (next === "and" ? "must" : "should") : next === "and" ? "must" : next === "or" ? "should" : null;
          if (occur === "not" && dflt === "should") clauses.push([["should", unary("not", ast)]]);
          else clauses.push([[occur || dflt, ast]]);
        }
      }
      const [lastOp, lastOccur, lastAst] = leafs[leafs.length - 1];
      if (lastOp === "and") pushAnd([lastOccur || "must", lastAst]);
      else if (lastOp === "or") {
        if (lastOccur === "not") clauses.push([["should", unary("not", lastAst)]]);
        else clauses.push([[lastOccur || "should", lastAst]]);
      } else clauses.push([[lastOccur, lastAst]]);
      if (clauses.length === 1) {
        const c = clauses[0];
        if (c.length === 1 && c[0][0] !== "not") return c[0][1];
        return clause(c);
      }
      return clause(clauses.map((sub) => (sub.length === 1 ? sub[0] : ["should", clause(sub)])));
    }

    return parseQuery;
  }

  if (typeof module === "object" && module.exports) module.exports = grammar;
  else IASearch("parse", grammar);
})();
