// Moje centralki: the visual editor of a call-flow scheme, built on drawflow.
//
// The server stores only the scheme's own graph format (pbx/schemes/spec.py):
// {start, nodes: {id: {type, label, config, exits: {exit: id|null}, position}}}.
// This script turns that graph into drawflow nodes (one output per exit, in the
// order of the element type's exits) and back, and never sends drawflow's own
// export to the server. The server validates the graph and answers with
// problems per element, which are shown on the canvas.
(function () {
  "use strict";

  var root = document.getElementById("scheme-editor-app");
  if (!root || typeof Drawflow === "undefined") { return; }

  function readJson(id) { return JSON.parse(document.getElementById(id).textContent); }

  var config = readJson("scheme-editor-config");
  var graph = readJson("scheme-graph");
  var objects = readJson("scheme-objects");
  var words = config.i18n;
  var types = config.types;

  var canvas = document.getElementById("scheme-canvas");
  var statusBox = document.getElementById("scheme-status");
  var errorBox = document.getElementById("scheme-errors");
  var saveButton = document.getElementById("scheme-save");
  var addButton = document.getElementById("scheme-add");
  var palette = document.getElementById("scheme-palette");
  var paletteList = document.getElementById("scheme-palette-list");
  var formSection = document.getElementById("scheme-form");
  var formBody = document.getElementById("scheme-form-body");
  var formTitle = document.getElementById("scheme-side-title");
  var formTitleDefault = formTitle.textContent;

  var editor = new Drawflow(canvas);
  editor.reroute = false;
  editor.force_first_input = true; // an arrow dropped anywhere on an element connects to it
  editor.start();

  var models = {}; // drawflow node id (string) -> {sid, type, label, config}
  var startSid = graph.start;
  var selectedId = null;
  var loading = false;
  var dirty = false;
  var lastErrors = {};

  // Helpers

  function escapeHtml(text) {
    return String(text == null ? "" : text)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  function format(text, params) {
    return text.replace(/%\((\w+)\)s/g, function (match, key) { return key in params ? params[key] : match; });
  }

  function clone(value) { return JSON.parse(JSON.stringify(value)); }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function element(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (key) {
      var value = attributes[key];
      if (value === null || value === undefined || value === false) { return; }
      if (key === "text") { node.textContent = value; } else if (key === "html") { node.innerHTML = value; } else { node.setAttribute(key, value === true ? "" : value); }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }

  function setStatus(text, kind) {
    statusBox.textContent = text || "";
    statusBox.className = "small mb-2 " + (kind === "ok" ? "text-success" : kind === "error" ? "text-danger" : "text-muted");
  }

  function markDirty() {
    if (loading) { return; }
    dirty = true;
    setStatus(words.unsaved, "info");
  }

  function exitNames(model) {
    var type = types[model.type];
    var names = type.exits.slice();
    if (type.digit_exits) {
      var options = (model.config && model.config.options) || [];
      names = config.digits.filter(function (digit) { return options.indexOf(digit) !== -1; }).concat(names);
    }
    return names;
  }

  function exitLabel(model, name) {
    var type = types[model.type];
    return type.exit_labels[name] || name;
  }

  function objectLabel(list, id) {
    for (var i = 0; i < list.length; i++) { if (list[i].id === id) { return list[i].label; } }
    return "";
  }

  function announcementLabel(path) {
    for (var i = 0; i < objects.announcements.length; i++) {
      if (objects.announcements[i].path === path) { return objects.announcements[i].label; }
    }
    return path;
  }

  function newSid() {
    var used = {};
    Object.keys(models).forEach(function (id) { used[models[id].sid] = true; });
    for (var i = 1; ; i++) { if (!used["n" + i]) { return "n" + i; } }
  }

  function defaultConfig(type) {
    var d = config.defaults;
    switch (type) {
      case "announcement": return { greeting: config.system_audio, text: "" };
      case "ivr": return { prompt: config.system_audio, options: d.ivr_options.slice(), timeout_seconds: d.timeout_seconds, max_attempts: d.max_attempts };
      case "time_condition": return { hours: clone(d.hours), holidays: d.holidays.slice(), use_public_holidays: true };
      case "queue": return { queue: null };
      case "extension": return { sip_account: null, ring_seconds: d.ring_seconds };
      case "external": return { external_number: null, ring_seconds: d.ring_seconds };
      case "voicemail": return { sip_account: null };
      case "conference": return { room: null };
      default: return {};
    }
  }

  // What an element shows on the canvas

  function detailOf(model) {
    var c = model.config || {};
    switch (model.type) {
      case "announcement":
        return c.greeting === config.system_audio ? (c.text ? "„" + c.text + "”" : "") : announcementLabel(c.greeting);
      case "ivr":
        return words.keys_short + ": " + ((c.options || []).join(", ") || "—");
      case "time_condition":
        return hoursSummary(c.hours || {});
      case "queue": return objectLabel(objects.queues, c.queue);
      case "extension": return objectLabel(objects.extensions, c.sip_account);
      case "external": return objectLabel(objects.external_numbers, c.external_number);
      case "voicemail": return objectLabel(objects.extensions, c.sip_account);
      case "conference": return objectLabel(objects.rooms, c.room);
      case "hangup": return words.hangup_note;
      default: return "";
    }
  }

  // Opening hours in short, consecutive days with the same hours together: "pn–pt 08:00–16:00; sob 09:00–12:00".
  function hoursSummary(hours) {
    var groups = [];
    config.weekdays.forEach(function (day) {
      var text = ((hours[day.key]) || []).map(function (i) { return i[0] + "–" + i[1]; }).join(", ");
      var last = groups[groups.length - 1];
      if (last && last.text === text) { last.to = day.short; } else { groups.push({ from: day.short, to: null, text: text }); }
    });
    var open = groups.filter(function (group) { return group.text; });
    if (!open.length) { return words.closed; }
    return open.map(function (group) { return group.from + (group.to ? "–" + group.to : "") + " " + group.text; }).join("; ");
  }

  function nodeHtml(model) {
    var type = types[model.type];
    var isStart = model.sid === startSid;
    var detail = detailOf(model);
    if (detail.length > 140) { detail = detail.slice(0, 137) + "…"; }
    return '<div class="scheme-node-head"><i class="bi ' + type.icon + '" aria-hidden="true"></i>' +
      '<span class="scheme-node-type">' + escapeHtml(type.label) + "</span>" +
      (isStart ? '<span class="badge text-bg-success scheme-start-badge">' + escapeHtml(words.start) + "</span>" : "") +
      "</div>" +
      (model.label ? '<div class="scheme-node-label">' + escapeHtml(model.label) + "</div>" : "") +
      (detail ? '<div class="scheme-node-detail">' + escapeHtml(detail) + "</div>" : "") +
      '<ul class="scheme-node-errors"></ul>';
  }

  function nodeElement(id) { return document.getElementById("node-" + id); }

  function decorateOutputs(id) {
    var model = models[id];
    var el = nodeElement(id);
    if (!model || !el) { return; }
    var names = exitNames(model);
    var data = editor.getNodeFromId(id);
    var outputs = el.querySelectorAll(".outputs .output");
    outputs.forEach(function (output, index) {
      var name = names[index];
      if (name === undefined) { return; }
      var label = exitLabel(model, name);
      output.setAttribute("title", types[model.type].exit_labels[name] ? label : format(words.key, { digit: name }));
      output.setAttribute("data-exit", name);
      var span = output.querySelector(".scheme-exit-label");
      if (!span) {
        span = element("span", { "class": "scheme-exit-label", "aria-hidden": "true" });
        output.appendChild(span);
      }
      span.textContent = label;
      var port = data.outputs["output_" + (index + 1)];
      output.classList.toggle("is-unconnected", !(port && port.connections.length));
    });
    var content = el.querySelector(".drawflow_content_node");
    content.style.minHeight = (names.length * 26) + "px";
    el.classList.toggle("scheme-terminal", names.length === 0);
    el.classList.toggle("is-start", model.sid === startSid);
    el.setAttribute("data-sid", model.sid);
    el.setAttribute("data-type", model.type);
  }

  function showNodeErrors(id) {
    var el = nodeElement(id);
    if (!el) { return; }
    var messages = lastErrors[models[id].sid] || [];
    el.classList.toggle("has-error", messages.length > 0);
    var list = el.querySelector(".scheme-node-errors");
    if (list) {
      list.innerHTML = messages.map(function (message) { return "<li>" + escapeHtml(message) + "</li>"; }).join("");
    }
  }

  function refreshNode(id) {
    var el = nodeElement(id);
    if (!el) { return; }
    var html = nodeHtml(models[id]);
    el.querySelector(".drawflow_content_node").innerHTML = html;
    editor.drawflow.drawflow[editor.module].data[id].html = html;
    decorateOutputs(id);
    showNodeErrors(id);
    editor.updateConnectionNodes("node-" + id);
  }

  function refreshAll() { Object.keys(models).forEach(refreshNode); }

  // Building the canvas

  function addNode(sid, type, label, nodeConfig, x, y) {
    var model = { sid: sid, type: type, label: label || "", config: nodeConfig };
    var outputs = exitNames(model).length;
    var id = String(editor.addNode(type, 1, outputs, x, y, "scheme-node scheme-" + type, { sid: sid }, nodeHtml(model)));
    models[id] = model;
    decorateOutputs(id);
    return id;
  }

  function idOfSid(sid) {
    var ids = Object.keys(models);
    for (var i = 0; i < ids.length; i++) { if (models[ids[i]].sid === sid) { return ids[i]; } }
    return null;
  }

  function load(spec) {
    loading = true;
    var nodes = (spec && spec.nodes) || {};
    Object.keys(nodes).forEach(function (sid) {
      var node = nodes[sid];
      if (!types[node.type]) { return; }
      var position = node.position || {};
      addNode(sid, node.type, node.label, node.config || defaultConfig(node.type), position.x || 0, position.y || 0);
    });
    Object.keys(nodes).forEach(function (sid) {
      var id = idOfSid(sid);
      if (!id) { return; }
      var exits = nodes[sid].exits || {};
      exitNames(models[id]).forEach(function (name, index) {
        var target = exits[name] ? idOfSid(exits[name]) : null;
        if (target && target !== id) { editor.addConnection(id, target, "output_" + (index + 1), "input_1"); }
      });
    });
    refreshAll();
    loading = false;
  }

  // Back to the spec's format (the only thing the server stores)

  function toSpec() {
    var data = editor.export().drawflow[editor.module].data;
    var spec = { start: null, nodes: {} };
    Object.keys(data).forEach(function (id) {
      var model = models[id];
      if (!model) { return; }
      var exits = {};
      exitNames(model).forEach(function (name, index) {
        var port = data[id].outputs["output_" + (index + 1)];
        var connection = port && port.connections[0];
        exits[name] = connection && models[connection.node] ? models[connection.node].sid : null;
      });
      spec.nodes[model.sid] = {
        type: model.type,
        label: model.label,
        config: clone(model.config),
        exits: exits,
        position: { x: Math.round(data[id].pos_x), y: Math.round(data[id].pos_y) }
      };
    });
    if (startSid && spec.nodes[startSid]) { spec.start = startSid; }
    return spec;
  }

  // Exits change with an IVR's keys: rebuild the outputs, keeping the arrows of the exits that remain.
  function rebuildOutputs(id, oldNames) {
    var model = models[id];
    var newNames = exitNames(model);
    if (oldNames.join("|") === newNames.join("|")) { return; }
    var data = editor.getNodeFromId(id);
    var targets = {};
    oldNames.forEach(function (name, index) {
      var port = data.outputs["output_" + (index + 1)];
      if (port && port.connections.length) { targets[name] = port.connections[0].node; }
    });
    loading = true;
    for (var i = oldNames.length; i >= 1; i--) { editor.removeNodeOutput(id, "output_" + i); }
    newNames.forEach(function () { editor.addNodeOutput(id); });
    newNames.forEach(function (name, index) {
      if (targets[name]) { editor.addConnection(id, targets[name], "output_" + (index + 1), "input_1"); }
    });
    loading = false;
    refreshNode(id);
  }

  // Where a new element goes: the first free spot in the visible part of the canvas.
  function freePosition() {
    var rect = canvas.getBoundingClientRect();
    var zoom = editor.zoom;
    var taken = Array.prototype.map.call(canvas.querySelectorAll(".drawflow-node"), function (el) { return el.getBoundingClientRect(); });
    var width = 270 * zoom, height = 150 * zoom;
    for (var row = 0; row < 12; row++) {
      for (var column = 0; column < 6; column++) {
        var left = rect.left + 40 + column * (width + 20);
        var top = rect.top + 50 + row * (height + 20);
        var free = taken.every(function (box) {
          return left + width < box.left || left > box.right || top + height < box.top || top > box.bottom;
        });
        if (free && (left + width <= rect.right || column === 0)) { return toCanvas(left, top); }
      }
    }
    return toCanvas(rect.left + 40, rect.top + 50);
  }

  function toCanvas(clientX, clientY) {
    var precanvas = editor.precanvas;
    var scale = precanvas.clientWidth / (precanvas.clientWidth * editor.zoom);
    var box = precanvas.getBoundingClientRect();
    return { x: clientX * scale - box.x * scale, y: clientY * scale - box.y * scale };
  }

  function addElement(type) {
    var position = freePosition();
    var id = addNode(newSid(), type, "", defaultConfig(type), position.x, position.y);
    hidePalette();
    markDirty();
    openForm(id);
    nodeElement(id).scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  // Palette

  function buildPalette() {
    config.palette.forEach(function (name) {
      var type = types[name];
      var disabled = name === "conference" && objects.rooms.length === 0;
      var button = element("button", {
        type: "button",
        "class": "list-group-item list-group-item-action d-flex gap-2 align-items-start",
        "data-type": name,
        disabled: disabled
      }, [
        element("i", { "class": "bi " + type.icon, "aria-hidden": "true" }),
        element("span", {}, [
          element("span", { text: type.label }),
          disabled ? element("span", { "class": "d-block small text-muted", text: words.conference_unavailable }) : null
        ])
      ]);
      button.addEventListener("click", function () { addElement(name); });
      paletteList.appendChild(button);
    });
  }

  function showPalette() {
    palette.classList.remove("d-none");
    formSection.classList.add("d-none");
    addButton.setAttribute("aria-expanded", "true");
  }

  function hidePalette() {
    palette.classList.add("d-none");
    formSection.classList.remove("d-none");
    addButton.setAttribute("aria-expanded", "false");
  }

  // Side form

  var fieldCounter = 0;

  function field(labelText, control, help) {
    var id = control.id || ("sf-" + (++fieldCounter));
    control.id = id;
    return element("div", { "class": "mb-2" }, [
      element("label", { "class": "form-label small mb-1", "for": id, text: labelText }),
      control,
      help ? element("div", { "class": "form-text", text: help }) : null
    ]);
  }

  function change(id, update) {
    return function (event) {
      update(event);
      if (lastErrors[models[id].sid]) { delete lastErrors[models[id].sid]; }
      refreshNode(id);
      markDirty();
    };
  }

  function numberInput(id, key, bounds) {
    var model = models[id];
    var input = element("input", { type: "number", "class": "form-control form-control-sm", min: bounds[0], max: bounds[1], step: 1, value: model.config[key] == null ? "" : model.config[key] });
    input.addEventListener("input", change(id, function () {
      var value = parseInt(input.value, 10);
      model.config[key] = isNaN(value) ? null : value;
    }));
    return input;
  }

  function objectSelect(id, key, list, extraLabel) {
    var model = models[id];
    var select = element("select", { "class": "form-select form-select-sm" });
    select.appendChild(element("option", { value: "", text: words.choose }));
    list.forEach(function (item) {
      select.appendChild(element("option", {
        value: String(item.id),
        text: item.label + (extraLabel ? extraLabel(item) : ""),
        selected: model.config[key] === item.id
      }));
    });
    select.addEventListener("change", change(id, function () {
      model.config[key] = select.value ? parseInt(select.value, 10) : null;
    }));
    return select;
  }

  function audioFields(id, key, systemLabel, withText) {
    var model = models[id];
    var wrapper = element("div");
    var select = element("select", { "class": "form-select form-select-sm" });
    select.appendChild(element("option", { value: config.system_audio, text: systemLabel }));
    objects.announcements.forEach(function (item) {
      select.appendChild(element("option", { value: item.path, text: item.label, selected: model.config[key] === item.path }));
    });
    if (model.config[key] !== config.system_audio && !objects.announcements.some(function (item) { return item.path === model.config[key]; })) {
      select.appendChild(element("option", { value: model.config[key], text: model.config[key], selected: true }));
    }
    wrapper.appendChild(field(words.audio, select));
    var player = element("div", { "class": "mb-2" });
    function showPlayer() {
      player.innerHTML = "";
      var chosen = objects.announcements.filter(function (item) { return item.path === model.config[key]; })[0];
      if (chosen) {
        player.appendChild(element("audio", { controls: true, preload: "none", src: chosen.url, "aria-label": words.play }));
      }
    }
    showPlayer();
    select.addEventListener("change", change(id, function () { model.config[key] = select.value; showPlayer(); renderText(); }));
    wrapper.appendChild(player);

    var file = element("input", { type: "file", "class": "form-control form-control-sm", accept: ".wav,.mp3" });
    var uploadStatus = element("div", { "class": "small", role: "status" });
    file.addEventListener("change", function () {
      if (!file.files.length) { return; }
      var body = new FormData();
      body.append("file", file.files[0]);
      uploadStatus.className = "small text-muted";
      uploadStatus.textContent = words.uploading;
      fetch(config.urls.upload, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "XMLHttpRequest" },
        body: body
      }).then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      }).then(function (result) {
        if (!result.ok || !result.data.ok) {
          uploadStatus.className = "small text-danger";
          uploadStatus.textContent = (result.data && result.data.error) || words.upload_failed;
          return;
        }
        objects.announcements.unshift({ path: result.data.path, url: result.data.url, label: result.data.label });
        model.config[key] = result.data.path;
        refreshNode(id);
        markDirty();
        openForm(id);
        var status = formBody.querySelector("[data-upload-status]");
        if (status) { status.className = "small text-success"; status.textContent = words.uploaded; }
      }).catch(function () {
        uploadStatus.className = "small text-danger";
        uploadStatus.textContent = words.upload_failed;
      });
    });
    uploadStatus.setAttribute("data-upload-status", "");
    wrapper.appendChild(field(words.upload, file));
    wrapper.appendChild(uploadStatus);

    var textHolder = element("div");
    function renderText() {
      textHolder.innerHTML = "";
      if (!withText) { return; }
      var system = model.config[key] === config.system_audio;
      var text = element("textarea", { "class": "form-control form-control-sm", rows: 3, maxlength: config.limits.text });
      text.value = model.config.text || "";
      text.addEventListener("input", change(id, function () { model.config.text = text.value; }));
      textHolder.appendChild(field(system ? words.text : words.text_own, text));
    }
    renderText();
    wrapper.appendChild(textHolder);
    return wrapper;
  }

  function ivrFields(id) {
    var model = models[id];
    var wrapper = element("div");
    wrapper.appendChild(audioFields(id, "prompt", words.system_prompt, false));
    var keys = element("div", { "class": "scheme-keys", role: "group", "aria-label": words.keys });
    config.digits.forEach(function (digit) {
      var checkboxId = "sf-key-" + (digit === "*" ? "star" : digit === "#" ? "hash" : digit);
      var checkbox = element("input", { type: "checkbox", "class": "form-check-input", id: checkboxId, value: digit, checked: (model.config.options || []).indexOf(digit) !== -1 });
      checkbox.addEventListener("change", function () {
        var oldNames = exitNames(model);
        var options = (model.config.options || []).filter(function (value) { return value !== digit; });
        if (checkbox.checked) { options.push(digit); }
        model.config.options = config.digits.filter(function (value) { return options.indexOf(value) !== -1; });
        rebuildOutputs(id, oldNames);
        change(id, function () {})();
      });
      keys.appendChild(element("div", { "class": "form-check form-check-inline m-0" }, [
        checkbox, element("label", { "class": "form-check-label", "for": checkboxId, text: digit })
      ]));
    });
    wrapper.appendChild(element("div", { "class": "mb-2" }, [element("div", { "class": "form-label small mb-1", text: words.keys }), keys]));
    wrapper.appendChild(field(words.timeout_seconds, numberInput(id, "timeout_seconds", config.limits.timeout_seconds)));
    wrapper.appendChild(field(words.max_attempts, numberInput(id, "max_attempts", config.limits.max_attempts)));
    return wrapper;
  }

  function hoursFields(id) {
    var model = models[id];
    var wrapper = element("fieldset", { "class": "mb-2" }, [element("legend", { "class": "form-label small mb-1", text: words.hours })]);
    config.weekdays.forEach(function (day) {
      var intervals = element("div");
      var row = element("div", { "class": "scheme-hours-day", "data-day": day.key }, [element("div", { "class": "small pt-1", text: day.label }), intervals]);
      function render() {
        intervals.innerHTML = "";
        var list = model.config.hours[day.key] = model.config.hours[day.key] || [];
        if (!list.length) { intervals.appendChild(element("span", { "class": "small text-muted me-2", text: words.closed })); }
        list.forEach(function (interval, index) {
          var from = element("input", { type: "text", "class": "form-control form-control-sm", value: interval[0], maxlength: 5, inputmode: "numeric", placeholder: "08:00", "aria-label": day.label + " " + words.from });
          var to = element("input", { type: "text", "class": "form-control form-control-sm", value: interval[1], maxlength: 5, inputmode: "numeric", placeholder: "16:00", "aria-label": day.label + " " + words.to });
          var remove = element("button", { type: "button", "class": "btn btn-sm btn-link text-danger p-0", title: words.remove_period, "aria-label": day.label + ": " + words.remove_period, html: '<i class="bi bi-x-lg" aria-hidden="true"></i>' });
          from.addEventListener("input", change(id, function () { interval[0] = from.value.trim(); }));
          to.addEventListener("input", change(id, function () { interval[1] = to.value.trim(); }));
          remove.addEventListener("click", change(id, function () { list.splice(index, 1); render(); }));
          intervals.appendChild(element("div", { "class": "scheme-interval" }, [from, element("span", { text: "–" }), to, remove]));
        });
        var add = element("button", { type: "button", "class": "btn btn-sm btn-link p-0", text: "+ " + words.add_period, "aria-label": day.label + ": " + words.add_period });
        add.addEventListener("click", change(id, function () { list.push(["08:00", "16:00"]); render(); }));
        intervals.appendChild(add);
      }
      render();
      wrapper.appendChild(row);
    });
    return wrapper;
  }

  function holidayFields(id) {
    var model = models[id];
    var wrapper = element("div");
    var text = element("textarea", { "class": "form-control form-control-sm", rows: 4 });
    text.value = (model.config.holidays || []).join("\n");
    text.addEventListener("input", change(id, function () {
      model.config.holidays = text.value.split(/[\s,;]+/).map(function (value) { return value.trim(); }).filter(Boolean);
    }));
    wrapper.appendChild(field(words.holidays, text));
    var seed = element("button", { type: "button", "class": "btn btn-sm btn-outline-secondary mb-2", text: words.add_public_holidays });
    seed.addEventListener("click", change(id, function () {
      var merged = (model.config.holidays || []).slice();
      config.defaults.holidays.forEach(function (day) { if (merged.indexOf(day) === -1) { merged.push(day); } });
      merged.sort();
      model.config.holidays = merged;
      text.value = merged.join("\n");
    }));
    wrapper.appendChild(seed);
    var checkbox = element("input", { type: "checkbox", "class": "form-check-input", id: "sf-public-holidays", checked: !!model.config.use_public_holidays });
    checkbox.addEventListener("change", change(id, function () { model.config.use_public_holidays = checkbox.checked; }));
    wrapper.appendChild(element("div", { "class": "form-check mb-2" }, [
      checkbox, element("label", { "class": "form-check-label small", "for": "sf-public-holidays", text: words.use_public_holidays })
    ]));
    return wrapper;
  }

  function emptyNote(list) {
    return list.length ? null : element("p", { "class": "small text-warning mb-2", text: words.none_yet });
  }

  function typeFields(id) {
    var model = models[id];
    var wrapper = element("div");
    switch (model.type) {
      case "announcement":
        wrapper.appendChild(audioFields(id, "greeting", words.system_audio, true));
        break;
      case "ivr":
        wrapper.appendChild(ivrFields(id));
        break;
      case "time_condition":
        wrapper.appendChild(hoursFields(id));
        wrapper.appendChild(holidayFields(id));
        break;
      case "queue":
        wrapper.appendChild(field(words.queue, objectSelect(id, "queue", objects.queues)));
        wrapper.appendChild(emptyNote(objects.queues) || element("span"));
        break;
      case "extension":
        wrapper.appendChild(field(words.extension, objectSelect(id, "sip_account", objects.extensions)));
        wrapper.appendChild(emptyNote(objects.extensions) || element("span"));
        wrapper.appendChild(field(words.ring_seconds, numberInput(id, "ring_seconds", config.limits.ring_seconds)));
        break;
      case "external":
        wrapper.appendChild(field(words.external_number, objectSelect(id, "external_number", objects.external_numbers)));
        wrapper.appendChild(emptyNote(objects.external_numbers) || element("span"));
        wrapper.appendChild(field(words.ring_seconds, numberInput(id, "ring_seconds", config.limits.ring_seconds)));
        break;
      case "voicemail":
        wrapper.appendChild(field(words.voicemail_box, objectSelect(id, "sip_account", objects.extensions, function (item) {
          return item.voicemail ? "" : " (" + words.voicemail_off + ")";
        })));
        wrapper.appendChild(emptyNote(objects.extensions) || element("span"));
        break;
      case "conference":
        if (objects.rooms.length) {
          wrapper.appendChild(field(words.room, objectSelect(id, "room", objects.rooms)));
        } else {
          wrapper.appendChild(element("p", { "class": "small text-warning", text: words.conference_unavailable }));
        }
        break;
      default:
        wrapper.appendChild(element("p", { "class": "small text-muted", text: words.hangup_note }));
    }
    return wrapper;
  }

  function openForm(id) {
    var model = models[id];
    if (!model) { return closeForm(); }
    selectedId = id;
    hidePalette();
    formTitle.textContent = format(words.settings_of, { type: types[model.type].label });
    formBody.innerHTML = "";
    var label = element("input", { type: "text", "class": "form-control form-control-sm", id: "sf-label", maxlength: config.limits.label, value: model.label });
    label.addEventListener("input", change(id, function () { model.label = label.value; }));
    formBody.appendChild(field(words.label, label));
    formBody.appendChild(typeFields(id));

    var actions = element("div", { "class": "d-flex flex-wrap gap-2 mt-3 pt-2 border-top" });
    if (model.sid === startSid) {
      actions.appendChild(element("span", { "class": "small text-success align-self-center", html: '<i class="bi bi-flag-fill" aria-hidden="true"></i> ' + escapeHtml(words.is_start) }));
    } else {
      var makeStart = element("button", { type: "button", "class": "btn btn-sm btn-outline-success", html: '<i class="bi bi-flag" aria-hidden="true"></i> ' + escapeHtml(words.make_start) });
      makeStart.addEventListener("click", function () {
        startSid = model.sid;
        refreshAll();
        markDirty();
        openForm(id);
      });
      actions.appendChild(makeStart);
    }
    var remove = element("button", { type: "button", "class": "btn btn-sm btn-outline-danger ms-auto", html: '<i class="bi bi-trash" aria-hidden="true"></i> ' + escapeHtml(words["delete"]) });
    remove.addEventListener("click", function () {
      if (model.sid === startSid) {
        setStatus(words.cannot_delete_start, "error");
        return;
      }
      if (!window.confirm(words.confirm_delete)) { return; }
      editor.removeNodeId("node-" + id);
    });
    actions.appendChild(remove);
    formBody.appendChild(actions);
    var messages = lastErrors[model.sid] || [];
    if (messages.length) {
      formBody.insertBefore(element("div", { "class": "alert alert-danger small py-2" }, [
        element("ul", { "class": "mb-0 ps-3", html: messages.map(function (m) { return "<li>" + escapeHtml(m) + "</li>"; }).join("") })
      ]), formBody.firstChild);
    }
  }

  function closeForm() {
    selectedId = null;
    formTitle.textContent = formTitleDefault;
    formBody.innerHTML = "";
    formBody.appendChild(element("p", { "class": "text-muted small mb-0", text: words.pick_element }));
  }

  // Saving

  function showErrors(data) {
    lastErrors = data.errors || {};
    Object.keys(models).forEach(showNodeErrors);
    var items = (data.graph_errors || []).slice();
    Object.keys(lastErrors).forEach(function (sid) {
      var id = idOfSid(sid);
      var model = id ? models[id] : null;
      var name = model ? (types[model.type].label + (model.label ? " „" + model.label + "”" : "")) : sid;
      items.push(format(words.element_errors, { element: name, errors: lastErrors[sid].join(" ") }));
    });
    errorBox.innerHTML = "";
    if (!items.length) { errorBox.classList.add("d-none"); return; }
    errorBox.appendChild(element("p", { "class": "fw-semibold mb-1", text: words.errors_title }));
    errorBox.appendChild(element("ul", { "class": "mb-0", html: items.map(function (item) { return "<li>" + escapeHtml(item) + "</li>"; }).join("") }));
    errorBox.classList.remove("d-none");
    if (selectedId) { openForm(selectedId); }
  }

  function save() {
    saveButton.disabled = true;
    setStatus(words.saving, "info");
    fetch(config.urls.save, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), "X-Requested-With": "XMLHttpRequest" },
      body: JSON.stringify({ graph: toSpec() })
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      saveButton.disabled = false;
      if (result.ok && result.data.ok) {
        dirty = false;
        showErrors({});
        setStatus(result.data.message || words.saved, "ok");
        return;
      }
      showErrors(result.data || {});
      setStatus((result.data && result.data.message) || words.not_saved, "error");
    }).catch(function () {
      saveButton.disabled = false;
      setStatus(words.save_failed, "error");
    });
  }

  // Drawflow events

  editor.on("nodeSelected", function (id) { openForm(String(id)); });
  // Drawflow reports a selection only when it changes; a click always opens the clicked element's settings.
  canvas.addEventListener("click", function (event) {
    var target = event.target;
    if (target.classList.contains("output") || target.classList.contains("input")) { return; }
    var nodeEl = target.closest(".drawflow-node");
    if (nodeEl && nodeEl.id.slice(5) !== selectedId) { openForm(nodeEl.id.slice(5)); }
  });
  editor.on("nodeMoved", function () { markDirty(); });
  editor.on("nodeRemoved", function (id) {
    id = String(id);
    var model = models[id];
    delete models[id];
    if (model && model.sid === startSid) { startSid = null; refreshAll(); }
    if (selectedId === id) { closeForm(); }
    markDirty();
  });
  editor.on("connectionCreated", function (connection) {
    var outputId = String(connection.output_id);
    // One arrow per exit: a new arrow from an exit replaces the old one.
    var data = editor.getNodeFromId(outputId);
    var port = data.outputs[connection.output_class];
    if (port) {
      port.connections.forEach(function (existing) {
        if (String(existing.node) !== String(connection.input_id)) {
          editor.removeSingleConnection(outputId, existing.node, connection.output_class, existing.output);
        }
      });
    }
    decorateOutputs(outputId);
    markDirty();
  });
  editor.on("connectionRemoved", function (connection) {
    decorateOutputs(String(connection.output_id));
    markDirty();
  });

  // Page controls

  buildPalette();
  addButton.addEventListener("click", function () {
    if (palette.classList.contains("d-none")) { showPalette(); } else { hidePalette(); }
  });
  saveButton.addEventListener("click", save);
  saveButton.disabled = false;
  document.getElementById("scheme-zoom-in").addEventListener("click", function () { editor.zoom_in(); });
  document.getElementById("scheme-zoom-out").addEventListener("click", function () { editor.zoom_out(); });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = words.leave_unsaved; }
  });

  load(graph);
  root.setAttribute("data-ready", "true");
})();
