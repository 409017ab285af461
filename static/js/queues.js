// Queues: drag-and-drop ring order of the agents and the extension field of the queue form.
// Both only enhance pages that work without JavaScript (Move up / Move down buttons, a plain form).
(function () {
  "use strict";

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) { return input.value; }
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function showStatus(element, text, ok) {
    if (!element) { return; }
    element.textContent = text;
    element.className = "small mb-2 " + (ok ? "text-success" : "text-danger");
  }

  // After a drop: renumber the rows and enable the Move up / Move down buttons that make sense.
  function refreshRows(list) {
    var rows = list.querySelectorAll("tr[data-agent-id]");
    rows.forEach(function (row, index) {
      var position = row.querySelector(".agent-position");
      if (position) { position.textContent = String(index + 1); }
      var up = row.querySelector(".move-up");
      var down = row.querySelector(".move-down");
      if (up) { up.disabled = index === 0; }
      if (down) { down.disabled = index === rows.length - 1; }
    });
  }

  function saveOrder(list, status) {
    var body = new URLSearchParams();
    list.querySelectorAll("tr[data-agent-id]").forEach(function (row) {
      body.append("order", row.getAttribute("data-agent-id"));
    });
    fetch(list.getAttribute("data-order-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "XMLHttpRequest" },
      body: body
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (result.ok) {
        showStatus(status, result.data.message || list.getAttribute("data-saved-message"), true);
      } else {
        showStatus(status, result.data.error || list.getAttribute("data-error-message"), false);
      }
    }).catch(function () {
      showStatus(status, list.getAttribute("data-error-message"), false);
    });
  }

  function initSortable(list) {
    if (typeof Sortable === "undefined") { return; }
    var status = document.getElementById("order-status");
    Sortable.create(list, {
      handle: ".drag-handle",
      draggable: "tr[data-agent-id]",
      animation: 150,
      onEnd: function (event) {
        if (event.oldIndex === event.newIndex) { return; }
        refreshRows(list);
        saveOrder(list, status);
      }
    });
  }

  // The queue form: the extension to forward to matters only for "forward to an extension".
  function initTimeoutToggle(form) {
    var action = form.querySelector("[name=timeout_action]");
    var target = form.querySelector("[data-timeout-target]");
    if (!action || !target) { return; }
    function toggle() { target.hidden = action.value !== "extension"; }
    action.addEventListener("change", toggle);
    toggle();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-sortable-agents]").forEach(initSortable);
    document.querySelectorAll("form.queue-form").forEach(initTimeoutToggle);
  });
})();
