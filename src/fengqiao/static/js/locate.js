// Fill hidden lon/lat inputs (#id_lon, #id_lat) from the phone's position when the person allows it.
(function () {
  "use strict";
  var lon = document.getElementById("id_lon");
  var lat = document.getElementById("id_lat");
  if (!lon || !lat || lon.value || !navigator.geolocation) return;
  navigator.geolocation.getCurrentPosition(function (p) {
    lon.value = p.coords.longitude.toFixed(6);
    lat.value = p.coords.latitude.toFixed(6);
  }, function () {}, { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 });
})();
