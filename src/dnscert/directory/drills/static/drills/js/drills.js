/*
 * Drill charts: the distribution of the time to answer (<script id="drill-histogram">) and
 * the trend over past drills (<script id="drill-trend">), drawn with the vendored Chart.js
 * into <canvas data-drill-chart="...">. The same figures are printed in tables beside them,
 * so nothing depends on this script.
 */
(function () {
  "use strict";

  function read(id) {
    var source = document.getElementById(id);
    return source ? JSON.parse(source.textContent) : null;
  }

  function histogram(canvas) {
    var data = read("drill-histogram");
    if (!data) { return null; }
    return { type: "bar", data: { labels: data.labels, datasets: [
      { label: canvas.getAttribute("data-label"), data: data.counts, backgroundColor: "#0b5cad" }] },
      options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } } };
  }

  function trend(canvas) {
    var rows = read("drill-trend");
    if (!rows) { return null; }
    var labels = rows.map(function (row) { return row.reference; });
    return { type: "line", data: { labels: labels, datasets: [
      { label: canvas.getAttribute("data-rate-label"), borderColor: "#0b5cad", backgroundColor: "#0b5cad",
        data: rows.map(function (row) { return row.response_rate; }), spanGaps: true },
      { label: canvas.getAttribute("data-in-time-label"), borderColor: "#1e7b34", backgroundColor: "#1e7b34",
        data: rows.map(function (row) { return row.in_time_rate; }), spanGaps: true }] },
      options: { scales: { y: { beginAtZero: true, max: 100 } } } };
  }

  var BUILDERS = { histogram: histogram, trend: trend };

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof window.Chart === "undefined") { return; }
    document.querySelectorAll("canvas[data-drill-chart]").forEach(function (canvas) {
      var build = BUILDERS[canvas.getAttribute("data-drill-chart")];
      var config = build ? build(canvas) : null;
      if (!config) { return; }
      config.options.responsive = true;
      config.options.maintainAspectRatio = false;
      config.options.animation = false;
      canvas.hidden = false;
      canvas.chart = new window.Chart(canvas, config);
      canvas.setAttribute("data-drawn", "true");
    });
  });
})();
