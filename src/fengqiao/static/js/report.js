// Report pages: fill the position from the phone's GPS and suggest a category from the text (never applied silently).
// Words come from the djangojs catalogue (/jsi18n/, loaded by base.html first); without it they stay Chinese.
(function () {
  "use strict";
  var gettext = window.gettext || function (msgid) { return msgid; };
  var interpolate = window.interpolate || function (fmt, obj) {
    return fmt.replace(/%\(\w+\)s/g, function (match) { return String(obj[match.slice(2, -2)]); });
  };
  var script = document.currentScript;
  var suggestUrl = script && script.dataset.suggestUrl;
  var form = document.getElementById("report-form");
  if (!form) return;
  var status = document.getElementById("position-status");
  var lon = form.querySelector("input[name=lon]");
  var lat = form.querySelector("input[name=lat]");

  function say(text) { if (status) status.textContent = text; }

  if (lon && lat && !lon.value && navigator.geolocation) {
    navigator.geolocation.getCurrentPosition(
      function (pos) {
        lon.value = pos.coords.longitude.toFixed(6);
        lat.value = pos.coords.latitude.toFixed(6);
        say(interpolate(gettext("已定位：%(lon)s, %(lat)s（精度约 %(accuracy)s 米）"),
          { lon: lon.value, lat: lat.value, accuracy: Math.round(pos.coords.accuracy) }, true));
      },
      function () { say(gettext("未能获取定位，将按照片位置或二维码所在网格确定位置。")); },
      { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 }
    );
  } else if (lon && lon.value) {
    say(interpolate(gettext("位置：%(lon)s, %(lat)s"), { lon: lon.value, lat: lat.value }, true));
  } else {
    say(gettext("未能获取定位，将按照片位置或二维码所在网格确定位置。"));
  }

  var text = document.getElementById("id_description");
  var select = document.getElementById("id_category");
  var hint = document.getElementById("category-hint");
  var timer = null;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
  if (!text || !select || !hint || !suggestUrl) return;
  text.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var value = text.value.trim();
      if (value.length < 4) { hint.textContent = ""; return; }
      fetch(suggestUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf ? csrf.value : "" },
        body: JSON.stringify({ text: value })
      }).then(function (r) { return r.ok ? r.json() : []; }).then(function (items) {
        hint.textContent = "";
        if (!items.length) return;
        var best = items[0];
        hint.appendChild(document.createTextNode(gettext("建议分类：")));
        var button = document.createElement("button");
        button.type = "button";
        button.className = "btn btn-link btn-sm p-0 align-baseline";
        button.textContent = interpolate(gettext("%(name)s（%(confidence)s）"),
          { name: best.name, confidence: Math.round(best.confidence * 100) + "%" }, true);
        button.addEventListener("click", function () {
          select.value = best.code;
          hint.textContent = interpolate(gettext("已采用：%(name)s"), { name: best.name }, true);
        });
        hint.appendChild(button);
        hint.appendChild(document.createTextNode(" " + gettext("点击采用")));
      }).catch(function () { hint.textContent = ""; });
    }, 400);
  });
})();
