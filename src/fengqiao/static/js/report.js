// Report pages: fill the position from the phone's GPS and suggest a category from the text (never applied silently).
(function () {
  "use strict";
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
        say("已定位：" + lon.value + ", " + lat.value + "（精度约 " + Math.round(pos.coords.accuracy) + " 米）");
      },
      function () { say("未能获取定位，将按照片位置或二维码所在网格确定位置。"); },
      { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 }
    );
  } else if (lon && lon.value) {
    say("位置：" + lon.value + ", " + lat.value);
  } else {
    say("未能获取定位，将按照片位置或二维码所在网格确定位置。");
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
        hint.appendChild(document.createTextNode("建议分类："));
        var button = document.createElement("button");
        button.type = "button";
        button.className = "btn btn-link btn-sm p-0 align-baseline";
        button.textContent = best.name + "（" + Math.round(best.confidence * 100) + "%）";
        button.addEventListener("click", function () { select.value = best.code; hint.textContent = "已采用：" + best.name; });
        hint.appendChild(button);
        hint.appendChild(document.createTextNode(" 点击采用"));
      }).catch(function () { hint.textContent = ""; });
    }, 400);
  });
})();
