/* The precision pages: the village incidence treemap of a county (ECharts) and the village
   notice's print button. Data comes from json_script; no inline scripts. */
(function () {
  "use strict";

  var LOW = "#d9efe1";    // well below the exit threshold
  var NEAR = "#f7c873";   // below it, at half or more
  var ABOVE = "#c8443a";  // at or above it: the village has not exited
  var NONE = "#e5e7eb";   // no population row

  function fmt(value, digits) {
    return typeof value === "number" ? value.toFixed(digits) : "—";
  }

  function number(value) {
    return typeof value === "number" ? value.toLocaleString("zh-CN") : "—";
  }

  function colourOf(incidence, threshold) {
    if (typeof incidence !== "number") return NONE;
    if (incidence >= threshold) return ABOVE;
    if (incidence >= threshold / 2) return NEAR;
    return LOW;
  }

  function treemapData(d) {
    return d.townships.map(function (t) {
      return {
        name: t.name,
        code: t.code,
        children: t.children.map(function (v) {
          return {
            name: v.name,
            value: v.value,
            code: v.code,
            population: v.population,
            poor: v.poor,
            incidence: v.incidence,
            flagged: v.flagged,
            itemStyle: {
              color: colourOf(v.incidence, d.threshold),
              borderColor: v.flagged ? "#7f1d1d" : "#ffffff",
              borderWidth: v.flagged ? 2 : 1
            }
          };
        })
      };
    });
  }

  function drawTreemap(el, d) {
    var chart = echarts.init(el, null, { renderer: "canvas" });
    var t = fmt(d.threshold, 0);
    chart.setOption({
      tooltip: {
        formatter: function (p) {
          var v = p.data || {};
          if (!v.code || v.children) return "<b>" + p.name + "</b>";
          return "<b>" + v.name + "</b> <span style='color:#888'>" + v.code + "</span><br>" +
            "贫困人口：" + number(v.poor) + " 人<br>" +
            "乡村户籍人口：" + number(v.population) + " 人<br>" +
            "贫困发生率：" + fmt(v.incidence, 2) + " %" +
            (v.flagged ? "<br><b style='color:#b91c1c'>≥ " + t + " %，未达到村退出标准</b>" : "");
        }
      },
      legend: { show: false },
      series: [{
        type: "treemap",
        name: "全县",
        roam: false,
        top: 8, left: 4, right: 4, bottom: 36,
        nodeClick: "zoomToNode",
        leafDepth: null,
        visibleMin: 40,
        breadcrumb: { show: true, bottom: 4, itemStyle: { color: "#4b5563" } },
        label: {
          show: true,
          formatter: function (p) {
            var v = p.data || {};
            return v.children ? p.name : p.name + "\n" + fmt(v.incidence, 2) + "%";
          },
          fontSize: 11,
          color: "#1f2937"
        },
        upperLabel: { show: true, height: 22, color: "#ffffff", backgroundColor: "#4b5563" },
        levels: [
          { itemStyle: { borderColor: "#374151", borderWidth: 2, gapWidth: 2 } },
          { itemStyle: { borderColor: "#ffffff", borderWidth: 1, gapWidth: 1 } }
        ],
        data: treemapData(d)
      }]
    });
    return chart;
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    var el = document.getElementById("village-treemap");
    var dataEl = document.getElementById("village-data");
    if (!el || !dataEl || typeof echarts === "undefined") return;
    var d = JSON.parse(dataEl.textContent);
    if (!d.townships.length) return;
    var chart = drawTreemap(el, d);
    el.dataset.ready = "true";
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
