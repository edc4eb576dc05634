// Draws a node and its children as polygons with ECharts (no tiles), linking each region to its page.
(function () {
  "use strict";
  var el = document.getElementById("grid-map");
  if (!el || !window.echarts) return;
  var palette = ["#8fb3de", "#a8d5ba", "#f3d08a", "#e8a7a0", "#b9a7de", "#9fd3d8", "#d6c3a1", "#c5d88f", "#f0b7cf", "#a9c0c9"];
  var chart = echarts.init(el, null, { renderer: "canvas" });
  var point = (el.dataset.point || "").split(",").map(Number);

  fetch(el.dataset.mapUrl, { credentials: "same-origin" })
    .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
    .then(function (fc) {
      var self = fc.features.filter(function (f) { return f.properties.role === "self"; })[0];
      var children = fc.features.filter(function (f) { return f.properties.role === "child" && f.geometry; });
      var wantSelf = el.dataset.show === "self" || !children.length;
      var shown = wantSelf ? (self && self.geometry ? [self] : []) : children;
      var mapName = "fq-" + (self ? self.properties.code : "map");
      var geo = { type: "FeatureCollection", features: shown.map(function (f) {
        return { type: "Feature", geometry: f.geometry, properties: { name: f.properties.code } };
      }) };
      echarts.registerMap(mapName, geo);
      var byCode = {};
      shown.forEach(function (f) { byCode[f.properties.code] = f.properties; });
      var regions = shown.map(function (f, i) {
        var p = f.properties;
        var dedicated = p.kind && p.kind !== "ordinary";
        return {
          name: p.code,
          itemStyle: {
            areaColor: dedicated ? "rgba(192,57,43,0.35)" : palette[i % palette.length],
            borderColor: dedicated ? "#c0392b" : "#ffffff",
            borderWidth: dedicated ? 2 : 1,
          },
        };
      });
      var option = {
        tooltip: { trigger: "item", formatter: function (p) {
          var d = byCode[p.name];
          if (!d) return "";
          return "<b>" + d.name + "</b><br>" + (d.level_label || "") + "<br>户数 " + (d.households || 0) + " · 人口 " + (d.population || 0);
        } },
        geo: {
          map: mapName, roam: true, selectedMode: false, regions: regions, tooltip: { show: true },
          label: { show: shown.length <= 40, formatter: function (p) { return (byCode[p.name] || {}).name || ""; }, fontSize: 11, color: "#1f2d3d" },
          itemStyle: { borderColor: "#ffffff", borderWidth: 1 },
          emphasis: { label: { show: true }, itemStyle: { areaColor: "#f7dc6f" } },
        },
        series: [],
      };
      if (point.length === 2 && !isNaN(point[0])) {
        option.series.push({ type: "effectScatter", coordinateSystem: "geo", data: [point], symbolSize: 14, itemStyle: { color: "#c0392b" }, tooltip: { show: false } });
      }
      chart.setOption(option);
      chart.on("click", function (p) {
        var d = byCode[p.name];
        if (p.componentType === "geo" && d && d.url && d.role === "child") window.location.href = d.url;
      });
      el.dataset.regions = String(shown.length);
      el.dataset.ready = "1";
    })
    .catch(function () { el.innerHTML = '<div class="p-3 text-muted small">地图加载失败，请刷新重试。</div>'; el.dataset.ready = "error"; });
  window.addEventListener("resize", function () { chart.resize(); });
})();
