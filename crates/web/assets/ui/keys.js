// motcua staff pages: keyboard shortcuts for the desk's frequent acts.
// The keys are listed in the help overlay (`?`), rendered by the server in
// the reader's language (base.html, #keys). Nothing here is needed to use
// a page: every act is also a link or a button.
(function () {
  "use strict";
  // Keys and the element each one acts on: `focus` puts the cursor in a
  // field, `click` follows a link or presses a button present on the page.
  var acts = {
    "/": { focus: "#top-q" },
    "s": { focus: "#top-q" },
    "n": { click: "a[data-key='n']" },
    "p": { click: "a[data-key='p']" },
    "l": { click: "a[data-key='l']" },
    "h": { click: "a[data-key='h']" }
  };
  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }
  function overlay() { return document.getElementById("keys"); }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    var dlg = overlay();
    if (e.key === "Escape") {
      if (dlg && dlg.open) { dlg.close(); e.preventDefault(); }
      var hits = document.getElementById("top-hits");
      if (hits && typing(e.target)) hits.innerHTML = "";
      return;
    }
    if (typing(e.target)) return;
    if (e.key === "?") {
      if (dlg) { if (dlg.open) dlg.close(); else dlg.showModal(); e.preventDefault(); }
      return;
    }
    var act = acts[e.key.toLowerCase()];
    if (!act) return;
    var el = document.querySelector(act.focus || act.click);
    if (!el) return;
    e.preventDefault();
    if (act.focus) { el.focus(); el.select && el.select(); } else { el.click(); }
  });
  document.addEventListener("click", function (e) {
    var t = e.target;
    if (t && t.matches && t.matches("[data-keys-open]")) {
      var dlg = overlay();
      if (dlg) { dlg.showModal(); e.preventDefault(); }
    }
    if (t && t.matches && t.matches("[data-keys-close]")) {
      var d = overlay();
      if (d) d.close();
    }
  });
})();
