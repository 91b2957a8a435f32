/*
 * Threat-data charts: <canvas data-intel-chart data-url="..."> fetches
 * {"labels": [...], "datasets": [{"label", "data"}], "y": {"title", "min"}} and draws it
 * with the vendored Chart.js. The page keeps the totals in a table for readers without it.
 */
(function () {
  "use strict";

  var PALETTE = ["#0b5cad", "#b3261e", "#1e7b34", "#9a6700", "#6f42c1", "#00838f", "#c2185b",
    "#5d4037"];

  function draw(canvas, spec) {
    var datasets = spec.datasets.map(function (set, index) {
      var color = PALETTE[index % PALETTE.length];
      return { label: set.label, data: set.data, borderColor: color, backgroundColor: color,
        pointRadius: set.data.length > 60 ? 0 : 2, tension: 0 };
    });
    /* global Chart */
    new Chart(canvas, {
      type: "line",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        animation: false,
        scales: { y: { min: spec.y.min, title: { display: true, text: spec.y.title } } }
      }
    });
  }

  function load(canvas) {
    fetch(canvas.getAttribute("data-url"), { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (spec) { draw(canvas, spec); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof Chart === "undefined") { return; }
    document.querySelectorAll("canvas[data-intel-chart]").forEach(load);
  });
}());
