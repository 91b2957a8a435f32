/*
 * KPI charts: reads the figures the page embeds (<script id="kpi-figures" type="application/json">)
 * and draws them with the vendored Chart.js into <canvas data-kpi-chart="...">. The same figures
 * are printed in tables on the page, so nothing depends on this script.
 */
(function () {
  "use strict";

  var PALETTE = ["#0b5cad", "#b3261e", "#1e7b34", "#9a6700", "#6f42c1", "#00838f", "#c2185b",
    "#5d4037", "#455a64", "#ef6c00"];
  var SEVERITY_COLOURS = { info: "#455a64", low: "#1e7b34", medium: "#9a6700", high: "#ef6c00",
    critical: "#b3261e" };

  function colour(key, index) { return SEVERITY_COLOURS[key] || PALETTE[index % PALETTE.length]; }

  function stacked(canvas, labels, series, names) {
    var datasets = Object.keys(series).map(function (key, index) {
      return { label: (names && names[key]) || key, data: series[key], backgroundColor: colour(key, index) };
    });
    return { type: "bar", data: { labels: labels, datasets: datasets },
      options: { scales: { x: { stacked: true }, y: { stacked: true, ticks: { precision: 0 } } } } };
  }

  function medianLines(figures, measure) {
    var bySeverity = {};
    figures.response_times.forEach(function (row) {
      if (!bySeverity[row.severity]) { bySeverity[row.severity] = figures.months.map(function () { return null; }); }
      bySeverity[row.severity][figures.months.indexOf(row.month)] = row[measure].median_hours;
    });
    var datasets = Object.keys(bySeverity).map(function (key, index) {
      return { label: figures.severity_labels[key] || key, data: bySeverity[key], borderColor: colour(key, index),
        backgroundColor: colour(key, index), spanGaps: true };
    });
    return { type: "line", data: { labels: figures.months, datasets: datasets },
      options: { scales: { y: { beginAtZero: true } } } };
  }

  function feedbackBars(figures, canvas) {
    var fb = figures.feedback;
    return { type: "bar", data: { labels: ["1", "2", "3", "4", "5"], datasets: [
      { label: canvas.getAttribute("data-useful"), data: fb.useful_distribution, backgroundColor: PALETTE[0] },
      { label: canvas.getAttribute("data-timely"), data: fb.timely_distribution, backgroundColor: PALETTE[2] }] },
      options: { scales: { y: { ticks: { precision: 0 } } } } };
  }

  var BUILDERS = {
    severity: function (f) { return stacked(null, f.months, f.monthly_by_severity, f.severity_labels); },
    category: function (f) { return stacked(null, f.months, f.monthly_by_category, f.category_labels); },
    acknowledge: function (f) { return medianLines(f, "acknowledge"); },
    resolve: function (f) { return medianLines(f, "resolve"); },
    feedback: feedbackBars
  };

  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("kpi-figures");
    if (!source || typeof window.Chart === "undefined") { return; }
    var figures = JSON.parse(source.textContent);
    document.querySelectorAll("canvas[data-kpi-chart]").forEach(function (canvas) {
      var build = BUILDERS[canvas.getAttribute("data-kpi-chart")];
      if (!build) { return; }
      var config = build(figures, canvas);
      config.options.responsive = true;
      config.options.maintainAspectRatio = false;
      config.options.animation = false;
      canvas.hidden = false;
      canvas.chart = new window.Chart(canvas, config);
      canvas.setAttribute("data-drawn", "true");
    });
  });
})();
