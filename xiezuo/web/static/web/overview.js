/* The overview page: the county map (ECharts) and the sortable county table. No build step. */
(function () {
  "use strict";

  var COLORS = ["#e8f3ec", "#fde9b8", "#f7b267", "#ea7a4b", "#c8443a"];

  function drawMap() {
    var el = document.getElementById("county-map");
    var dataEl = document.getElementById("county-data");
    if (!el || !dataEl || typeof echarts === "undefined") return;
    var counties = JSON.parse(dataEl.textContent);
    var values = counties.map(function (c) { return c.value; })
      .filter(function (v) { return typeof v === "number"; });
    var max = values.length ? Math.max.apply(null, values) : 1;
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.showLoading({ text: "地图加载中…", color: "#b4432f", maskColor: "rgba(255,255,255,0.6)" });

    fetch(el.dataset.geojson)
      .then(function (response) {
        if (!response.ok) throw new Error("地图数据加载失败：" + response.status);
        return response.json();
      })
      .then(function (geojson) {
        echarts.registerMap("zcb", geojson);
        var names = {};
        geojson.features.forEach(function (f) { names[f.properties.adcode] = f.properties.name; });
        chart.hideLoading();
        chart.setOption({
          tooltip: {
            trigger: "item",
            formatter: function (p) {
              var d = p.data;
              if (!d || !d.county) return (names[p.name] || p.name) + "<br><span style='color:#888'>不在本项目内</span>";
              var incidence = typeof d.value === "number" ? d.value.toFixed(2) + " %" : "—";
              return "<b>" + d.county + "</b>（" + d.city + "）<br>" +
                "帮扶区：" + d.helpers.join("、") + (d.illustrative ? "（示意）" : "") + "<br>" +
                "年末剩余贫困人口：" + d.poor_people.toLocaleString("zh-CN") + " 人<br>" +
                "贫困发生率：" + incidence;
            }
          },
          visualMap: {
            type: "continuous",
            min: 0,
            max: Math.max(max, 0.01),
            left: 16,
            bottom: 16,
            text: ["高", "低"],
            calculable: true,
            precision: 2,
            inRange: { color: COLORS },
            outOfRange: { color: "#e5e7eb" },
            textStyle: { color: "#4b5563" }
          },
          series: [{
            name: "贫困发生率",
            type: "map",
            map: "zcb",
            nameProperty: "adcode",
            roam: true,
            selectedMode: false,
            aspectScale: 0.85,
            layoutCenter: ["50%", "50%"],
            layoutSize: "95%",
            itemStyle: { areaColor: "#e5e7eb", borderColor: "#ffffff", borderWidth: 0.8 },
            emphasis: {
              label: {
                show: true, color: "#111827",
                formatter: function (p) { return names[p.name] || p.name; }
              },
              itemStyle: { areaColor: "#93c5fd" }
            },
            label: {
              show: true, fontSize: 10, color: "#374151",
              formatter: function (p) { var n = p.data && p.data.county; return n ? (n.length > 2 ? n.replace(/(满族自治县|县|区)$/, "") : n) : ""; }
            },
            data: counties
          }]
        });
        el.dataset.ready = "true";
      })
      .catch(function (error) {
        console.error(error);
        chart.hideLoading();
        el.textContent = error.message;
        el.classList.add("map-error");
      });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function sortableTables() {
    document.querySelectorAll("table.sortable").forEach(function (table) {
      var headers = table.querySelectorAll("thead th[data-sort]");
      headers.forEach(function (th) {
        th.tabIndex = 0;
        th.classList.add("sort-head");
        var sort = function () {
          var index = Array.prototype.indexOf.call(th.parentNode.children, th);
          var numeric = th.dataset.sort === "num";
          var ascending = th.getAttribute("aria-sort") !== "ascending";
          headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
          th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
          var body = table.tBodies[0];
          var rows = Array.prototype.slice.call(body.rows);
          rows.sort(function (a, b) {
            var x = a.cells[index], y = b.cells[index];
            var result;
            if (numeric) {
              var vx = parseFloat(x.dataset.value), vy = parseFloat(y.dataset.value);
              if (isNaN(vx)) vx = -Infinity;
              if (isNaN(vy)) vy = -Infinity;
              result = vx - vy;
            } else {
              result = x.textContent.trim().localeCompare(y.textContent.trim(), "zh-CN");
            }
            return ascending ? result : -result;
          });
          rows.forEach(function (row) { body.appendChild(row); });
        };
        th.addEventListener("click", sort);
        th.addEventListener("keydown", function (e) {
          if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); }
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    sortableTables();
    drawMap();
  });
})();
