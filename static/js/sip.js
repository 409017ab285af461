// SIP account form: optional enhancements. Without JavaScript every field stays visible and the
// "generate a random password" button stays hidden (the user types a password instead).
(function () {
  "use strict";

  var LETTERS = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";
  var DIGITS = "23456789";
  var LENGTH = 16;

  function randomIndex(size) {
    // Rejection sampling keeps every character equally likely.
    var limit = Math.floor(256 / size) * size;
    var byte = new Uint8Array(1);
    do { window.crypto.getRandomValues(byte); } while (byte[0] >= limit);
    return byte[0] % size;
  }

  // The same rules as pbx/passwords.py: length, letters and digits, no user name, no extension.
  function isStrong(password, username, extension) {
    if (password.length < 10 || !/[A-Za-z]/.test(password) || !/[0-9]/.test(password)) return false;
    if (username && password.toLowerCase().indexOf(username.toLowerCase()) !== -1) return false;
    if (extension && password.indexOf(extension) !== -1) return false;
    return true;
  }

  function generatePassword(username, extension) {
    var alphabet = LETTERS + DIGITS;
    for (;;) {
      var password = "";
      for (var i = 0; i < LENGTH; i++) password += alphabet.charAt(randomIndex(alphabet.length));
      if (isStrong(password, username, extension)) return password;
    }
  }

  function currentValue(form, name) {
    var control = form.elements[name];
    if (!control) return "";
    if (control.type === "checkbox") return control.checked ? "true" : "false";
    return control.value;
  }

  function updateVisibility(form) {
    form.querySelectorAll("[data-show-when]").forEach(function (element) {
      var values = element.getAttribute("data-show-values").split(" ");
      var applies = values.indexOf(currentValue(form, element.getAttribute("data-show-when"))) !== -1;
      // A row with an error stays visible, so the message is never hidden from the user.
      element.hidden = !applies && !element.querySelector(".is-invalid");
    });
  }

  function initPasswordGenerator(form) {
    var button = form.querySelector("[data-generate-password]");
    var notice = form.querySelector("[data-generated-password]");
    if (!button || !notice || !window.crypto || !window.crypto.getRandomValues) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var extension = (form.elements.extension.value || "").trim();
      var username = extension ? form.getAttribute("data-prefix") + "_" + extension : "";
      var password = generatePassword(username, extension);
      form.elements.password.value = password;
      form.elements.password_confirm.value = password;
      notice.querySelector("[data-generated-password-value]").textContent = password;
      notice.hidden = false;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-sip-form]").forEach(function (form) {
      updateVisibility(form);
      form.addEventListener("change", function () { updateVisibility(form); });
      initPasswordGenerator(form);
    });
  });
})();
