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
  if (form && window.fetch && window.FormData && form.dataset.sources) { inlineSources(form); }
  if (form) { returnToSection(form); }
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

  /* Saving returns to where the expert was: on submit, the indicator (or area) holding the last field
     edited or focused and its place on the screen are noted for this tab; the saved page scrolls that
     section back to the same place. (The server's addresses stay as they are.) */
  function returnToSection(form) {
    var key = "spj-return:" + form.getAttribute("action");
    var last = null;
    try {
      var noted = JSON.parse(sessionStorage.getItem(key) || "null");
      sessionStorage.removeItem(key);
      if (noted && /[?&]saved=\d+/.test(location.search) && !location.hash) {
        var section = document.getElementById(noted.id);
        if (section) {
          window.scrollTo(0, section.getBoundingClientRect().top + window.scrollY - noted.top);
          // The "saved" notice is at the top, out of sight now: say it in the save bar too.
          var saved = document.querySelector(".notice.ok[role=status]");
          var bar = document.getElementById("autosave-status");
          if (saved && bar) { bar.textContent = saved.textContent.trim(); }
        }
      }
    } catch (e) { /* storage refused: the page opens at the top, as without JavaScript */ }
    function note(event) {
      var holder = event.target.closest ? event.target.closest("fieldset.indicator, section.area") : null;
      if (holder && holder.id) { last = holder; }
    }
    form.addEventListener("focusin", note);
    form.addEventListener("input", note);
    form.addEventListener("submit", function () {
      if (!last) return;
      try {
        sessionStorage.setItem(key, JSON.stringify({id: last.id, top: last.getBoundingClientRect().top}));
      } catch (e) { /* nothing to return to */ }
    });
  }

  /* Sources added from an indicator without a full save: the new source is saved as a revision on top of
     the one this form edits; the form then edits that revision, with the source in its table and in
     every indicator's list (ticked where it was added). Other edits stay on the page, unsaved. */
  function inlineSources(form) {
    var template = document.getElementById("inline-source-template");
    var status = document.getElementById("autosave-status");
    if (!template || !template.content) return;
    var count = 0;
    Array.prototype.forEach.call(form.querySelectorAll(".sources-slot"), function (slot) {
      var open = document.createElement("button");
      open.type = "button"; open.className = "secondary inline-source-open";
      open.textContent = form.dataset.addSource;
      open.setAttribute("aria-expanded", "false");
      slot.appendChild(open);
      open.addEventListener("click", function () { show(slot, open); });
    });

    function show(slot, open) {
      var existing = slot.querySelector(".inline-source");
      if (existing) { existing.querySelector("input").focus(); return; }
      var editor = document.importNode(template.content, true).querySelector(".inline-source");
      var indicator = slot.dataset.indicator;
      count += 1;
      var title = editor.querySelector(".inline-source-title");
      title.id = "inline-source-" + count + "-title";
      title.textContent = form.dataset.addSourceFor.replace("{id}", indicator);
      editor.setAttribute("aria-labelledby", title.id);
      Array.prototype.forEach.call(editor.querySelectorAll("[data-key]"), function (input) {
        input.id = "inline-source-" + count + "-" + input.dataset.key;
        editor.querySelector("label[data-for=" + input.dataset.key + "]").htmlFor = input.id;
      });
      slot.appendChild(editor);
      open.hidden = true; open.setAttribute("aria-expanded", "true");
      editor.querySelector("input").focus();
      function close() { editor.remove(); open.hidden = false; open.setAttribute("aria-expanded", "false"); open.focus(); }
      editor.addEventListener("keydown", function (event) {
        if (event.key === "Escape") { close(); }
        if (event.key === "Enter" && event.target.matches("input")) { event.preventDefault(); add(); }
      });
      editor.querySelector("[data-act=cancel]").addEventListener("click", close);
      editor.querySelector("[data-act=add]").addEventListener("click", add);

      function add() {
        var data = new FormData();
        data.append("csrf_token", form.querySelector("input[name=csrf_token]").value);
        data.append("base_revision", form.querySelector("input[name=base_revision]").value);
        data.append("source.cite", indicator);
        Array.prototype.forEach.call(editor.querySelectorAll("[data-key]"), function (input) {
          data.append("source." + input.dataset.key, input.value);
        });
        var errors = editor.querySelector(".inline-source-errors");
        errors.textContent = "";
        fetch(form.dataset.sources, {method: "POST", body: data, credentials: "same-origin",
                                     headers: {"Accept": "application/json"}})
          .then(function (r) { return r.json().then(function (body) { return {ok: r.ok, body: body}; }); })
          .then(function (answer) {
            if (!answer.ok) {
              var body = answer.body;
              errors.textContent = body.errors ? body.errors.map(function (e) {
                var input = e.field && editor.querySelector("[data-key=" + e.field + "]");
                if (input) { input.setAttribute("aria-invalid", "true"); }
                var label = input ? editor.querySelector("label[for=" + input.id + "]").textContent : e.label;
                return (label ? label + ": " : "") + e.message;
              }).join(" ") : (body.message || form.dataset.failed);
              return;
            }
            added(answer.body, indicator);
            close();
            // Edits already kept by autosave were typed on the old revision: keep them again on the new one.
            if (form.dataset.kept) { form.dispatchEvent(new Event("change")); }
            if (status) { status.textContent = answer.body.message; }
          })
          .catch(function () { errors.textContent = form.dataset.failed; });
      }
    }

    function added(body, indicator) {
      form.querySelector("input[name=base_revision]").value = body.head;
      addRow(body.source);
      Array.prototype.forEach.call(form.querySelectorAll(".sources-slot"), function (slot) {
        var id = slot.dataset.indicator;
        var pick = slot.querySelector("fieldset.sources-pick");
        if (!pick) {
          pick = document.createElement("fieldset");
          pick.className = "sources-pick"; pick.id = "f-r-" + id + "-sources";
          var legend = document.createElement("legend");
          legend.textContent = template.dataset.legend || "Sources";
          var hidden = document.createElement("span");
          hidden.className = "visually-hidden"; hidden.textContent = " (" + id + ")";
          legend.appendChild(hidden);
          pick.appendChild(legend);
          slot.insertBefore(pick, slot.firstChild);
        }
        var label = document.createElement("label");
        label.className = "choice";
        var box = document.createElement("input");
        box.type = "checkbox"; box.name = "r." + id + ".sources"; box.value = body.source.id;
        box.checked = id === indicator;
        label.appendChild(box);
        label.appendChild(document.createTextNode(" " + body.source.id));
        pick.appendChild(label);
      });
    }

    function addRow(source) {
      var body = form.querySelector(".sources-editor tbody");
      if (!body) return;
      var numbers = Array.prototype.map.call(form.querySelectorAll("input[name^='s.'][name$='.id']"), function (input) {
        return parseInt(input.name.split(".")[1], 10);
      });
      var next = Math.max.apply(null, numbers.concat([-1])) + 1;
      var blank = body.lastElementChild;
      var row = blank.cloneNode(true);
      renumber(row, next, source);
      body.insertBefore(row, blank);
      renumber(blank, next + 1, null);
    }

    function renumber(row, n, source) {
      Array.prototype.forEach.call(row.querySelectorAll("input"), function (input) {
        var key = input.name.split(".")[2];
        input.name = "s." + n + "." + key;
        input.id = "f-s-" + n + "-" + key;
        if (source) { input.value = source[key] || ""; }
      });
      Array.prototype.forEach.call(row.querySelectorAll("label.cell-label"), function (label) {
        var key = label.htmlFor.split("-").pop();
        label.htmlFor = "f-s-" + n + "-" + key;
        label.textContent = label.textContent.replace(/\d+$/, String(n + 1));
      });
    }
  }
})();
