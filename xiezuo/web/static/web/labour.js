/* The labour overview: flows of workers from recipient counties to places of work (ECharts Sankey). */
(function () {
  "use strict";
  var el = document.getElementById("labour-sankey");
  var source = document.getElementById("labour-sankey-data");
  if (!el || !source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(el, null, { renderer: "canvas" });
  chart.setOption({
    tooltip: { trigger: "item", triggerOn: "mousemove" },
    series: [{
      type: "sankey",
      data: data.nodes,
      links: data.links,
      nodeAlign: "justify",
      emphasis: { focus: "adjacency" },
      lineStyle: { color: "gradient", curveness: 0.5, opacity: 0.35 },
      label: { color: "#374151", fontSize: 12 }
    }]
  });
  el.dataset.ready = "true";
  window.addEventListener("resize", function () { chart.resize(); });
}());
