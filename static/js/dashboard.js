/* Draws the dashboard's charts with the vendored Chart.js from the data the page carries in a JSON
   block (no inline script: the CSP stays strict). */
(function () {
  "use strict";
  function draw() {
    var data = document.getElementById("dashboard-charts");
    if (!data || typeof window.Chart === "undefined") {
      return;
    }
    var charts = JSON.parse(data.textContent);
    var colour = getComputedStyle(document.documentElement).getPropertyValue("--link-fg").trim() || "#417690";
    charts.forEach(function (chart) {
      var canvas = document.querySelector('canvas[data-chart="' + chart.key + '"]');
      if (!canvas) {
        return;
      }
      new window.Chart(canvas, {
        type: chart.type,
        data: {
          labels: chart.labels,
          datasets: [{ label: chart.label, data: chart.values, backgroundColor: colour, borderColor: colour, tension: 0.2 }]
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          plugins: { legend: { display: false } },
          scales: { y: { beginAtZero: true } }
        }
      });
      canvas.setAttribute("data-drawn", "1");
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
