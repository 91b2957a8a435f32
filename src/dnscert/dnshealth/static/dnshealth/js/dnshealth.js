/*
 * DNS health pages: charts and the "check this zone now" live progress.
 *
 * - <canvas data-dnshealth-chart data-url="..."> fetches JSON from the app
 *   {"kind": "line"|"bar", "labels": [...], "datasets": [{"label", "data", "color"?, "stepped"?}],
 *    "y": {"title", "min"?, "max"?, "ticks"?: {value: label}}}
 *   and draws it with the vendored Chart.js (no CDN). The page keeps the figures in a table.
 * - <div data-check-now data-start-url="..." data-zone="..."> holds a button; pressing it POSTs
 *   to start a check, then follows the Server-Sent Events stream and lists each test case.
 */
(function () {
  "use strict";

  var PALETTE = ["#0b5cad", "#b3261e", "#1e7b34", "#9a6700", "#6f42c1", "#00838f", "#c2185b",
    "#5d4037", "#455a64", "#ef6c00"];

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function datasetOf(spec, index) {
    var color = spec.color || PALETTE[index % PALETTE.length];
    return {
      label: spec.label,
      data: spec.data,
      borderColor: color,
      backgroundColor: spec.fill || color,
      stepped: Boolean(spec.stepped),
      spanGaps: true,
      pointRadius: spec.data.length > 60 ? 0 : 2,
      tension: 0
    };
  }

  function yAxis(y) {
    var axis = { title: { display: Boolean(y.title), text: y.title || "" } };
    if (y.min !== undefined) { axis.min = y.min; }
    if (y.max !== undefined) { axis.max = y.max; }
    if (y.ticks) {
      axis.ticks = {
        stepSize: 1,
        callback: function (value) { return y.ticks[value] !== undefined ? y.ticks[value] : ""; }
      };
    } else if (y.integer) {
      axis.ticks = { precision: 0 };
    }
    return axis;
  }

  function draw(canvas, payload) {
    if (typeof window.Chart === "undefined") { return; }
    canvas.hidden = false;
    canvas.chart = new window.Chart(canvas, {
      type: payload.kind || "line",
      data: { labels: payload.labels, datasets: payload.datasets.map(datasetOf) },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { display: payload.datasets.length > 1 } },
        scales: { x: { ticks: { maxTicksLimit: 12 } }, y: yAxis(payload.y || {}) }
      }
    });
    canvas.setAttribute("data-drawn", String(payload.labels.length));
  }

  function loadChart(canvas) {
    fetch(canvas.getAttribute("data-url"), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (payload) { if (payload) { draw(canvas, payload); } });
  }

  function addLine(list, text, level) {
    var item = document.createElement("li");
    if (level) {
      var badge = document.createElement("span");
      badge.className = "badge level-" + level.toLowerCase();
      badge.textContent = level;
      item.appendChild(badge);
      item.appendChild(document.createTextNode(" "));
    }
    item.appendChild(document.createTextNode(text));
    list.appendChild(item);
  }

  function follow(box, eventsUrl) {
    var list = box.querySelector("[data-progress]");
    var status = box.querySelector("[data-status]");
    var source = new EventSource(eventsUrl);
    source.addEventListener("test_case", function (event) {
      var data = JSON.parse(event.data);
      addLine(list, data.test_case + " (" + data.done + "/" + data.total + ")", data.worst_level);
    });
    source.addEventListener("report", function (event) {
      var data = JSON.parse(event.data);
      status.textContent = box.getAttribute("data-done-text") + " " + (data.worst_level || "-");
      status.setAttribute("data-final", data.worst_level || "");
      source.close();
      box.querySelector("button").disabled = false;
    });
    source.addEventListener("failed", function (event) {
      status.textContent = JSON.parse(event.data).error;
      source.close();
      box.querySelector("button").disabled = false;
    });
  }

  function startCheck(box) {
    var button = box.querySelector("button");
    button.disabled = true;
    box.querySelector("[data-progress]").textContent = "";
    box.querySelector("[data-status]").textContent = box.getAttribute("data-running-text");
    fetch(box.getAttribute("data-start-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ zone: box.getAttribute("data-zone") })
    })
      .then(function (response) { return response.json().then(function (b) { return [response, b]; }); })
      .then(function (pair) {
        if (!pair[0].ok) {
          box.querySelector("[data-status]").textContent = pair[1].detail || JSON.stringify(pair[1]);
          button.disabled = false;
          return;
        }
        follow(box, pair[1].events_url);
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas[data-dnshealth-chart]").forEach(loadChart);
    document.querySelectorAll("[data-check-now]").forEach(function (box) {
      box.querySelector("button").addEventListener("click", function () { startCheck(box); });
    });
  });
})();
