// Dashboards: draws every [data-chart] element from the JSON the page embeds, and opens the
// item list behind any bar, slice or point that is clicked (each data point carries its link).
(function () {
  "use strict";

  var charts = (window.tzCharts = {});
  var labels = {};

  function go(params) {
    var link = (params.data && params.data.link) || (params.seriesLink && params.seriesLink);
    if (link) { window.location.href = link; }
  }

  // A doughnut whose labels are never cut: they sit at the chart's edges, wrap onto a second line when a name
  // is long (the width is set to the chart's room in draw()), and empty slices carry no label to pile up.
  function pie(rows) {
    return {
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      legend: { bottom: 0, type: "scroll" },
      series: [{
        type: "pie",
        radius: ["34%", "58%"],
        center: ["50%", "45%"],
        avoidLabelOverlap: true,
        label: { formatter: "{b}\n{c}", alignTo: "edge", edgeDistance: 6, overflow: "break", lineHeight: 15 },
        labelLine: { length: 10, length2: 6 },
        labelLayout: { hideOverlap: false, moveOverlap: "shiftY" },
        data: rows.map(function (r) {
          var item = { name: r.name, value: r.value, link: r.link, itemStyle: { color: r.color } };
          if (!r.value) { item.label = { show: false }; item.labelLine = { show: false }; }
          return item;
        })
      }]
    };
  }

  // Items per category or phase, stacked by status, with the red ones beside them.
  function bars(rows, statuses) {
    var series = statuses.map(function (status, i) {
      return { name: status.name, type: "bar", stack: "all", itemStyle: { color: status.color },
        data: rows.map(function (r) { return { value: r.statuses[i].value, link: r.statuses[i].link }; }) };
    });
    series.push({ name: labels.red, type: "bar", itemStyle: { color: "#d9342b" },
      data: rows.map(function (r) { return { value: r.red, link: r.red_link }; }) });
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { bottom: 0, type: "scroll" },
      grid: { left: 8, right: 8, top: 16, bottom: 40, containLabel: true },
      xAxis: { type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: { interval: 0, hideOverlap: true } },
      yAxis: { type: "value", minInterval: 1 },
      series: series
    };
  }

  // Room at both ends for the first and last weeks' names, centred under the chart's first and last points.
  var WEEK_GRID = { left: 36, right: 40, top: 16, bottom: 40, containLabel: true };
  // A weekly axis reads the weeks' names (2026年第48周); the tooltip names the week's days too.
  function weekTooltip(names) {
    return {
      trigger: "axis",
      formatter: function (points) {
        var lines = [escape(names[points[0].dataIndex] || points[0].name)];
        points.forEach(function (p) {
          var v = value(p.data);
          lines.push(p.marker + escape(p.seriesName) + ": " + (v === null || v === undefined ? "–" : v));
        });
        return lines.join("<br>");
      }
    };
  }
  function escape(text) {
    return String(text).replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; });
  }

  function burnup(b) {
    return {
      tooltip: weekTooltip(b.names || b.weeks),
      legend: { bottom: 0 },
      grid: WEEK_GRID,
      xAxis: { type: "category", data: b.labels || b.weeks, boundaryGap: false },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: labels.planned, type: "line", step: "end", symbol: "none", lineStyle: { type: "dashed" }, itemStyle: { color: "#888" },
          data: b.planned.map(function (v, i) { return { value: v, link: b.links[i] }; }) },
        { name: labels.completed, type: "line", areaStyle: { opacity: 0.2 }, itemStyle: { color: "#2e9d4c" },
          data: b.completed.map(function (v) { return { value: v, link: b.done_link }; }) }
      ]
    };
  }

  function lightsOverTime(l) {
    if (l.points < 2) {
      return { title: { text: l.too_few, left: "center", top: "middle",
        textStyle: { fontSize: 13, fontWeight: "normal", color: "#6c757d", width: 280, overflow: "break" } } };
    }
    return {
      tooltip: weekTooltip(l.names || l.weeks),
      legend: { bottom: 0 },
      grid: WEEK_GRID,
      xAxis: { type: "category", data: l.labels || l.weeks, boundaryGap: false },
      yAxis: { type: "value", minInterval: 1 },
      series: l.series.map(function (s) {
        return { name: s.name, type: "line", stack: "lights", areaStyle: {}, symbolSize: 4, connectNulls: true, itemStyle: { color: s.color },
          data: s.data.map(function (v) { return { value: v, link: s.link }; }) };
      })
    };
  }

  function contacts(c) {
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { bottom: 0 },
      grid: { left: 8, right: 16, top: 8, bottom: 40, containLabel: true },
      yAxis: { type: "category", data: c.names, inverse: true },
      xAxis: { type: "value", minInterval: 1 },
      series: c.series.map(function (s) {
        return { name: s.name, type: "bar", stack: "lights", itemStyle: { color: s.color }, data: s.data };
      })
    };
  }

  // Key tasks: one bar per aspect (or key task), its percent, coloured by its light; a click drills down.
  function keyTasks(d) {
    var rows = d.rows;
    return {
      tooltip: { trigger: "item", formatter: function (p) { return p.name + ": " + p.value + "% · " + p.data.light; } },
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      yAxis: { type: "category", inverse: true, data: rows.map(function (r) { return (r.code + " " + r.name).trim(); }),
        axisLabel: { width: 140, overflow: "truncate" } },
      xAxis: { type: "value", min: 0, max: 100 },
      series: [{ name: labels.percent, type: "bar", label: { show: true, position: "right", formatter: "{c}%" },
        data: rows.map(function (r) { return { value: r.percent, link: r.link, light: r.light_label, itemStyle: { color: r.colour } }; }) }]
    };
  }

  var builders = {
    key_tasks: function (d) { return keyTasks(d); },
    status: function (d) { return pie(d.headline.statuses); },
    lights: function (d) { return pie(d.headline.lights); },
    category: function (d) { return bars(d.by_category, d.headline.statuses); },
    phase: function (d) { return bars(d.by_phase, d.headline.statuses); },
    burnup: function (d) { return burnup(d.burn_up); },
    lights_time: function (d) { return lightsOverTime(d.lights_over_time); },
    contacts: function (d) { return contacts(d); }
  };

  function draw(data, dark) {
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var name = el.getAttribute("data-chart");
      var option = builders[name](data);
      if (dark) { option.backgroundColor = "transparent"; }
      (option.series || []).forEach(function (series) {
        // A label at the edge has the room between the ring and the side: about a fifth of the width each.
        if (series.type === "pie") { series.label.width = Math.max(48, Math.floor(el.clientWidth * 0.2)); }
      });
      var chart = charts[name];
      if (!chart) {
        chart = charts[name] = window.echarts.init(el, dark ? "dark" : null, { renderer: "canvas" });
        chart.on("click", go);
      }
      chart.setOption(option, true);
      describe(el, option);
    });
  }

  // A chart is a picture to a screen reader: it gets a role and a name (its card's title), and its figures
  // as a table beside it, folded away under "Figures as a table" (WCAG 1.1.1; the same numbers the chart has).
  function value(v) { return v && typeof v === "object" ? v.value : v; }
  function describe(el, option) {
    var card = el.closest(".card");
    var header = card && card.querySelector(".card-header");
    var title = header ? header.textContent.trim() : el.getAttribute("data-chart");
    el.setAttribute("role", "img");
    el.setAttribute("aria-label", title);
    var series = option.series || [];
    var axis = [].concat(option.xAxis || [], option.yAxis || []).filter(function (a) { return a && a.data; })[0];
    var head = [""], rows = [];
    if (axis) {
      series.forEach(function (s) { head.push(s.name || ""); });
      axis.data.forEach(function (category, i) {
        rows.push([category].concat(series.map(function (s) { return value((s.data || [])[i]); })));
      });
    } else if (series[0]) {
      head = ["", series[0].name || title];
      (series[0].data || []).forEach(function (d) { rows.push([d.name, value(d)]); });
    }
    var root = document.getElementById("dashboard");
    var details = el.parentNode.querySelector("details.tz-chart-table");
    if (!details) {
      details = document.createElement("details");
      details.className = "tz-chart-table small px-2 pb-1";
      var summary = document.createElement("summary");
      summary.textContent = (root && root.getAttribute("data-table-label")) || title;
      details.appendChild(summary);
      el.parentNode.appendChild(details);
    }
    var old = details.querySelector("table");
    if (old) { old.remove(); }
    var table = document.createElement("table");
    table.className = "table table-sm mb-0";
    var caption = document.createElement("caption");
    caption.className = "visually-hidden";
    caption.textContent = title;
    table.appendChild(caption);
    var tr = document.createElement("tr");
    head.forEach(function (text) { var th = document.createElement("th"); th.scope = "col"; th.textContent = text; tr.appendChild(th); });
    table.createTHead().appendChild(tr);
    var body = table.createTBody();
    rows.forEach(function (row) {
      var line = body.insertRow();
      row.forEach(function (cell, i) {
        var c = document.createElement(i ? "td" : "th");
        if (!i) { c.scope = "row"; }
        c.textContent = cell === undefined || cell === null ? "" : cell;
        line.appendChild(c);
      });
    });
    details.appendChild(table);
  }

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  // Sortable tables: a click on a header with data-sort sorts by that column (numbers as numbers).
  function sortable(table) {
    table.querySelectorAll("th[data-sort]").forEach(function (th, index) {
      th.style.cursor = "pointer";
      th.addEventListener("click", function () {
        var column = Array.prototype.indexOf.call(th.parentNode.children, th);
        var numeric = th.getAttribute("data-sort") === "number";
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        table.querySelectorAll("th[data-sort]").forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[column].getAttribute("data-value") || a.cells[column].textContent.trim();
          var y = b.cells[column].getAttribute("data-value") || b.cells[column].textContent.trim();
          var order = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y, "zh-Hans-CN");
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    labels = readJson("dashboard-labels") || {};
    var data = readJson("dashboard-data");
    var root = document.getElementById("dashboard");
    var dark = root && root.getAttribute("data-theme") === "dark";
    if (data) { draw(data, dark); }
    document.querySelectorAll("table[data-sortable]").forEach(sortable);
    window.addEventListener("resize", function () {
      Object.keys(charts).forEach(function (name) { charts[name].resize(); });
    });

    // The big screen fetches fresh figures on its own.
    var refresh = root && parseInt(root.getAttribute("data-refresh") || "0", 10);
    var url = root && root.getAttribute("data-url");
    // The big screen's pause control (WCAG 2.2.2): a paused screen keeps its figures until played again.
    var paused = false;
    var pause = document.getElementById("pause-button");
    if (pause) {
      pause.addEventListener("click", function () {
        paused = !paused;
        pause.setAttribute("aria-pressed", paused ? "true" : "false");
        pause.querySelector("[data-playing]").classList.toggle("d-none", paused);
        pause.querySelector("[data-paused]").classList.toggle("d-none", !paused);
      });
    }
    if (refresh && url) {
      window.setInterval(function () {
        if (paused) { return; }
        fetch(url, { credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : null; })
          .then(function (fresh) {
            if (!fresh) { return; }
            draw(fresh, dark);
            document.querySelectorAll("[data-figure]").forEach(function (el) {
              var path = el.getAttribute("data-figure").split(".");
              var value = path.reduce(function (obj, key) { return obj && obj[key]; }, fresh);
              if (value !== undefined && value !== null) { el.textContent = value + (el.getAttribute("data-suffix") || ""); }
            });
            var stamp = document.getElementById("refreshed-at");
            if (stamp) { stamp.textContent = new Date().toLocaleTimeString(); }
          })
          .catch(function () { /* the next round tries again */ });
      }, refresh * 1000);
    }
    var full = document.getElementById("fullscreen-button");
    if (full) {
      full.addEventListener("click", function () {
        if (document.fullscreenElement) { document.exitFullscreen(); } else { document.documentElement.requestFullscreen(); }
      });
    }
  });
})();
