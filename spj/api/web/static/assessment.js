/* Progressive enhancement: refresh the overview from the unsaved form. Without JavaScript it updates on save.
   A static file (no inline script): the pages' Content-Security-Policy allows scripts from this site only. */
(function () {
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
  var form = document.getElementById("assessment-form");
  var timer = null;
  if (!form || !window.fetch || !form.dataset.preview) return;
  form.addEventListener("change", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var data = new FormData(form);
      fetch(form.dataset.preview, {method: "POST", body: data, credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html) { document.getElementById("live-panel").outerHTML = html; } })
        .catch(function () {});
    }, 400);
  });
})();
