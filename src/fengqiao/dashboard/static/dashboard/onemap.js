// The one map (一张图): children of a node coloured by a figure, drill-down by click, open events as points,
// KPI tiles, a table of figures, trend and category charts. The same script drives the big screen (data-theme=dark).
// With data-tiles (FENGQIAO_MAP_TILES) the map is drawn in Web Mercator over XYZ map tiles.
(function () {
  "use strict";
  var root = document.getElementById("fq-onemap");
  if (!root || !window.echarts) return;
  var dark = root.dataset.theme === "dark";
  var state = { node: root.dataset.node, period: root.dataset.period || "month", figure: root.dataset.figure || "red", data: null };
  var $ = function (id) { return document.getElementById(id); };
  var mapEl = $("fq-map");
  var charts = {};
  function chart(id) {
    var el = $(id);
    if (!el) return null;
    if (!charts[id]) charts[id] = echarts.init(el, dark ? "dark" : null, { renderer: "canvas" });
    return charts[id];
  }
  // Strings come from Django's JavaScript catalogue (/jsi18n/); without it they stay Chinese.
  var gettext = window.gettext || function (msgid) { return msgid; };
  var interpolate = window.interpolate || function (fmt, obj) {
    return fmt.replace(/%\((\w+)\)s/g, function (_m, k) { return String(obj[k]); });
  };
  var GOOD = { score: 1, closure_rate: 1, satisfaction_rate: 1, closed: 1, ack_on_time_rate: 1, duty_rate: 1,
    disputes_resolved: 1, resolution_rate: 1, protections: 1, village_rate: 1 };
  var RATE = { closure_rate: 1, satisfaction_rate: 1, ack_on_time_rate: 1, duty_rate: 1, resolution_rate: 1, village_rate: 1 };
  // The figures' names; the map's data brings them translated (figure_choices), these are for before it arrives.
  var LABELS = { red: gettext("超期事件"), orange: gettext("临期事件"), open: gettext("未办结事件"),
    reported: gettext("上报事件"), closed: gettext("办结事件"), score: gettext("综合得分"),
    closure_rate: gettext("办结率"), satisfaction_rate: gettext("满意率"),
    ack_on_time_rate: gettext("指令按时签收率"), duty_rate: gettext("巡查履职率"),
    disputes_entered: gettext("排查纠纷"), disputes_resolved: gettext("化解纠纷"), resolution_rate: gettext("化解率"),
    village_rate: gettext("村内化解率") };
  var text = dark ? "#cfe3ff" : "#1f2d3d";
  var esc = function (s) { return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
    return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]; }); };
  function fmt(key, v) {
    if (v === null || v === undefined) return "—";
    if (/_rate$/.test(key)) return (v * 100).toFixed(1) + "%";
    if (key === "score") return Number(v).toFixed(1);
    return Number(v).toLocaleString(document.documentElement.lang || "zh-CN");
  }
  function value(item, key) { var v = item.figures[key]; return v === null || v === undefined ? null : v; }

  // Optional tiles. The geo component projects with Web Mercator (in the units of a zoom-0 tile, y down), so XYZ
  // tiles line up; the tiles are <img> elements in a layer under ECharts' transparent canvas, placed from the geo
  // component's own transform after every draw, roam and resize. Positions arrive already in the tiles' datum
  // (the server shifts them to GCJ-02 where the tiles need it). A tile that fails to load is hidden: offline, the
  // map is simply drawn without them.
  var tiles = null;
  try { tiles = root.dataset.tiles ? JSON.parse(root.dataset.tiles) : null; } catch (e) { tiles = null; }
  if (tiles && !(tiles.urls && tiles.urls.length)) tiles = null;
  var TILE = 256, MAX_LAT = 85.0511287798, MAX_TILES = 400;
  var mercator = {
    project: function (c) {
      var s = Math.sin(Math.max(-MAX_LAT, Math.min(MAX_LAT, c[1])) * Math.PI / 180);
      return [(c[0] + 180) / 360 * TILE, (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * TILE];
    },
    unproject: function (p) {
      return [p[0] / TILE * 360 - 180, Math.atan(Math.sinh(Math.PI * (1 - 2 * p[1] / TILE))) * 180 / Math.PI];
    },
  };
  var tileLayer = null, tilePanes = [], tileImgs = {}, tileFrame = 0;
  function tileUrl(template, z, x, y) {
    var subs = String(tiles.subdomains || "");
    return template.replace(/\{z\}/g, z).replace(/\{x\}/g, x).replace(/\{-y\}/g, Math.pow(2, z) - 1 - y).replace(/\{y\}/g, y)
      .replace(/\{s\}/g, subs ? subs.charAt((x + y) % subs.length) : "");
  }
  function tileLayerReady() {
    if (tileLayer && tileLayer.parentNode === mapEl) return true;
    tileLayer = document.createElement("div");
    tileLayer.className = "fq-maptiles";
    tileLayer.setAttribute("aria-hidden", "true");
    tilePanes = tiles.urls.map(function () { return tileLayer.appendChild(document.createElement("div")); });
    tileImgs = {};
    mapEl.classList.add("fq-has-tiles");
    mapEl.insertBefore(tileLayer, mapEl.firstChild);  // before ECharts' own div, so beneath its canvas
    if (tiles.attribution) {
      var a = document.createElement("div");
      a.className = "fq-maptiles-attribution";
      a.textContent = tiles.attribution;
      a.title = tiles.attribution;
      mapEl.appendChild(a);
    }
    return true;
  }
  function tileBox(t, z, x, y) {  // the pixel box of tile z/x/y under transform t (world unit → pixel)
    var size = TILE / Math.pow(2, z);
    return [Math.round(t.ox + x * size * t.sx), Math.round(t.oy + y * size * t.sy),
      Math.round(t.ox + (x + 1) * size * t.sx), Math.round(t.oy + (y + 1) * size * t.sy)];
  }
  function setBox(img, box) {
    img.style.left = box[0] + "px"; img.style.top = box[1] + "px";
    img.style.width = box[2] - box[0] + "px"; img.style.height = box[3] - box[1] + "px";
  }
  function placeTile(seen, pane, z, x, y, box) {
    var key = pane + "/" + z + "/" + x + "/" + y, img = tileImgs[key];
    if (!img) {
      img = tileImgs[key] = document.createElement("img");
      img.alt = ""; img.draggable = false; img.decoding = "async";
      img.fq = { z: z, x: x, y: y };
      img.onload = scheduleTiles;  // the last one in lets the previous zoom's stand-ins go
      img.onerror = function () { img.classList.add("fq-missing"); scheduleTiles(); };
      var n = Math.pow(2, z);
      img.src = tileUrl(tiles.urls[pane], z, ((x % n) + n) % n, y);  // x wraps round the world; y does not
    }
    img.classList.remove("fq-stale");
    tilePanes[pane].appendChild(img);  // current tiles above any stand-ins
    setBox(img, box);
    seen[key] = true;
    return img.complete;
  }
  function placeTiles() {
    tileFrame = 0;
    var c = charts["fq-map"];
    if (!tiles || !c || !tileLayerReady()) return;
    var seen = {}, z = null, p0 = null, p1 = null, t = null, loading = false;
    try {
      p0 = c.convertToPixel({ geoIndex: 0 }, mercator.unproject([0, 0]));
      p1 = c.convertToPixel({ geoIndex: 0 }, mercator.unproject([TILE, TILE]));
    } catch (e) { p0 = p1 = null; }  // no geo drawn (a node without polygons): no tiles either
    if (p0 && p1) t = { ox: p0[0], oy: p0[1], sx: (p1[0] - p0[0]) / TILE, sy: (p1[1] - p0[1]) / TILE };
    if (t && isFinite(t.sx) && isFinite(t.sy) && t.sx > 0 && t.sy > 0) {
      // The zoom whose tiles are drawn nearest their natural 256 px; past the source's last zoom they are stretched.
      z = Math.max(0, Math.min(Number(tiles.max_zoom) || 18, Math.round(Math.log(t.sx) / Math.LN2)));
      var n = Math.pow(2, z), size = TILE / n, w = c.getWidth(), h = c.getHeight();
      var x0 = Math.floor(-t.ox / t.sx / size), x1 = Math.floor((w - t.ox) / t.sx / size);
      var y0 = Math.max(0, Math.floor(-t.oy / t.sy / size)), y1 = Math.min(n - 1, Math.floor((h - t.oy) / t.sy / size));
      if ((x1 - x0 + 1) * (y1 - y0 + 1) <= MAX_TILES) {
        for (var y = y0; y <= y1; y++) {
          for (var x = x0; x <= x1; x++) {
            var box = tileBox(t, z, x, y);
            for (var i = 0; i < tiles.urls.length; i++) loading = !placeTile(seen, i, z, x, y, box) || loading;
          }
        }
      }
    }
    // While the new zoom's tiles load, the previous zoom's stay beneath them, scaled, instead of a blank flash.
    Object.keys(tileImgs).forEach(function (key) {
      if (seen[key]) return;
      var img = tileImgs[key];
      if (loading && z !== null && img.complete && !img.classList.contains("fq-missing") && Math.abs(img.fq.z - z) <= 2) {
        img.classList.add("fq-stale");
        img.parentNode.insertBefore(img, img.parentNode.firstChild);
        setBox(img, tileBox(t, img.fq.z, img.fq.x, img.fq.y));
      } else {
        if (img.parentNode) img.parentNode.removeChild(img);
        delete tileImgs[key];
      }
    });
    mapEl.dataset.tileZoom = z === null ? "" : String(z);
    mapEl.dataset.tileCount = String(Object.keys(seen).length);
  }
  function scheduleTiles() { if (tiles && !tileFrame) tileFrame = window.requestAnimationFrame(placeTiles); }

  function load(push) {
    root.dataset.ready = "0";
    var url = root.dataset.api + "?node=" + encodeURIComponent(state.node || "") + "&period=" + state.period;
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then(function (data) {
        state.data = data;
        state.node = data.node.code;
        root.dataset.node = data.node.code;
        if (push) history.pushState({ node: state.node }, "", "?node=" + state.node + "&period=" + state.period);
        render(data);
        root.dataset.ready = "1";
      })
      .catch(function (e) {
        root.dataset.ready = "error";
        if (mapEl) mapEl.innerHTML = '<div class="p-3 small text-muted">' +
          esc(interpolate(gettext("地图加载失败（%(error)s），请刷新重试。"), { error: e.message }, true)) + "</div>";
      });
  }

  function render(data) {
    var name = $("fq-node-name"); if (name) name.textContent = data.node.name;
    (data.figure_choices || []).forEach(function (c) { LABELS[c.key] = c.label; });
    var pl = $("fq-period-label");
    if (pl) {
      pl.textContent = data.period.label + "（" + interpolate(gettext("%(start)s 至 %(end)s"), { start: data.period.start, end: data.period.end }, true) + "）";
      pl.dataset.previous = data.period.previous ? "1" : "";
      if (data.period.empty) {  // nothing counted in the period: say so rather than leave a row of zeros and dashes
        var note = document.createElement("span"); note.className = "fq-period-empty ms-1"; note.id = "fq-period-empty";
        note.textContent = "· " + data.period.empty_text; pl.appendChild(note);
      }
    }
    var fl = $("fq-figure-label"); if (fl) fl.textContent = "· " + (LABELS[state.figure] || "");
    var up = $("fq-up"); if (up) up.hidden = !data.node.parent;
    crumbs(data); kpis(data); tiersPanel(data); table(data); drawMap(data); trend(data); categories(data); ranking(data);
    var feed = $("fq-feed");
    if (feed && window.htmx) {
      var src = feed.getAttribute("hx-get").replace(/node=[^&]*/, "node=" + encodeURIComponent(data.node.code));
      feed.setAttribute("hx-get", src); htmx.process(feed); htmx.trigger(feed, "load");
    }
    ["fq-ranking-link", "fq-report-link", "fq-bigscreen-link"].forEach(function (id) {
      var a = $(id); if (a) a.href = a.href.replace(/node=[^&]*/, "node=" + data.node.code);
    });
  }

  function crumbs(data) {
    var el = $("fq-crumbs"); if (!el) return;
    var parts = data.ancestors.map(function (a) {
      return '<li class="breadcrumb-item"><a href="?node=' + esc(a.code) + '" data-code="' + esc(a.code) + '">' + esc(a.name) + "</a></li>";
    });
    parts.push('<li class="breadcrumb-item active" aria-current="page">' + esc(data.node.name) + " · " + esc(data.node.level_label) + "</li>");
    el.innerHTML = dark ? parts.join("").replace(/<\/?li[^>]*>/g, " ").replace(/<\/a>\s*/g, "</a> › ") : parts.join("");
  }

  function kpis(data) {
    var el = $("fq-kpis"); if (!el) return;
    var f = data.node.figures, l = data.node.links;
    var tiles = [
      ["reported", gettext("上报事件"), f.reported, l.reported, "", "bi-inbox"],
      ["closed", gettext("办结事件"), f.closed, l.closed, "", "bi-check2-circle"],
      ["open", gettext("未办结"), f.open, l.open, "", "bi-hourglass-split"],
      ["orange", gettext("临期"), f.orange, l.orange, "fq-tile-orange", "bi-exclamation-circle"],
      ["red", gettext("超期"), f.red, l.red, "fq-tile-red", "bi-exclamation-octagon"],
      ["closure_rate", gettext("办结率"), f.closure_rate, l.closed, "", "bi-speedometer2"],
      ["satisfaction_rate", gettext("满意率"), f.satisfaction_rate, l.closed, "fq-tile-green", "bi-emoji-smile"],
      ["resolution_rate", gettext("纠纷化解率"), f.resolution_rate, l.disputes, "", "bi-people"],
      ["score", gettext("综合得分"), f.score, null, "fq-tile-gold", "bi-award"],
    ];
    el.innerHTML = tiles.map(function (t) {
      var tag = t[3] ? 'a href="' + esc(t[3]) + '"' : "div";
      return '<div class="col-6 col-md-3 col-xxl"><' + tag + ' class="card fq-tile fq-kpi ' + t[4] + ' text-decoration-none h-100" data-k="' + t[0] + '">' +
        '<div class="card-body py-2 px-3"><div class="label"><i class="bi ' + t[5] + ' me-1" aria-hidden="true"></i>' + t[1] + "</div>" +
        '<div class="value">' + fmt(t[0], t[2]) + "</div></div></" + (t[3] ? "a" : "div") + "></div>";
    }).join("");
  }

  // 四事分办: the node's closed events by the tier that handled them, one stacked bar against the village target,
  // each share with its count, and each target's verdict in words as well as colour.
  function pct(v) { return v === null || v === undefined ? "—" : (v * 100).toFixed(1) + "%"; }
  function tiersPanel(data) {
    var el = $("fq-tiers-body"), t = data.node.tiers; if (!el || !t) return;
    var head = $("fq-tiers-target"); if (head) head.textContent = t.target_text;
    if (!t.closed) {
      el.innerHTML = '<div class="text-muted small" role="status" id="fq-tiers-empty"><i class="bi bi-inbox me-1" aria-hidden="true"></i>' +
        esc(interpolate(gettext("%(period)s暂无办结事件"), { period: data.period.label }, true)) + "</div>";
      return;
    }
    var v = t.village, w = t.township;
    var bar = t.segments.filter(function (s) { return s.count; }).map(function (s) {
      return '<div class="fq-tier fq-tier-' + esc(s.key) + '" style="width:' + (s.share * 100).toFixed(2) + '%" title="' +
        esc(s.label + " " + pct(s.share) + "（" + s.count + "）") + '"></div>';
    }).join("");
    var legend = t.segments.map(function (s) {
      return '<li data-tier="' + esc(s.key) + '"><span class="fq-swatch fq-tier-' + esc(s.key) + '" aria-hidden="true"></span>' + esc(s.label) +
        ' <b>' + pct(s.share) + "</b> <span class=\"text-muted\">" + esc(interpolate(gettext("%(n)s 件"), { n: s.count }, true)) + "</span></li>";
    }).join("");
    var verdict = function (x, key) {
      var cls = x.met === null ? "text-bg-secondary" : x.met ? "text-bg-success" : "text-bg-danger";
      var icon = x.met === null ? "bi-dash-circle" : x.met ? "bi-check-circle" : "bi-x-circle";
      return '<div class="fq-tier-verdict" data-k="' + key + '" data-met="' + (x.met === null ? "" : x.met ? "1" : "0") + '">' +
        esc(x.label) + ' <b>' + pct(x.share) + "</b> <span class=\"text-muted small\">" +
        esc(interpolate(gettext("%(count)s/%(of)s 件，目标 ≥%(target)s"), { count: x.count, of: x.of, target: (x.target * 100).toFixed(0) + "%" }, true)) +
        '</span> <span class="badge ' + cls + '"><i class="bi ' + icon + ' me-1" aria-hidden="true"></i>' + esc(x.verdict) + "</span></div>";
    };
    el.innerHTML =
      '<div class="fq-tierbar" role="img" aria-label="' + esc(t.segments.map(function (s) { return s.label + " " + pct(s.share); }).join("，")) + '">' + bar +
      '<div class="fq-tier-target" style="left:' + (v.target * 100).toFixed(2) + '%"><span>' +
      esc(interpolate(gettext("目标 %(target)s"), { target: (v.target * 100).toFixed(0) + "%" }, true)) + "</span></div></div>" +
      '<ul class="fq-tier-legend list-unstyled small mb-2">' + legend + "</ul>" +
      '<div class="d-flex flex-wrap gap-2 column-gap-4">' + verdict(v, "village") + verdict(w, "township") + "</div>";
  }

  function table(data) {
    var body = document.querySelector("#fq-children tbody"); if (!body) return;
    var rows = data.children.slice().sort(function (a, b) { return (a.rank || 1e9) - (b.rank || 1e9) || (a.code < b.code ? -1 : 1); });
    body.innerHTML = rows.map(function (c) {
      var f = c.figures, l = c.links;
      var cell = function (k, link) {
        return '<td class="text-end" data-k="' + k + '">' + (link ? '<a href="' + esc(link) + '">' + fmt(k, f[k]) + "</a>" : fmt(k, f[k])) + "</td>";
      };
      var nameCell = c.has_children
        ? '<button type="button" class="btn btn-link p-0 fq-drill" data-code="' + esc(c.code) + '">' + esc(c.name) + "</button>"
        : esc(c.name);
      return '<tr data-code="' + esc(c.code) + '"><td>' + (c.rank ? '<span class="fq-rank fq-rank-' + Math.min(c.rank, 4) + '">' + c.rank + "</span>" : "—") + "</td>" +
        "<td>" + nameCell + (c.kind !== "ordinary" ? ' <span class="badge text-bg-danger-subtle text-danger-emphasis">' + esc(gettext("专属")) + "</span>" : "") + "</td>" +
        cell("reported", l.reported) + cell("closed", l.closed) + cell("open", l.open) + cell("orange", l.orange) + cell("red", l.red) +
        cell("closure_rate") + cell("satisfaction_rate") + cell("score") + "</tr>";
    }).join("") || '<tr><td colspan="10" class="text-muted small p-3">' + esc(gettext("没有下级区域。")) + "</td></tr>";
  }

  function drawMap(data) {
    var c = chart("fq-map"); if (!c) return;
    var shown = data.children.filter(function (x) { return x.geometry; });
    var mapName = "fq-onemap-" + data.node.code;
    var self = !shown.length && data.node.geometry;
    var features = (self ? [{ code: data.node.code, geometry: data.node.geometry }] : shown).map(function (x) {
      return { type: "Feature", geometry: x.geometry, properties: { name: x.code } };
    });
    echarts.registerMap(mapName, { type: "FeatureCollection", features: features });
    var byCode = {}; data.children.forEach(function (x) { byCode[x.code] = x; });
    var key = state.figure;
    var values = shown.map(function (x) { return { name: x.code, value: value(x, key) }; });
    var nums = values.map(function (v) { return v.value; }).filter(function (v) { return v !== null; });
    var max = nums.length ? Math.max.apply(null, nums) : 1, min = nums.length ? Math.min.apply(null, nums) : 0;
    if (RATE[key]) { min = Math.min(min, 0.5); max = 1; } else if (key === "score") { min = Math.min(min, 50); max = 100; } else { min = 0; max = Math.max(max, 1); }
    var bad = ["#fff3e0", "#ffcc80", "#fb8c00", "#e53935", "#b71c1c"], good = ["#c62828", "#ef6c00", "#fdd835", "#66bb6a", "#1b5e20"];
    if (dark) { bad = ["#16324f", "#1f5f8b", "#f0a23b", "#e8543f", "#ff2d2d"]; good = ["#ff4d4f", "#f0a23b", "#e9d85a", "#38c172", "#17a2b8"]; }
    var fill = tiles ? 0.55 : 1;  // over tiles the regions are translucent, so the streets show through
    var points = data.points.items;
    var pointSeries = data.points.mode === "events" ? {
      type: "scatter", coordinateSystem: "geo", geoIndex: 0, symbolSize: 9, z: 5,
      data: points.map(function (p) { return { name: p.code, value: p.value, url: p.url, colour: p.colour, category: p.category, state: p.state,
        itemStyle: { color: p.colour === "red" ? "#ff3b30" : p.colour === "orange" ? "#ff9f0a" : (dark ? "#5ee0ff" : "#1d4f8f"), borderColor: "#fff", borderWidth: 1 } }; }),
      tooltip: { formatter: function (p) { return esc(p.data.name) + "<br>" + esc(p.data.category) + " · " + esc(p.data.state); } },
    } : {
      type: "effectScatter", coordinateSystem: "geo", geoIndex: 0, z: 5, rippleEffect: { scale: 2.6, brushType: "stroke" },
      data: points.map(function (p) { return { name: p.name, code: p.code, value: p.value, red: p.red }; }),
      symbolSize: function (v) { return Math.max(7, Math.min(22, 5 + Math.sqrt(v[2]) * 1.2)); },
      itemStyle: { color: dark ? "rgba(94,224,255,.85)" : "rgba(29,79,143,.75)" },
      tooltip: { formatter: function (p) { return esc(p.data.name) + "<br>" + gettext("未办结") + " " + p.data.value[2] + " · " + gettext("超期") + " " + p.data.red; } },
    };
    c.setOption({
      backgroundColor: "transparent",
      tooltip: { trigger: "item", confine: true, formatter: function (p) {
        var x = byCode[p.name]; if (!x) return esc(p.name);
        var f = x.figures;
        return "<b>" + esc(x.name) + "</b> · " + esc(x.level_label) + "<br>" + (LABELS[key] || key) + "：<b>" + fmt(key, f[key]) + "</b>" +
          "<br>" + gettext("上报") + " " + fmt("reported", f.reported) + " · " + gettext("办结") + " " + fmt("closed", f.closed) +
            "<br>" + gettext("未办结") + " " + f.open + " · " + gettext("临期") + " " + f.orange + " · " + gettext("超期") + " " + f.red;
      } },
      visualMap: self ? undefined : { seriesIndex: 0, min: min, max: max, calculable: true, orient: "horizontal", left: "center", bottom: 6,
        itemWidth: 12, itemHeight: 140, text: [RATE[key] || key === "score" ? gettext("高") : gettext("多"), RATE[key] || key === "score" ? gettext("低") : gettext("少")],
        textStyle: { color: text }, inRange: { color: GOOD[key] ? good : bad, opacity: fill }, formatter: function (v) { return fmt(key, v); } },
      geo: { map: mapName, roam: true, selectedMode: false, layoutSize: "94%", top: 10, bottom: 40, projection: tiles ? mercator : undefined,
        label: { show: shown.length <= 40, offset: data.points.mode === "aggregated" ? [0, 20] : [0, 0], color: dark ? "#e6f1ff" : "#1f2d3d", fontSize: dark ? 13 : 11,
          formatter: function (p) { return (byCode[p.name] || {}).name || ""; }, textBorderColor: dark ? "#0b1a30" : "#fff", textBorderWidth: 2 },
        itemStyle: { areaColor: dark ? "#16324f" : "#dfe8f3", opacity: tiles ? (self ? 0.35 : fill) : 1, borderColor: dark ? "#5ee0ff" : "#ffffff", borderWidth: dark ? 1 : 1.2,
          shadowColor: dark ? "rgba(94,224,255,.35)" : "rgba(0,0,0,.08)", shadowBlur: dark ? 12 : 4 },
        emphasis: { label: { show: true }, itemStyle: { areaColor: dark ? "#2a7ab8" : "#f7dc6f" } } },
      series: [
        { type: "map", geoIndex: 0, data: values },
        pointSeries,
      ],
    }, true);
    c.off("georoam");
    c.on("georoam", scheduleTiles);
    scheduleTiles();
    c.off("click");
    c.on("click", function (p) {
      if (p.seriesType === "scatter" && p.data && p.data.url) { window.location.href = p.data.url; return; }
      var code = (p.data && p.data.code) || p.name;
      var x = byCode[code];
      if (x && x.has_children) drill(code);
    });
    mapEl.dataset.regions = String(shown.length);
  }

  // A chart with nothing to draw shows the payload's empty text ("该网格暂无数据") over its box, not a blank canvas.
  function emptyState(id, none, data) {
    var el = $(id); if (!el) return true;
    var box = el.parentNode, note = box.querySelector('.fq-empty[data-for="' + id + '"]');
    if (!none) { if (note) box.removeChild(note); return false; }
    if (charts[id]) charts[id].clear();
    if (!note) {
      if (window.getComputedStyle(box).position === "static") box.style.position = "relative";
      note = document.createElement("div"); note.className = "fq-empty"; note.dataset.for = id; note.setAttribute("role", "status");
      box.appendChild(note);
    }
    note.innerHTML = '<i class="bi bi-inbox" aria-hidden="true"></i><span>' + esc(data.empty_text) + "</span>";
    return true;
  }

  function trend(data) {
    var nothing = !data.trend.some(function (d) { return d.reported || d.closed; });
    if (emptyState("fq-trend", nothing, data)) return;
    var c = chart("fq-trend"); if (!c) return;
    c.setOption({
      backgroundColor: "transparent", tooltip: { trigger: "axis" }, legend: { data: [gettext("上报"), gettext("办结")], textStyle: { color: text }, top: 0 },
      grid: { left: 40, right: 16, top: 30, bottom: 26 },
      xAxis: { type: "category", data: data.trend.map(function (d) { return d.day.slice(5); }), axisLabel: { color: text } },
      yAxis: { type: "value", minInterval: 1, axisLabel: { color: text }, splitLine: { lineStyle: { color: dark ? "rgba(255,255,255,.08)" : "#eef1f5" } } },
      series: [
        { name: gettext("上报"), type: "line", smooth: true, showSymbol: false, data: data.trend.map(function (d) { return d.reported; }),
          lineStyle: { width: 2.5, color: dark ? "#5ee0ff" : "#1d4f8f" }, itemStyle: { color: dark ? "#5ee0ff" : "#1d4f8f" },
          areaStyle: { color: new echarts.graphic.LinearGradient(0, 0, 0, 1, [{ offset: 0, color: dark ? "rgba(94,224,255,.35)" : "rgba(29,79,143,.25)" }, { offset: 1, color: "rgba(0,0,0,0)" }]) } },
        { name: gettext("办结"), type: "line", smooth: true, showSymbol: false, data: data.trend.map(function (d) { return d.closed; }),
          lineStyle: { width: 2.5, color: "#38c172" }, itemStyle: { color: "#38c172" } },
      ],
    }, true);
  }

  function categories(data) {
    if (emptyState("fq-categories", !data.categories.length, data)) return;
    var c = chart("fq-categories"); if (!c) return;
    var rows = data.categories.slice().reverse();
    c.setOption({
      backgroundColor: "transparent", tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 36, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1, axisLabel: { color: text }, splitLine: { lineStyle: { color: dark ? "rgba(255,255,255,.08)" : "#eef1f5" } } },
      yAxis: { type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: { color: text } },
      series: [{ type: "bar", data: rows.map(function (r) { return r.open; }), barMaxWidth: 18, label: { show: true, position: "right", color: text },
        itemStyle: { borderRadius: [0, 4, 4, 0], color: new echarts.graphic.LinearGradient(0, 0, 1, 0, [{ offset: 0, color: dark ? "#1f5f8b" : "#8fb3de" }, { offset: 1, color: dark ? "#5ee0ff" : "#1d4f8f" }]) } }],
    }, true);
  }

  function ranking(data) {
    var rows = data.children.filter(function (x) { return x.figures.score !== null; })
      .sort(function (a, b) { return b.figures.score - a.figures.score; }).slice(0, 12).reverse();
    if (emptyState("fq-ranking", !rows.length, data)) return;
    var c = chart("fq-ranking"); if (!c) return;
    c.setOption({
      backgroundColor: "transparent", tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 44, top: 4, bottom: 4, containLabel: true },
      xAxis: { type: "value", min: 0, max: 100, show: false },
      yAxis: { type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: { color: text, fontSize: 13 }, axisLine: { show: false }, axisTick: { show: false } },
      series: [{ type: "bar", data: rows.map(function (r) { return r.figures.score; }), barMaxWidth: 16,
        showBackground: true, backgroundStyle: { color: "rgba(255,255,255,.05)", borderRadius: 8 },
        label: { show: true, position: "right", color: "#ffd166", fontWeight: 600, formatter: function (p) { return Number(p.value).toFixed(1); } },
        itemStyle: { borderRadius: 8, color: new echarts.graphic.LinearGradient(0, 0, 1, 0, [{ offset: 0, color: "#1f5f8b" }, { offset: 1, color: "#ffd166" }]) } }],
    }, true);
  }

  function drill(code) { state.node = code; return load(true); }
  window.fqOneMap = {
    state: state, charts: charts, drill: drill, reload: function () { return load(false); },
    // The pixel at a child's centre, so tests can click a region on the canvas like a person would.
    pixelOf: function (code) {
      var x = (state.data.children || []).filter(function (c) { return c.code === code; })[0];
      return x ? charts["fq-map"].convertToPixel({ geoIndex: 0 }, x.centroid) : null;
    },
  };

  document.addEventListener("click", function (e) {
    var t = e.target.closest("[data-code]");
    if (t && (t.classList.contains("fq-drill") || t.closest("#fq-crumbs"))) { e.preventDefault(); drill(t.dataset.code); }
  });
  var up = $("fq-up"); if (up) up.addEventListener("click", function () { if (state.data && state.data.node.parent) drill(state.data.node.parent); });
  var periods = $("fq-periods");
  if (periods) periods.addEventListener("click", function (e) {
    var b = e.target.closest("[data-period]"); if (!b) return;
    state.period = b.dataset.period;
    periods.querySelectorAll("button").forEach(function (x) { x.classList.toggle("active", x === b); });
    load(true);
  });
  var fig = $("fq-figure");
  if (fig) { fig.value = state.figure; fig.addEventListener("change", function () { state.figure = fig.value; if (state.data) drawMap(state.data); }); }
  window.addEventListener("popstate", function (e) { if (e.state && e.state.node) { state.node = e.state.node; load(false); } });
  window.addEventListener("resize", function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); scheduleTiles(); });
  var clock = $("fq-clock");
  if (clock) { var tick = function () { clock.textContent = new Date().toLocaleString("zh-CN", { hour12: false }); }; tick(); setInterval(tick, 1000); }
  var every = Number(root.dataset.refresh || 0);
  if (every) setInterval(function () { load(false); }, every * 1000);
  load(false);
})();
