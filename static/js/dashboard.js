/* Draws the home dashboard's charts from the JSON block #dashboard-data
 * with the pinned Chart.js (static/vendor/). No inline script on the page,
 * so a Content-Security-Policy of script-src 'self' holds. The numbers are
 * also in tables next to each chart, for screen readers and without JS. */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                 "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79"];

  function canvas(key) {
    return document.querySelector('canvas[data-chart="' + key + '"]');
  }

  ["channel", "status", "classification"].forEach(function (key) {
    var target = canvas(key);
    if (!target) {
      return;
    }
    new Chart(target, {
      type: "doughnut",
      data: {
        labels: data[key].labels,
        datasets: [{data: data[key].values, backgroundColor: palette}]
      },
      options: {plugins: {legend: {position: "bottom"}}}
    });
  });

  var steps = canvas("steps");
  if (steps) {
    new Chart(steps, {
      type: "bar",
      data: {
        labels: data.steps.labels,
        datasets: [
          {label: data.steps.median_label, data: data.steps.median,
           backgroundColor: "#1f77b4"},
          {label: data.steps.allowed_label, data: data.steps.allowed,
           backgroundColor: "#cccccc"}
        ]
      },
      options: {indexAxis: "y", maintainAspectRatio: false,
                scales: {x: {beginAtZero: true}}}
    });
  }
}());
