// Queue statistics: draws the per-day and per-agent charts with Chart.js (served locally from npm).
// The same numbers are in the tables on the page, which work without JavaScript.
(function () {
  "use strict";

  var source = document.getElementById("queue-stats-data");
  var labels = document.getElementById("queue-stats-labels");
  if (!source || !labels || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var locale = document.documentElement.lang || "pl";
  var colors = { offered: "#0d6efd", answered: "#198754", abandoned: "#dc3545" };

  function dayLabel(iso) {
    var parts = iso.split("-");
    return parts[2] + "." + parts[1];
  }

  var daysCanvas = document.getElementById("queue-days-chart");
  if (daysCanvas) {
    new Chart(daysCanvas, {
      type: "bar",
      data: {
        labels: data.days.map(dayLabel),
        datasets: [
          { label: labels.dataset.offered, data: data.offered, backgroundColor: colors.offered },
          { label: labels.dataset.answered, data: data.answered, backgroundColor: colors.answered },
          { label: labels.dataset.abandoned, data: data.abandoned, backgroundColor: colors.abandoned }
        ]
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        locale: locale,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: "bottom" } }
      }
    });
  }

  var agentsCanvas = document.getElementById("queue-agents-chart");
  if (agentsCanvas) {
    new Chart(agentsCanvas, {
      type: "bar",
      data: {
        labels: data.agents,
        datasets: [{ label: labels.dataset.agent, data: data.agent_answered, backgroundColor: colors.answered }]
      },
      options: {
        indexAxis: "y",
        maintainAspectRatio: false,
        animation: false,
        locale: locale,
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { display: false } }
      }
    });
  }
})();
