// API keys: a "Copy" button for the new key (without JavaScript the key is selectable in its field).
(function () {
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var field = document.getElementById(button.dataset.copyTarget);
    if (!field || !navigator.clipboard) { return; }
    button.classList.remove("d-none");
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        button.textContent = button.dataset.copiedText;
      });
    });
  });
  document.querySelectorAll("[data-select-on-focus]").forEach(function (field) {
    field.addEventListener("focus", function () { field.select(); });
  });
})();
