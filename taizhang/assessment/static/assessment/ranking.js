// The ranking chart of a scoring run (the table under it holds the same figures).
(function () {
  var node = document.getElementById("ranking-chart");
  var data = document.getElementById("ranking-data");
  if (!node || !data || !window.echarts) return;
  var figures = JSON.parse(data.textContent);
  var chart = window.echarts.init(node);
  chart.setOption({
    grid: { left: 120, right: 20, top: 10, bottom: 20 },
    xAxis: { type: "value" },
    yAxis: { type: "category", data: figures.units.slice().reverse(), axisLabel: { width: 110, overflow: "truncate" } },
    series: [{ type: "bar", data: figures.totals.slice().reverse(), label: { show: true, position: "right" } }],
    tooltip: { trigger: "axis" },
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
