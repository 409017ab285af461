// Call tracer: show only the fields of the chosen kind of call. The form works without this script
// (both groups are shown and the server ignores the fields of the other kind).
(function () {
  "use strict";

  var form = document.querySelector(".tracer-form");
  if (!form) { return; }
  var radios = form.querySelectorAll("input[name=direction]");

  function update() {
    var chosen = form.querySelector("input[name=direction]:checked");
    var direction = chosen ? chosen.value : "incoming";
    form.querySelectorAll("fieldset[data-direction]").forEach(function (fieldset) {
      fieldset.hidden = fieldset.getAttribute("data-direction") !== direction;
    });
  }

  radios.forEach(function (radio) { radio.addEventListener("change", update); });
  update();
})();
