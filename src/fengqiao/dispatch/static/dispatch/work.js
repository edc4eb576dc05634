// The field-work page: position for a new patrol, and the GPS track of a running one (points sent every 10 s).
(function () {
  "use strict";
  var token = (document.querySelector("[name=csrfmiddlewaretoken]") || {}).value;
  var start = document.getElementById("patrol-start");
  if (start && navigator.geolocation) {
    navigator.geolocation.getCurrentPosition(function (p) {
      start.lon.value = p.coords.longitude.toFixed(6); start.lat.value = p.coords.latitude.toFixed(6);
    }, function () {}, { enableHighAccuracy: true, timeout: 5000 });
  }
  var live = document.getElementById("patrol-live");
  if (!live || !navigator.geolocation) { return; }
  var gps = document.getElementById("patrol-gps"), queue = [], last = 0;
  function flush() {
    if (!queue.length) { return; }
    var points = queue.splice(0, queue.length);
    fetch(live.dataset.pointsUrl, { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token }, body: JSON.stringify({ points: points }) })
      .then(function (r) { return r.json().then(function (b) { return [r.ok, b]; }); })
      .then(function (res) {
        if (res[0]) {
          document.getElementById("patrol-points").textContent = res[1].points_count;
          document.getElementById("patrol-metres").textContent = Math.round(res[1].distance_m);
          gps.textContent = live.dataset.textSaved;
        } else {
          gps.textContent = res[1].detail || live.dataset.textFailed;
        }
      }).catch(function () {
        // No network: the phone app keeps the batch, with its key, and sends it when the network returns.
        var key = Array.prototype.map.call(crypto.getRandomValues(new Uint8Array(16)), function (b) {
          return ("0" + b.toString(16)).slice(-2); }).join("");
        if (!(window.fqQueue && window.fqQueue(live.dataset.pointsUrl, JSON.stringify({ points: points }),
          { "Idempotency-Key": key }))) { queue = points.concat(queue); }
      });
  }
  navigator.geolocation.watchPosition(function (p) {
    var now = Date.now();
    if (now - last < 10000) { return; }
    last = now;
    queue.push({ lon: p.coords.longitude, lat: p.coords.latitude, accuracy: p.coords.accuracy });
    flush();
  }, function (e) { gps.textContent = e.message; }, { enableHighAccuracy: true, maximumAge: 5000 });
  setInterval(flush, 30000);
})();
