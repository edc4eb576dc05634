// Small behaviours shared by every page; no inline handlers in the templates.
(function () {
  "use strict";
  // A select marked data-autosubmit submits its form when changed (the language switcher).
  document.addEventListener("change", function (e) {
    var el = e.target;
    if (el && el.matches && el.matches("select[data-autosubmit]") && el.form) el.form.submit();
  });
  // A table row with data-href opens that page when clicked anywhere outside its own links and buttons.
  document.addEventListener("click", function (e) {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
    var row = e.target.closest && e.target.closest("tr[data-href]");
    if (!row || e.target.closest("a, button, input, select, textarea, label")) return;
    window.location.href = row.dataset.href;
  });
  // A button marked data-print prints the page (posters).
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-print]");
    if (button) { e.preventDefault(); window.print(); }
  });
  // A button marked data-confirm asks its question first (an irreversible step); cancelling stops the click.
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) { e.preventDefault(); e.stopImmediatePropagation(); }
  });
})();
