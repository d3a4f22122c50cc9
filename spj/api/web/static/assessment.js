/* Progressive enhancement: refresh the overview from the unsaved form. Without JavaScript it updates on save.
   A static file (no inline script): the pages' Content-Security-Policy allows scripts from this site only. */
(function () {
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
    // An error link moves the focus to the field itself (the first control of a group), not just the scroll.
    summary.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a[href^='#']") : null;
      if (!link) return;
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) return;
      var control = target.matches("input, select, textarea") ? target
        : target.querySelector("input:checked, input:not([type=hidden]), select, textarea");
      if (!control) return;
      event.preventDefault();
      control.focus();
      if (history.replaceState) { history.replaceState(null, "", link.getAttribute("href")); }
    });
  }
  var form = document.getElementById("assessment-form");
  var status = document.getElementById("panel-status");
  var bar = document.querySelector(".actionbar");
  var timer = null;
  // The browser scrolls a focused field into view only until part of it shows: lift a field the sticky
  // save bar still covers (CSS scroll-padding does the rest, and the work without JavaScript).
  if (form && bar) {
    form.addEventListener("focusin", function (event) {
      if (bar.contains(event.target) || getComputedStyle(bar).position !== "sticky") return;
      var field = event.target.getBoundingClientRect();
      var covered = field.bottom - bar.getBoundingClientRect().top + 12;
      if (covered > 0) { window.scrollBy(0, Math.max(0, Math.min(covered, field.top - 12))); }
    });
  }
  if (!form || !window.fetch || !window.DOMParser || !form.dataset.preview) return;
  form.addEventListener("change", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var data = new FormData(form);
      fetch(form.dataset.preview, {method: "POST", body: data, credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (!html) return;
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("live-panel");
          var panel = document.getElementById("live-panel");
          if (!fresh || !panel) return;
          panel.replaceWith(document.importNode(fresh, true));
          // A short, polite summary for screen readers instead of re-reading the whole panel.
          var meter = fresh.querySelector(".meter");
          if (status && meter) { status.textContent = meter.getAttribute("aria-label"); }
        })
        .catch(function () {});
    }, 400);
  });
})();
