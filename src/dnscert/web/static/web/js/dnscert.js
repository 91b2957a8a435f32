/*
 * dnscert progressive enhancements. Every page works without this file.
 * - forms marked data-autosubmit submit when a field changes (language switcher, filters);
 * - forms marked data-confirm="question" ask before submitting (destructive actions);
 * - htmx requests carry the CSRF token read from the page's <meta name="csrf-token">;
 * - <canvas data-chart="bar" data-chart-source="ID"> draws a Chart.js chart from the JSON
 *   {"labels": [...], "values": [...], "label": "..."} in <script id="ID"> (json_script);
 *   the page keeps the same figures in a table for readers without JavaScript.
 */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.hasAttribute("data-autosubmit")) {
      form.requestSubmit ? form.requestSubmit() : form.submit();
    }
  });

  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
  });

  function drawChart(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart-source"));
    if (!source || typeof window.Chart === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    canvas.hidden = false;
    new window.Chart(canvas, {
      type: canvas.getAttribute("data-chart"),
      data: {
        labels: data.labels,
        datasets: [{ label: data.label, data: data.values, backgroundColor: "#0b5cad" }]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-autosubmit] .js-hide").forEach(function (el) {
      el.hidden = true;
    });
    document.querySelectorAll("canvas[data-chart][data-chart-source]").forEach(drawChart);
  });
})();
