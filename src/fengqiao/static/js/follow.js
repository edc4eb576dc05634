// Follows the link marked data-follow once the page has loaded (the party's join page goes on to the video service).
(function () {
  "use strict";
  var link = document.querySelector("a[data-follow]");
  if (link && /^https?:\/\//.test(link.href)) {
    window.location.assign(link.href);
  }
})();
