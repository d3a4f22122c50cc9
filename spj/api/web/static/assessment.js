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
  if (form && window.fetch && window.FormData && form.dataset.autosave) { autosave(form); }
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

  /* Autosave: the unsaved form is kept on the server a moment after each edit (not a revision: see
     spj.service.autosave), and the page warns before it is left while an edit is not yet kept. When the
     session has ended, the text stays on the page, a link opens the sign-in in another tab, and
     autosave retries until it is kept again. */
  function autosave(form) {
    var status = document.getElementById("autosave-status");
    var login = document.getElementById("autosave-login");
    var dirty = false, submitting = false, busy = false, timer = null, retry = null;
    function say(text) { if (status) { status.textContent = text; } }
    function keep() {
      if (busy || !dirty) return;
      busy = true;
      var data = new FormData(form);
      dirty = false;  // edits made while this request runs set it again
      fetch(form.dataset.autosave, {method: "POST", body: data, credentials: "same-origin",
                                    headers: {"Accept": "application/json"}})
        .then(function (r) {
          busy = false;
          if (r.ok) {
            clearInterval(retry); retry = null;
            if (login) { login.hidden = true; }
            say(status.dataset.kept + " " + new Date().toLocaleTimeString());
            form.dataset.kept = "1";
            return;
          }
          dirty = true;
          if (r.status === 401 || r.status === 403) {
            say(status.dataset.expired);
            if (login) { login.hidden = false; }
          } else {
            say(status.dataset.failed);
          }
          if (!retry) { retry = setInterval(keep, 15000); }
        })
        .catch(function () { busy = false; dirty = true; say(status.dataset.failed);
                             if (!retry) { retry = setInterval(keep, 15000); } });
    }
    function edited() {
      dirty = true;
      clearTimeout(timer);
      timer = setTimeout(keep, 1500);
    }
    form.addEventListener("input", edited);
    form.addEventListener("change", edited);
    form.addEventListener("submit", function () { submitting = true; });
    window.addEventListener("beforeunload", function (event) {
      if ((!dirty && !busy) || submitting) return;
      event.preventDefault();
      event.returnValue = "";  // the browser shows its own "leave this page?" question
      return "";
    });
  }
})();
