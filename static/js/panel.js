// Centrala panel: progressive enhancements only; every page works without JavaScript.
(function () {
  function initTooltips(root) {
    root.querySelectorAll('[data-bs-toggle="tooltip"]').forEach(function (element) {
      bootstrap.Tooltip.getOrCreateInstance(element);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { initTooltips(document); });
  document.body.addEventListener("htmx:afterSwap", function (event) { initTooltips(event.target); });
})();
