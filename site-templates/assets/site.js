// Behaviour that needs script, kept optional: every page reads fine without it.
// - Before printing, open every collapsed section so the printout is complete.
// - Filter boxes above long tables hide the rows of this page that do not match.
// - A copy button beside each hash (`code.hash`): the Clipboard API where the browser allows it,
//   else the hash is selected for Ctrl+C; an aria-live message says which.
// - The "on this page" contents start collapsed on narrow screens (open on wide ones).
// - A table wider than its box is marked (`.scrolls`, `.at-start`, `.at-end`) for the CSS cue
//   that it scrolls sideways, and can be scrolled with the keyboard.
// No HTML is built from text: rows are only shown or hidden, buttons are made with
// createElement and textContent.
(function () {
  "use strict";

  var opened = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open])").forEach(function (d) {
      d.open = true;
      opened.push(d);
    });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });

  document.querySelectorAll("input[data-filter]").forEach(function (input) {
    var table = document.getElementById(input.getAttribute("data-filter"));
    if (!table || !table.tBodies.length) { return; }
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var texts = rows.map(function (r) { return r.textContent.toLowerCase(); });
    var holder = input.closest(".filter");
    if (holder) { holder.hidden = false; }
    input.addEventListener("input", function () {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      rows.forEach(function (row, i) {
        row.hidden = !words.every(function (w) { return texts[i].indexOf(w) !== -1; });
      });
    });
  });

  // ----- copy buttons for hashes -----
  var hashes = document.querySelectorAll("code.hash");
  if (hashes.length) {
    var status = document.createElement("p");
    status.id = "copy-status";
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");
    document.body.appendChild(status);
    var announce = function (text) {
      // Emptied first so that the same message twice is announced twice.
      status.textContent = "";
      window.setTimeout(function () { status.textContent = text; }, 50);
    };
    var select = function (code) {
      var range = document.createRange();
      range.selectNodeContents(code);
      var sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
    };
    hashes.forEach(function (code) {
      var value = code.textContent.trim();
      if (!value || /\s/.test(value)) { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy";
      button.textContent = "Copy";
      button.setAttribute("aria-label", "Copy " + value);
      button.addEventListener("click", function () {
        var done = function () {
          button.textContent = "Copied";
          button.classList.add("copied");
          announce("Copied " + value.slice(0, 12) + "… to the clipboard");
          window.setTimeout(function () {
            button.textContent = "Copy";
            button.classList.remove("copied");
          }, 2000);
        };
        var fallback = function () {
          // No clipboard (a file:// page may not get one): select the hash for Ctrl+C.
          select(code);
          var copied = false;
          try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
          if (copied) { done(); } else { announce("Selected: press Ctrl+C (⌘C) to copy"); }
        };
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(value).then(done, fallback);
        } else {
          fallback();
        }
      });
      code.insertAdjacentElement("afterend", button);
    });
  }

  // ----- the table of contents: collapsed on narrow screens -----
  var toc = document.querySelector("nav.toc details");
  if (toc && window.matchMedia) {
    var wide = window.matchMedia("(min-width: 64rem)");
    var sync = function () { toc.open = wide.matches; };
    sync();
    if (wide.addEventListener) { wide.addEventListener("change", sync); }
  }

  // ----- tables wider than the screen -----
  var wraps = document.querySelectorAll(".table-wrap");
  var mark = function (wrap) {
    var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
    wrap.classList.toggle("scrolls", scrolls);
    wrap.classList.toggle("at-start", !scrolls || wrap.scrollLeft <= 1);
    wrap.classList.toggle("at-end", !scrolls || wrap.scrollLeft + wrap.clientWidth >= wrap.scrollWidth - 1);
    if (scrolls && !wrap.hasAttribute("tabindex")) {
      // A scrolling region must be reachable by keyboard to be scrolled without a pointer.
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      var table = wrap.querySelector("table");
      var label = table && table.getAttribute("aria-label");
      wrap.setAttribute("aria-label", (label || "Table") + " (scrolls sideways)");
    }
  };
  wraps.forEach(function (wrap) {
    mark(wrap);
    wrap.addEventListener("scroll", function () { mark(wrap); }, { passive: true });
  });
  if (wraps.length) {
    var pending = false;
    window.addEventListener("resize", function () {
      if (pending) { return; }
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        wraps.forEach(mark);
      });
    });
  }
})();
