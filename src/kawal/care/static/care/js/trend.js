// The trend of a child's daily observations: one small Chart.js chart per
// indicator, with the daily score, the 7-day average the server computed,
// missing days (a cross under the line, and a gap in it) and incidents (a
// triangle over it). The data come from the page's JSON block; the table on
// the page shows the same without JavaScript.
(function () {
  "use strict";
  var source = document.getElementById("care-trend-data");
  var host = document.getElementById("care-charts");
  var status = document.getElementById("care-chart-status");
  if (!source || !host || !window.Chart) {
    return;
  }
  var data = JSON.parse(source.textContent);
  var words = host.dataset;
  var MISSING_AT = 0.75;
  var INCIDENT_AT = 5.3;

  function blank() {
    return data.days.map(function () {
      return null;
    });
  }

  var missing = blank();
  data.missing.forEach(function (index) {
    missing[index] = MISSING_AT;
  });
  var incidents = blank();
  var marks = {};
  data.incidents.forEach(function (item) {
    incidents[item.day] = INCIDENT_AT;
    marks[item.day] = item.marks;
  });

  function label(context) {
    if (context.datasetIndex === 3) {
      return marks[context.dataIndex] || [];
    }
    if (context.datasetIndex === 2) {
      return words.missing;
    }
    return context.dataset.label + ": " + context.formattedValue;
  }

  function chart(indicator) {
    var figure = document.createElement("figure");
    figure.className = "care-chart";
    var caption = document.createElement("figcaption");
    caption.textContent = indicator.higherIsBetter
      ? indicator.label
      : indicator.label + " (" + words.lowerBetter + ")";
    var box = document.createElement("div");
    box.className = "care-chart-box";
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", indicator.label + ": " + words.described);
    box.appendChild(canvas);
    figure.appendChild(caption);
    figure.appendChild(box);
    host.appendChild(figure);
    return new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.days,
        datasets: [
          {
            label: words.daily,
            data: indicator.values,
            borderColor: "#0b5d56",
            backgroundColor: "#0b5d56",
            borderWidth: 1.5,
            pointRadius: 2.5,
            spanGaps: false,
          },
          {
            label: words.average,
            data: indicator.average,
            borderColor: "#b76e00",
            backgroundColor: "#b76e00",
            borderWidth: 3,
            pointRadius: 0,
            spanGaps: false,
          },
          {
            label: words.missing,
            data: missing,
            showLine: false,
            pointStyle: "crossRot",
            pointRadius: 5,
            borderColor: "#b42318",
            borderWidth: 2,
          },
          {
            label: words.incident,
            data: incidents,
            showLine: false,
            pointStyle: "triangle",
            pointRadius: 6,
            borderColor: "#7a1f00",
            backgroundColor: "#7a1f00",
          },
        ],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: "nearest", intersect: false, axis: "x" },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: label } },
        },
        scales: {
          y: {
            min: 0.5,
            max: 5.5,
            // The scale's five points, whatever Chart.js would pick between
            // the padded bounds (which leave room for the markers).
            afterBuildTicks: function (axis) {
              axis.ticks = [1, 2, 3, 4, 5].map(function (value) {
                return { value: value };
              });
            },
          },
          x: { ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 6 } },
        },
      },
    });
  }

  data.indicators.forEach(chart);
  if (status) {
    status.textContent = "";
  }
})();
