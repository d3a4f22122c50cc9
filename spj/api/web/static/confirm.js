/* Asks before an action that cannot be undone (finalising and countersigning lock the assessment).
   Any submit button with data-confirm asks its question first; cancelling leaves the page as it was.
   A static file (no inline script): the pages' Content-Security-Policy allows scripts from this site only. */
(function () {
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-confirm]") : null;
    if (!button) return;
    if (!window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);
})();
