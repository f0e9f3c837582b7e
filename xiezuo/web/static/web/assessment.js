/* The unit page of the assessment: six-area radar and total score over the years (ECharts). */
(function () {
  "use strict";

  var ACCENT = "#b4432f";

  function data() {
    var el = document.getElementById("unit-chart-data");
    return el ? JSON.parse(el.textContent) : null;
  }

  function drawRadar(el, areas) {
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      tooltip: { trigger: "item" },
      radar: {
        indicator: areas.map(function (a) { return { name: a.name, max: 100 }; }),
        radius: "65%",
        splitNumber: 4,
        axisName: { color: "#374151", fontSize: 12 },
        splitArea: { areaStyle: { color: ["#fafafa", "#f3f4f6"] } }
      },
      series: [{
        type: "radar",
        name: "得分率",
        symbolSize: 5,
        data: [{
          name: "得分率 %",
          value: areas.map(function (a) { return a.value; }),
          areaStyle: { color: "rgba(180, 67, 47, 0.18)" },
          lineStyle: { color: ACCENT },
          itemStyle: { color: ACCENT }
        }]
      }]
    });
    return chart;
  }

  function drawTrend(el, trend) {
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 40, right: 16, top: 32, bottom: 28 },
      xAxis: { type: "category", data: trend.map(function (p) { return String(p.year); }) },
      yAxis: { type: "value", min: 0, max: 100, name: "总分" },
      series: [{
        type: "line",
        name: "总分",
        data: trend.map(function (p) { return p.score; }),
        connectNulls: false,
        symbolSize: 8,
        lineStyle: { color: ACCENT },
        itemStyle: { color: ACCENT },
        markLine: {
          silent: true, symbol: "none",
          lineStyle: { color: "#9ca3af", type: "dashed" },
          label: { color: "#6b7280", formatter: "{b}", position: "insideEndTop" },
          data: [{ yAxis: 90, name: "好" }, { yAxis: 60, name: "一般" }]
        }
      }]
    });
    return chart;
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof echarts === "undefined") return;
    var d = data();
    if (!d) return;
    var charts = [];
    var radar = document.getElementById("area-chart");
    if (radar && d.areas.length) {
      charts.push(drawRadar(radar, d.areas));
      radar.dataset.ready = "true";
    }
    var trend = document.getElementById("trend-chart");
    if (trend && d.trend.length) {
      charts.push(drawTrend(trend, d.trend));
      trend.dataset.ready = "true";
    }
    window.addEventListener("resize", function () {
      charts.forEach(function (c) { c.resize(); });
    });
  });
})();
