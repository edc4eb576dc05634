// Draws a grid node and its children as polygons with ECharts (no tiles, no network but the one GeoJSON fetch),
// each region linking to its own page. The element's data attributes drive it:
//   data-map-url   GeoJSON FeatureCollection: the node (role "self") and its children (role "child")
//   data-show      "self" to draw only the node itself (an event's grid), otherwise the children
//   data-point     "lon,lat" to mark one place (an event) on the map
//   data-text-*    translated words for the tooltip and messages (else the djangojs catalogue's, see base.html)
// When drawn it sets data-ready="1" and data-regions=<number of regions drawn> (the browser tests wait for these).
(function () {
  "use strict";
  var el = document.getElementById("grid-map");
  if (!el) return;

  var gettext = window.gettext || function (msgid) { return msgid; };
  var text = {
    households: el.dataset.textHouseholds || gettext("户数"),
    population: el.dataset.textPopulation || gettext("人口"),
    open: el.dataset.textOpen || gettext("点击进入"),
    error: el.dataset.textError || gettext("地图加载失败，请刷新重试。"),
    empty: el.dataset.textEmpty || gettext("暂无边界数据。"),
  };
  // Soft, distinguishable fills for ordinary grids; dedicated grids are hatched red on top of them.
  var PALETTE = ["#9dbde3", "#a8d5ba", "#f3d08a", "#e9b3ac", "#c2b3e3", "#9fd3d8", "#dcc9a6", "#c5d88f", "#f0bcd3", "#b4c6cf",
    "#f5c29a", "#b8d8a0"];
  var RED = "#c0392b";
  var BLUE = "#123b6d";
  var FONT = '"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif';
  var LABEL_SIZE = 13;

  function finish(regions) {
    el.dataset.regions = String(regions);
    el.dataset.ready = "1";
  }

  function message(msg, state) {
    el.innerHTML = "";
    var box = document.createElement("div");
    box.className = "h-100 d-flex align-items-center justify-content-center text-muted small p-3";
    box.textContent = msg;
    el.appendChild(box);
    if (state === "error") {
      el.dataset.regions = "0";
      el.dataset.ready = "error";
    } else {
      finish(0);
    }
  }

  if (!window.echarts) {
    message(text.error, "error");
    return;
  }

  function esc(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  var numberFormat = (function () {
    try {
      return new Intl.NumberFormat(document.documentElement.lang || undefined);
    } catch (e) {
      return new Intl.NumberFormat();
    }
  })();

  function fmt(n) {
    return numberFormat.format(Number(n || 0));
  }

  // A repeating diagonal hatch, used as a texture fill for dedicated grids.
  function hatch(colour) {
    var size = 8;
    var canvas = document.createElement("canvas");
    canvas.width = size;
    canvas.height = size;
    var ctx = canvas.getContext("2d");
    ctx.fillStyle = "rgba(192,57,43,0.16)";
    ctx.fillRect(0, 0, size, size);
    ctx.strokeStyle = colour;
    ctx.globalAlpha = 0.6;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(0, size);
    ctx.lineTo(size, 0);
    ctx.moveTo(-size / 2, size / 2);
    ctx.lineTo(size / 2, -size / 2);
    ctx.moveTo(size / 2, size * 1.5);
    ctx.lineTo(size * 1.5, size / 2);
    ctx.stroke();
    return { image: canvas, repeat: "repeat" };
  }

  // [minLon, minLat, maxLon, maxLat] of a Polygon or MultiPolygon.
  function bbox(geometry) {
    var box = [Infinity, Infinity, -Infinity, -Infinity];
    var polygons = geometry.type === "MultiPolygon" ? geometry.coordinates : [geometry.coordinates];
    polygons.forEach(function (rings) {
      (rings[0] || []).forEach(function (pt) {
        if (pt[0] < box[0]) box[0] = pt[0];
        if (pt[1] < box[1]) box[1] = pt[1];
        if (pt[0] > box[2]) box[2] = pt[0];
        if (pt[1] > box[3]) box[3] = pt[1];
      });
    });
    return box;
  }

  function isDedicated(p) {
    return !!p.kind && p.kind !== "ordinary";
  }

  var point = (el.dataset.point || "").split(",").map(Number);
  var hasPoint = point.length === 2 && isFinite(point[0]) && isFinite(point[1]) && el.dataset.point !== "";
  var finePointer = !window.matchMedia || window.matchMedia("(pointer: fine)").matches;

  fetch(el.dataset.mapUrl, { credentials: "same-origin", headers: { Accept: "application/geo+json, application/json" } })
    .then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    })
    .then(draw)
    .catch(function (err) {
      if (window.console) console.error("grid map:", err);
      message(text.error, "error");
    });

  function draw(fc) {
    var features = (fc && fc.features) || [];
    var self = features.filter(function (f) { return f.properties.role === "self"; })[0];
    var children = features.filter(function (f) { return f.properties.role === "child" && f.geometry; });
    var selfOnly = el.dataset.show === "self" || !children.length;
    var shown = selfOnly ? (self && self.geometry ? [self] : []) : children.slice();
    if (!shown.length) {
      message(text.empty);
      return;
    }
    // Ordinary grids first, dedicated grids (schools, hospitals, parks ...) drawn over them.
    shown.sort(function (a, b) { return isDedicated(a.properties) - isDedicated(b.properties); });

    var SELF_KEY = "__self__";
    var mapName = "fq-" + (self ? self.properties.code : "map") + (selfOnly ? "-self" : "");
    var geoFeatures = [];
    // The node's own outline under its children shows any part no child covers.
    if (!selfOnly && self && self.geometry) {
      geoFeatures.push({ type: "Feature", geometry: self.geometry, properties: { name: SELF_KEY } });
    }
    var byCode = {};
    var boxes = {};
    var all = [Infinity, Infinity, -Infinity, -Infinity];
    shown.forEach(function (f) {
      var p = f.properties;
      byCode[p.code] = p;
      boxes[p.code] = bbox(f.geometry);
      all = [Math.min(all[0], boxes[p.code][0]), Math.min(all[1], boxes[p.code][1]),
        Math.max(all[2], boxes[p.code][2]), Math.max(all[3], boxes[p.code][3])];
      geoFeatures.push({ type: "Feature", geometry: f.geometry, properties: { name: p.code } });
    });
    echarts.registerMap(mapName, { type: "FeatureCollection", features: geoFeatures });

    var colourIndex = 0;
    var regions = shown.map(function (f) {
      var p = f.properties;
      var dedicated = isDedicated(p);
      var fill = dedicated ? hatch(RED) : selfOnly ? "#b9cde6" : PALETTE[colourIndex++ % PALETTE.length];
      return {
        name: p.code,
        itemStyle: {
          areaColor: fill,
          borderColor: dedicated ? RED : "#ffffff",
          borderWidth: dedicated ? 1.5 : 1.2,
        },
        label: { show: false },
        emphasis: {
          itemStyle: { areaColor: dedicated ? "rgba(192,57,43,0.45)" : "#f6d365", borderColor: BLUE, borderWidth: 2 },
          label: { show: true },
        },
      };
    });
    if (geoFeatures[0].properties.name === SELF_KEY) {
      regions.unshift({
        name: SELF_KEY,
        silent: true,
        itemStyle: { areaColor: "#f8fafc", borderColor: BLUE, borderWidth: 1.5, borderType: "dashed" },
        label: { show: false },
        emphasis: { disabled: true },
        tooltip: { show: false },
      });
    }

    var midLat = ((all[1] + all[3]) / 2) * (Math.PI / 180);
    var chart = echarts.init(el, null, { renderer: "canvas" });
    var option = {
      textStyle: { fontFamily: FONT },
      tooltip: { trigger: "item", confine: true },
      geo: {
        map: mapName,
        roam: finePointer,
        scaleLimit: { min: 0.8, max: 12 },
        aspectScale: Math.max(0.3, Math.cos(midLat)), // longitude degrees shrink with latitude
        layoutCenter: ["50%", "50%"],
        layoutSize: "94%",
        selectedMode: false,
        regions: regions,
        tooltip: {
          show: true,
          confine: true,
          backgroundColor: "rgba(255,255,255,0.97)",
          borderColor: "#d5dce6",
          textStyle: { color: "#1f2d3d", fontSize: 13 },
          formatter: function (params) {
            var d = byCode[params.name];
            if (!d) return "";
            return (
              "<div style=\"font-weight:600;margin-bottom:2px\">" + esc(d.name) + "</div>" +
              "<div style=\"color:#5b6b7f\">" + esc(d.level_label || "") + " · " + esc(d.code) + "</div>" +
              "<div>" + esc(text.households) + " <b>" + fmt(d.households) + "</b>　" +
              esc(text.population) + " <b>" + fmt(d.population) + "</b></div>" +
              (!selfOnly && d.url ? "<div style=\"color:#1d4f8f;margin-top:2px\">" + esc(text.open) + " ›</div>" : "")
            );
          },
        },
        label: {
          show: false,
          fontSize: LABEL_SIZE,
          color: "#1f2d3d",
          textBorderColor: "rgba(255,255,255,0.85)",
          textBorderWidth: 2,
          formatter: function (params) { return (byCode[params.name] || {}).name || ""; },
        },
        itemStyle: { borderColor: "#ffffff", borderWidth: 1 },
        emphasis: { label: { show: true, fontWeight: "bold" } },
      },
      series: [],
    };
    if (hasPoint) {
      option.series.push({
        type: "effectScatter",
        coordinateSystem: "geo",
        data: [point],
        symbolSize: 14,
        rippleEffect: { scale: 3 },
        itemStyle: { color: RED },
        tooltip: { show: false },
        zlevel: 1,
      });
    }
    chart.setOption(option);

    // Show a region's name only where it fits inside the region at the current zoom.
    function fitLabels() {
      var changed = false;
      regions.forEach(function (region) {
        var d = byCode[region.name];
        if (!d) return;
        var box = boxes[region.name];
        var a = chart.convertToPixel({ geoIndex: 0 }, [box[0], box[3]]);
        var b = chart.convertToPixel({ geoIndex: 0 }, [box[2], box[1]]);
        if (!a || !b) return;
        var w = Math.abs(b[0] - a[0]);
        var h = Math.abs(b[1] - a[1]);
        var need = String(d.name).length * LABEL_SIZE;
        var show = shown.length === 1 || (w * 0.8 >= need && h * 0.6 >= LABEL_SIZE + 2);
        if (region.label.show !== show) {
          region.label = { show: show };
          changed = true;
        }
      });
      if (changed) chart.setOption({ geo: { regions: regions } });
    }
    fitLabels();

    chart.on("click", function (params) {
      if (params.componentType !== "geo" || selfOnly) return;
      var d = byCode[params.name];
      if (d && d.url && d.role === "child") window.location.href = d.url;
    });

    var pending = null;
    function later() {
      if (pending) clearTimeout(pending);
      pending = setTimeout(function () { pending = null; fitLabels(); }, 120);
    }
    chart.on("georoam", later);

    var reset = document.getElementById("grid-map-reset");
    if (reset && finePointer) {
      reset.hidden = false;
      reset.addEventListener("click", function () {
        regions.forEach(function (region) { region.label = { show: false }; });
        chart.setOption(option, true);
        fitLabels();
      });
    }

    function resize() {
      chart.resize();
      later();
    }
    if (window.ResizeObserver) {
      new ResizeObserver(resize).observe(el);
    } else {
      window.addEventListener("resize", resize);
    }

    finish(shown.length);
  }
})();
