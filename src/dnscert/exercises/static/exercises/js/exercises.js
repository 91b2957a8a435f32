/*
 * After-action chart: minutes to the first answer per inject, one bar series per participant.
 * Reads the figures the page embeds (<script id="exercise-chart" type="application/json">) and
 * draws them with the vendored Chart.js; the same figures are in the tables on the page.
 */
(function () {
  "use strict";

  var PALETTE = ["#0b5cad", "#b3261e", "#1e7b34", "#9a6700", "#6f42c1", "#00838f", "#c2185b",
    "#5d4037", "#455a64", "#ef6c00"];

  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("exercise-chart");
    var canvas = document.querySelector("canvas[data-exercise-chart]");
    if (!source || !canvas || typeof window.Chart === "undefined") { return; }
    var figures = JSON.parse(source.textContent);
    var datasets = Object.keys(figures.series).map(function (name, index) {
      return { label: name, data: figures.series[name], backgroundColor: PALETTE[index % PALETTE.length] };
    });
    canvas.hidden = false;
    canvas.chart = new window.Chart(canvas, {
      type: "bar",
      data: { labels: figures.labels, datasets: datasets },
      options: { responsive: true, maintainAspectRatio: false, animation: false,
        scales: { y: { beginAtZero: true } } }
    });
    canvas.setAttribute("data-drawn", "true");
  });
})();
