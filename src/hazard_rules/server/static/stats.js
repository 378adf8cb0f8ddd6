/* The statistics page's charts (templates/stats.html), drawn by the vendored Chart.js from
   the page's <script type="application/json" id="chart-data">: what
   GET /api/v1/stats/series?by=industry,department returns.
   Hooks for browser tests: once Chart.js has drawn a canvas it carries data-rendered="1"
   and data-values (JSON: the labels and datasets drawn); window.hazardCharts maps each
   canvas id to its Chart. */
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var points = data.points;
  var COLOURS = ["#173a6b", "#e07a1f", "#c1121f", "#2a9d8f", "#7b5ea7"];
  var TOTAL = "*";

  function percent(rate) {
    return rate === null || rate === undefined ? null : Math.round(rate * 1000) / 10;
  }

  function label(value, dimension) {
    if (value === "") { return "（未填）"; }
    var name = ((data.names || {})[dimension] || {})[value];   // 中文名（code）; a code without a name as it is
    return name ? name + "（" + value + "）" : value;
  }

  function drawn(chart) {
    var canvas = chart.canvas;
    canvas.dataset.values = JSON.stringify({
      labels: chart.data.labels,
      datasets: chart.data.datasets.map(function (d) { return { label: d.label, data: d.data }; })
    });
    canvas.dataset.rendered = "1";
  }

  Chart.defaults.font.family = window.getComputedStyle(document.body).fontFamily;
  window.hazardCharts = {};

  function draw(id, type, labels, sets, isPercent) {
    var canvas = document.getElementById(id);
    if (!canvas) {
      return;
    }
    var datasets = sets.map(function (set, i) {
      var colour = COLOURS[i % COLOURS.length];
      return { label: set[0], data: set[1], borderColor: colour, backgroundColor: colour, spanGaps: true,
               tension: 0.2, pointRadius: labels.length > 60 ? 0 : 3, maxBarThickness: 56 };
    });
    var y = { beginAtZero: true, ticks: { precision: 0 } };
    if (isPercent) {
      y = { min: 0, max: 100, ticks: { callback: function (v) { return v + "%"; } } };
    }
    window.hazardCharts[id] = new Chart(canvas, {
      type: type,
      data: { labels: labels, datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { position: "bottom" } },
        scales: { x: { ticks: { maxRotation: 60, autoSkip: true } }, y: y }
      },
      plugins: [{ id: "hazardRendered", afterRender: drawn }]
    });
  }

  var days = points.map(function (p) { return p.as_of; });
  draw("chart-stock-increment", "line", days, [
    ["存量未销号", points.map(function (p) { return p.stock.open; })],
    ["增量未销号", points.map(function (p) { return p.increment.open; })],
    ["逾期", points.map(function (p) { return p.total.overdue; })]
  ]);
  var clearing = [["动态清零进度", points.map(function (p) { return percent(p.stock.rate); })]];
  if (!data.major_only) {
    clearing.push(["重大隐患动态清零进度", points.map(function (p) { return percent(p.stock.major_rate); })]);
  }
  clearing.push(["整改率", points.map(function (p) { return percent(p.total.rate); })]);
  draw("chart-clearing", "line", days, clearing, true);

  function groups(name) {
    return data.breakdowns[name].filter(function (row) { return row[name] !== TOTAL; });
  }

  function bars(id, name) {
    var rows = groups(name);
    draw(id, "bar", rows.map(function (r) { return label(r[name], name); }), [
      ["未销号", rows.map(function (r) { return r.open; })],
      ["已销号", rows.map(function (r) { return r.closed; })],
      ["逾期", rows.map(function (r) { return r.overdue; })]
    ]);
  }

  bars("chart-industry", "industry");
  bars("chart-department", "department");
  var industries = groups("industry");
  draw("chart-industry-rate", "bar", industries.map(function (r) { return label(r.industry, "industry"); }),
       [["整改率", industries.map(function (r) { return percent(r.rate); })]], true);
}());
