// The `/` shortcut of every page: focuses the search page's box, or else the header's quick
// search (a box that submits to the search page). Keys typed into a field are left alone.
(function () {
  "use strict";
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "/" || ev.ctrlKey || ev.metaKey || ev.altKey || ev.defaultPrevented) return;
    var t = ev.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(t.tagName))) return;
    var box = document.getElementById("q") || document.querySelector(".quick-search input");
    if (!box) return;
    ev.preventDefault();
    box.focus();
    box.select();
  });
})();
