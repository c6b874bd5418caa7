// The action-item tracker on actions.html: filters, sorting and paging over every action item,
// not one page of the static list (which stays what the page shows without script).
// - Data: tracker/*.js, classic scripts that call IATracker(name, data) (works from file://, under
//   the CSP; no fetch, no eval), loaded only when a view needs them: meta.js (dictionaries, where
//   every owner's items are), t<state>.js (the chunks of a state's list: items, first and last
//   due date), s<state>-<n>.js (each state's items by due date), o<owner>-<state>-<n>.js
//   (one owner's items), b<bucket>-<part>.js (items by the FNV-1a hash of their id and incident).
// - State: the whole view is the URL's fragment (#s=all&o=DB%20Team&sort=-days&p=2), so a view
//   can be shared and comes back on load and on back/forward. A fragment without "=" is an
//   item's anchor: #INC-2025-001/AI-2025-002 (or a bare #AI-2025-002: every item with that id).
// - Record text is untrusted: rows are built with createElement and textContent only.
(function () {
  "use strict";

  var section = document.getElementById("tracker");
  if (!section || !window.Promise) { return; }
  // The relative prefix to the site root (`""`, `"../"`), as the page wrote the script's path.
  var root = document.currentScript.getAttribute("src").replace(/assets\/actions\.js([?#].*)?$/, "");
  var PAGE = 50;
  var KEYS = ["s", "o", "t", "st", "sev", "c", "from", "to", "q", "sort", "p"];
  var DEFAULTS = { s: "overdue", o: "", t: "", st: "", sev: "", c: "", from: "", to: "", q: "", sort: "due", p: "1" };
  var STATES = { overdue: [0], open: [1], notdone: [0, 1], done: [2], all: [0, 1, 2] };
  var STATE_NAMES = ["Overdue", "Open", "Done"];
  var SORT_FIRST = { due: "", days: "-", owner: "", incident: "", severity: "" };

  var form = document.getElementById("tr-form");
  var countEl = document.getElementById("tr-count");
  var allLink = document.getElementById("tr-all");
  var table = document.getElementById("tr-table");
  var tbody = table.tBodies[0];
  var pageEl = document.getElementById("tr-page");
  var prev = document.getElementById("tr-prev");
  var next = document.getElementById("tr-next");

  // ----- loading data files -----

  var files = {};
  var waiting = {};
  window.IATracker = function (name, data) {
    var w = waiting[name];
    if (w) {
      delete waiting[name];
      w(data);
    }
  };
  function load(name) {
    if (!files[name]) {
      files[name] = new Promise(function (resolve, reject) {
        waiting[name] = function (data) {
          if (name === "meta") {
            // A team that is also an owner is written as the owner's code.
            data.t = data.t.map(function (t) { return typeof t === "number" ? data.o[t] : t; });
          }
          resolve(/^(meta|t\d)$/.test(name) ? data : decode(data));
        };
        var s = document.createElement("script");
        s.src = root + "tracker/" + name + ".js";
        s.onload = function () {
          s.remove();
          if (waiting[name]) { delete waiting[name]; delete files[name]; reject(new Error("tracker/" + name + ".js did not register")); }
        };
        s.onerror = function () { s.remove(); delete waiting[name]; delete files[name]; reject(new Error("cannot load tracker/" + name + ".js")); };
        document.head.appendChild(s);
      });
    }
    return files[name];
  }
  function decode(data) {
    var incs = data.i.map(function (x) {
      return { id: x[0], path: x[1] || "incidents/" + x[0] + ".html", sev: x[2], title: x[3], cust: x[4] };
    });
    return data.r.map(function (x) {
      var inc = incs[x[0]];
      return { inc: inc, pos: x[1], id: x[2], action: x[3], owner: x[4], due: x[5], status: x[6], state: x[7], text: null };
    });
  }

  /** FNV-1a (32 bits) of the UTF-8 bytes of s, as the site build computes it. */
  function fnv1a(s) {
    var bytes = new TextEncoder().encode(s);
    var h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) {
      h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
    }
    return h >>> 0;
  }

  // ----- the view in the URL -----

  /** True when the fragment names an element of the page other than a tracker row. */
  function pageAnchor() {
    var h = location.hash.slice(1);
    if (!h || h.indexOf("=") !== -1) { return false; }
    var id;
    try { id = decodeURIComponent(h); } catch (e) { id = h; }
    var target = document.getElementById(id);
    return !!target && !tbody.contains(target);
  }
  function readHash(hash) {
    var h = hash === undefined ? location.hash.slice(1) : hash;
    var v = {};
    KEYS.forEach(function (k) { v[k] = DEFAULTS[k]; });
    if (h && h.indexOf("=") === -1) {
      try { v.anchor = decodeURIComponent(h); } catch (e) { v.anchor = h; }
      return v;
    }
    h.split("&").forEach(function (pair) {
      var i = pair.indexOf("=");
      if (i < 1) { return; }
      var k = pair.slice(0, i);
      if (KEYS.indexOf(k) === -1) { return; }
      try { v[k] = decodeURIComponent(pair.slice(i + 1).replace(/\+/g, " ")); } catch (e) { /* keep the default */ }
    });
    if (!STATES[v.s]) { v.s = DEFAULTS.s; }
    if (!/^-?(due|days|owner|incident|severity)$/.test(v.sort)) { v.sort = DEFAULTS.sort; }
    if (!/^[1-9][0-9]*$/.test(v.p)) { v.p = "1"; }
    return v;
  }
  function writeHash(v) {
    return KEYS.filter(function (k) { return v[k] !== DEFAULTS[k]; })
      .map(function (k) { return k + "=" + encodeURIComponent(v[k]); })
      .join("&");
  }
  function fromForm() {
    var v = {};
    KEYS.forEach(function (k) { v[k] = field(k) ? field(k).value.trim() : DEFAULTS[k]; });
    v.sort = current.sort || DEFAULTS.sort;
    v.p = "1";
    return v;
  }
  function toForm(v) {
    KEYS.forEach(function (k) { if (field(k)) { field(k).value = v.anchor !== undefined ? DEFAULTS[k] : v[k]; } });
  }
  function field(name) {
    return form.querySelector("[name=\"" + name + "\"]");
  }
  function go(v, replace) {
    var h = writeHash(v);
    var url = location.pathname + location.search + (h ? "#" + h : "");
    if (replace) { history.replaceState(null, "", url); } else { history.pushState(null, "", url); }
    show(v);
  }

  // ----- choosing files and items -----

  function day(s) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) { return null; }
    return Math.round(Date.UTC(+s.slice(0, 4), +s.slice(5, 7) - 1, +s.slice(8, 10)) / 86400000);
  }
  function dateOf(d) {
    return new Date(d * 86400000).toISOString().slice(0, 10);
  }
  function codeOf(list, name) {
    if (!name) { return -1; }
    var i = list.indexOf(name);
    if (i !== -1) { return i; }
    var lower = name.toLowerCase();
    for (i = 0; i < list.length; i++) { if (list[i].toLowerCase() === lower) { return i; } }
    return -2;
  }

  /** The files a view needs, the filter of its items, and how many rows it will have when that
   *  is known without loading them (the first pages of a state's list by due date). */
  function plan(meta, tables, v) {
    var p = { files: [], keep: null, problem: "", total: null, offset: 0 };
    if (v.anchor !== undefined) {
      var a = v.anchor;
      var slash = a.indexOf("/");
      var buckets = meta.b.length;
      var add = function (id, inc) {
        var b = fnv1a(id) % buckets;
        if (inc === null) {
          for (var k = 0; k < meta.b[b]; k++) { p.files.push("b" + b + "-" + k); }
        } else {
          p.files.push("b" + b + "-" + fnv1a(inc) % meta.b[b]);
        }
      };
      if (slash > 0) {
        var inc = a.slice(0, slash);
        var id = a.slice(slash + 1);
        add(id, inc);
        if (/^[0-9]+$/.test(id)) { add("", inc); }
        add(a, null);
        p.keep = function (it) {
          return (it.inc.id === inc && (it.id === id || (it.id === "" && String(it.pos + 1) === id))) || it.id === a;
        };
      } else {
        add(a, null);
        p.keep = function (it) { return it.id === a; };
      }
      return p;
    }
    var states = STATES[v.s];
    var owner = codeOf(meta.o, v.o);
    var team = codeOf(meta.t, v.t);
    var status = codeOf(meta.st, v.st);
    var customer = codeOf(meta.c, v.c);
    if (owner === -2) { p.problem = "No owner is named “" + v.o + "”."; }
    if (team === -2) { p.problem = "No team is named “" + v.t + "”."; }
    if (status === -2) { p.problem = "No item has the status “" + v.st + "”."; }
    if (customer === -2) { p.problem = "No customer is named “" + v.c + "”."; }
    if (p.problem) { return p; }
    if (owner >= 0) { owner = [owner]; } else if (team >= 0) {
      owner = [];
      meta.ot.forEach(function (t, o) { if (t === team) { owner.push(o); } });
    } else { owner = null; }
    var from = day(v.from);
    var to = day(v.to);
    if (owner) {
      owner.forEach(function (o) {
        states.forEach(function (s) {
          for (var k = 0; k < meta.op[o][s][1]; k++) { p.files.push("o" + o + "-" + s + "-" + k); }
        });
      });
    } else {
      var plain = states.length === 1 && v.sort === "due" && from === null && to === null && !v.st && !v.sev && !v.c && !v.q;
      if (plain) {
        // The static list's order: load only the chunks of the page shown.
        var only = states[0];
        p.total = meta.n[only];
        p.offset = 0;
        var want = (Math.min(Number(v.p), Math.max(1, Math.ceil(p.total / PAGE))) - 1) * PAGE;
        var start = 0;
        tables[only].forEach(function (c, k) {
          var end = start + c[0];
          if (end > want && start < want + PAGE) {
            if (!p.files.length) { p.offset = start; }
            p.files.push("s" + only + "-" + k);
          }
          start = end;
        });
      } else {
        states.forEach(function (s) {
          tables[s].forEach(function (c, k) {
            var first = c[1], last = c[2];
            if ((from !== null || to !== null) && first === null) { return; }
            if (from !== null && last !== null && last < from) { return; }
            if (to !== null && first > to) { return; }
            p.files.push("s" + s + "-" + k);
          });
        });
      }
    }
    var words = v.q.toLowerCase().split(/\s+/).filter(Boolean);
    p.keep = function (it) {
      if (states.indexOf(it.state) === -1) { return false; }
      if (owner && owner.indexOf(it.owner) === -1) { return false; }
      if (status >= 0 && it.status !== status) { return false; }
      if (v.sev && it.inc.sev !== v.sev) { return false; }
      if (customer >= 0 && it.inc.cust.indexOf(customer) === -1) { return false; }
      if ((from !== null || to !== null) && it.due === null) { return false; }
      if (from !== null && it.due < from) { return false; }
      if (to !== null && it.due > to) { return false; }
      if (words.length) {
        if (it.text === null) {
          it.text = [it.action, it.id, it.inc.id, it.inc.title, meta.o[it.owner], meta.st[it.status]].join(" ").toLowerCase();
        }
        for (var w = 0; w < words.length; w++) { if (it.text.indexOf(words[w]) === -1) { return false; } }
      }
      return true;
    };
    return p;
  }
  // ----- sorting -----

  function compareNatural(a, b) {
    if (a.due !== b.due) {
      if (a.due === null) { return 1; }
      if (b.due === null) { return -1; }
      return a.due - b.due;
    }
    if (a.inc.id !== b.inc.id) { return a.inc.id < b.inc.id ? -1 : 1; }
    return a.pos - b.pos;
  }
  function sorter(meta, sort) {
    var desc = sort.charAt(0) === "-";
    var key = desc ? sort.slice(1) : sort;
    var value = {
      due: function (it) { return it.due; },
      days: function (it) { return it.state === 0 && it.due !== null ? meta.d - it.due : null; },
      owner: function (it) { return meta.o[it.owner] || null; },
      incident: function (it) { return it.inc.id; },
      severity: function (it) { return it.inc.sev || null; },
    }[key];
    return function (a, b) {
      var x = value(a), y = value(b);
      if (x !== y) {
        if (x === null) { return 1; }
        if (y === null) { return -1; }
        var c = x < y ? -1 : 1;
        return desc ? -c : c;
      }
      return compareNatural(a, b);
    };
  }

  // ----- rendering -----

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  }
  function link(href, text, title) {
    var a = el("a", text);
    a.href = href;
    if (title) { a.title = title; }
    return a;
  }
  function row(meta, it, target) {
    var tr = el("tr", null, "state-" + ["overdue", "open", "done"][it.state] + (target ? " target" : ""));
    var anchor = it.inc.id + "/" + (it.id || String(it.pos + 1));
    tr.setAttribute("data-anchor", anchor);
    tr.id = anchor;
    var days = it.state === 0 && it.due !== null ? meta.d - it.due : null;
    tr.appendChild(el("td", it.due === null ? "—" : dateOf(it.due), "nowrap"));
    tr.appendChild(el("td", days === null ? "—" : days.toLocaleString("en-US"), "num"));
    tr.appendChild(el("td", meta.o[it.owner] || "(no owner)"));
    tr.appendChild(el("td", it.action));
    var inc = el("td", null, "nowrap");
    inc.appendChild(link(root + it.inc.path, it.inc.id, it.inc.title));
    tr.appendChild(inc);
    var sev = el("td");
    sev.appendChild(el("span", it.inc.sev || "—", "sev sev-" + (it.inc.sev || "other").toLowerCase()));
    tr.appendChild(sev);
    var state = el("td");
    state.appendChild(el("span", STATE_NAMES[it.state], "badge " + ["overdue", "open", "done"][it.state]));
    tr.appendChild(state);
    tr.appendChild(el("td", meta.st[it.status] || "—", "lo"));
    var id = el("td", null, "id lo");
    id.appendChild(link("#" + encodeURIComponent(anchor).replace(/%2F/g, "/"), it.id || "#" + (it.pos + 1)));
    tr.appendChild(id);
    return tr;
  }
  function setHeaders(sort) {
    var desc = sort.charAt(0) === "-";
    var key = desc ? sort.slice(1) : sort;
    table.querySelectorAll("th[data-sort]").forEach(function (th) {
      th.setAttribute("aria-sort", th.getAttribute("data-sort") === key ? (desc ? "descending" : "ascending") : "none");
    });
  }
  function number(n) { return n.toLocaleString("en-US"); }

  var current = {};
  var run = 0;
  function show(v) {
    var mine = ++run;
    current = v;
    toForm(v);
    setHeaders(v.anchor !== undefined ? "due" : v.sort);
    allLink.hidden = v.anchor === undefined && writeHash(v) === "";
    section.setAttribute("aria-busy", "true");
    return load("meta").then(function (meta) {
      // The chunk tables of the view's states, unless it reads an owner's or an id's files.
      var need = v.anchor !== undefined || v.o || v.t ? [] : STATES[v.s];
      return Promise.all([0, 1, 2].map(function (s) { return need.indexOf(s) === -1 ? null : load("t" + s); }))
        .then(function (tables) { return [meta, tables]; });
    }).then(function (loaded) {
      if (mine !== run || !loaded) { return; }
      var meta = loaded[0];
      var p = plan(meta, loaded[1], v);
      if (p.problem) { return render(meta, v, [], 0, 0, p.problem); }
      var done = 0;
      countEl.textContent = "Loading…";
      return Promise.all(p.files.map(function (f) {
        return load(f).then(function (items) {
          done++;
          if (mine === run && p.files.length > 1) { countEl.textContent = "Loading… (" + done + " of " + p.files.length + " files)"; }
          return items;
        });
      })).then(function (lists) {
        if (mine !== run) { return; }
        var seen = {};
        var rows = [];
        lists.forEach(function (items) {
          items.forEach(function (it) {
            var key = it.inc.id + "\u0000" + it.pos;
            if (!seen[key] && p.keep(it)) { seen[key] = true; rows.push(it); }
          });
        });
        if (p.total !== null) {
          // The first pages of one state's list: its chunks are in order, the rest not loaded.
          return render(meta, v, rows, p.total, p.offset, "");
        }
        rows.sort(v.anchor !== undefined ? compareNatural : sorter(meta, v.sort));
        return render(meta, v, rows, rows.length, 0, "");
      });
    }).catch(function (e) {
      if (mine === run) { countEl.textContent = e.message; section.removeAttribute("aria-busy"); }
    });
  }
  function render(meta, v, rows, total, offset, problem) {
    var page = Math.min(Number(v.p) || 1, Math.max(1, Math.ceil(total / PAGE)));
    var start = (page - 1) * PAGE;
    var shown = rows.slice(start - offset, start - offset + PAGE);
    var frag = document.createDocumentFragment();
    var targets = [];
    shown.forEach(function (it) {
      var tr = row(meta, it, v.anchor !== undefined);
      if (v.anchor !== undefined) { targets.push(tr); }
      frag.appendChild(tr);
    });
    tbody.textContent = "";
    tbody.appendChild(frag);
    if (!shown.length) {
      var tr = el("tr");
      var td = el("td", problem || "No action items match.", "empty");
      td.colSpan = 9;
      tr.appendChild(td);
      tbody.appendChild(tr);
    }
    if (v.anchor !== undefined) {
      countEl.textContent = total ? number(total) + (total === 1 ? " item" : " items") + " with the anchor “" + v.anchor + "”" : "No item has the anchor “" + v.anchor + "”.";
    } else {
      countEl.textContent = problem || number(total) + (total === 1 ? " item" : " items");
    }
    var pages = Math.max(1, Math.ceil(total / PAGE));
    pageEl.textContent = "Page " + number(page) + " of " + number(pages);
    prev.disabled = page <= 1;
    next.disabled = page >= pages;
    section.removeAttribute("aria-busy");
    // site.js marks tables wider than the screen on load and on resize: the rows came later.
    window.dispatchEvent(new Event("resize"));
    if (targets.length) {
      targets[0].scrollIntoView({ block: "center" });
    }
  }

  // ----- wiring -----

  load("meta").then(function (meta) {
    var fill = function (id, names) {
      var list = document.getElementById(id);
      names.slice().sort().forEach(function (n) { if (n) { var o = el("option"); o.value = n; list.appendChild(o); } });
    };
    fill("tr-owners", meta.o);
    fill("tr-teams", meta.t);
    fill("tr-customers", meta.c);
    var st = field("st");
    meta.st.slice().sort().forEach(function (s) { if (s) { var o = el("option", s); o.value = s; st.appendChild(o); } });
    if (current.st) { st.value = current.st; }
  }).catch(function () { /* show() says it */ });

  section.hidden = false;
  // The static list's rows would share their ids with the tracker's: the tracker replaces it.
  document.getElementById("static-list").remove();
  // Each row of the summaries gets a button that shows its items in the tracker.
  document.querySelectorAll("tr[data-filter]").forEach(function (tr) {
    var b = el("button", "Show items", "tr-show");
    b.type = "button";
    b.setAttribute("aria-label", "Show items of " + (tr.cells[0].textContent.trim() || "(no owner)"));
    b.addEventListener("click", function () {
      var v = {};
      KEYS.forEach(function (k) { v[k] = DEFAULTS[k]; });
      tr.getAttribute("data-filter").split("&").forEach(function (pair) {
        var i = pair.indexOf("=");
        v[pair.slice(0, i)] = decodeURIComponent(pair.slice(i + 1));
      });
      go(v, false);
      section.scrollIntoView();
    });
    tr.cells[0].appendChild(document.createTextNode(" "));
    tr.cells[0].appendChild(b);
  });
  table.querySelectorAll("th[data-sort]").forEach(function (th) {
    var b = el("button", th.textContent, "sort");
    b.type = "button";
    th.textContent = "";
    th.appendChild(b);
    b.addEventListener("click", function () {
      var key = th.getAttribute("data-sort");
      var v = current.anchor !== undefined ? fromForm() : Object.assign({}, current);
      var cur = v.sort.replace(/^-/, "");
      v.sort = cur === key ? (v.sort.charAt(0) === "-" ? key : "-" + key) : SORT_FIRST[key] + key;
      v.p = "1";
      go(v, false);
    });
  });
  var typing = null;
  form.addEventListener("input", function (e) {
    if (e.target.name !== "q") { return; }
    clearTimeout(typing);
    typing = setTimeout(function () { go(fromForm(), current.anchor === undefined && !!current.q); }, 250);
  });
  form.addEventListener("change", function (e) {
    if (e.target.name === "q") { return; }
    go(fromForm(), false);
  });
  form.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && e.target.name) { clearTimeout(typing); go(fromForm(), false); }
  });
  document.getElementById("tr-reset").addEventListener("click", function () {
    var v = {};
    KEYS.forEach(function (k) { v[k] = DEFAULTS[k]; });
    go(v, false);
  });
  prev.addEventListener("click", function () { var v = Object.assign({}, current); v.p = String(Number(v.p) - 1); go(v, false); });
  next.addEventListener("click", function () { var v = Object.assign({}, current); v.p = String(Number(v.p) + 1); go(v, false); });
  allLink.addEventListener("click", function (e) {
    e.preventDefault();
    var v = {};
    KEYS.forEach(function (k) { v[k] = DEFAULTS[k]; });
    go(v, false);
  });
  // Back, forward, a link to another view or anchor, an edited address: the fragment is the view
  // (but a link to an element of the page, the skip link's #main, leaves the view as it is).
  window.addEventListener("popstate", function () {
    if (!pageAnchor()) { show(readHash()); }
  });
  show(readHash(pageAnchor() ? "" : undefined));
})();
