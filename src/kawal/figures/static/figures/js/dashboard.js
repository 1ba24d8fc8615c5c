/* Draws each figure's chart from the numbers its table shows (json_script).
   The table is the figure; without JavaScript the page still has every number. */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") { return; }
  var labels = document.getElementById("figure-chart-labels");
  var word = labels ? labels.getAttribute("data-cases") : "";
  var reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source) { return; }
    var data;
    try { data = JSON.parse(source.textContent); } catch (e) { return; }
    var line = data.type === "line";
    new window.Chart(canvas, {
      type: line ? "line" : "bar",
      data: {
        labels: data.labels,
        datasets: [{
          label: word,
          data: data.values,
          backgroundColor: "#0f766e",
          borderColor: "#0f766e",
          spanGaps: false
        }]
      },
      options: {
        indexAxis: line ? "x" : "y",
        maintainAspectRatio: false,
        animation: reduce ? false : { duration: 300 },
        plugins: { legend: { display: false }, title: { display: false } },
        scales: {
          x: { beginAtZero: true, ticks: { precision: 0 } },
          y: { beginAtZero: true, ticks: { precision: 0, autoSkip: false } }
        }
      }
    });
  });
})();
