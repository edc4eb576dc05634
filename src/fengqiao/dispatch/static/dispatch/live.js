/* fengqiao dispatch: live push over Server-Sent Events (EventSource reconnects and sends Last-Event-ID itself). */
(function () {
  "use strict";
  var root = document.querySelector("[data-fq-stream]");
  if (!root || !window.EventSource) { return; }
  var source = new EventSource(root.getAttribute("data-fq-stream"));
  var status = document.getElementById("fq-live-status");

  function setUnread(n) {
    document.querySelectorAll("[data-fq-unread]").forEach(function (el) {
      el.textContent = String(n);
      el.classList.toggle("d-none", !n);
    });
  }
  function fill(node, data) {
    node.querySelectorAll("[data-field]").forEach(function (el) {
      var value = data[el.getAttribute("data-field")];
      el.textContent = value === undefined || value === null ? "" : String(value);
    });
    node.querySelectorAll("[data-href]").forEach(function (el) {
      var url = data[el.getAttribute("data-href")] || "";
      if (el.tagName === "FORM") { el.action = url; } else { el.href = url; }
    });
    node.querySelectorAll("[data-show-if]").forEach(function (el) {
      if (!data[el.getAttribute("data-show-if")]) { el.remove(); }
    });
  }
  function prepend(listId, templateId, data) {
    var list = document.getElementById(listId);
    var template = document.getElementById(templateId);
    if (!list || !template) { return; }
    if (list.querySelector('[data-id="' + data.id + '"]')) { return; }
    var node = template.content.firstElementChild.cloneNode(true);
    node.setAttribute("data-id", String(data.id));
    fill(node, data);
    var empty = list.querySelector(".fq-empty");
    if (empty) { empty.remove(); }
    list.insertBefore(node, list.firstChild);
  }
  source.addEventListener("open", function () { if (status) { status.classList.add("text-success"); status.title = "online"; } });
  source.addEventListener("error", function () { if (status) { status.classList.remove("text-success"); status.title = "offline"; } });
  source.addEventListener("unread", function (e) { setUnread(JSON.parse(e.data).unread); });
  source.addEventListener("instruction", function (e) {
    var data = JSON.parse(e.data);
    data.ack_url = data.url + "ack/";
    prepend("fq-instructions", "fq-instruction-template", data);
    if (data.unread !== undefined) { setUnread(data.unread); }
  });
  source.addEventListener("notification", function (e) {
    var data = JSON.parse(e.data);
    data.open_url = root.getAttribute("data-fq-notification-base") + data.id + "/";
    prepend("fq-notifications", "fq-notification-template", data);
    if (data.unread !== undefined) { setUnread(data.unread); }
  });
  source.addEventListener("receipt", function (e) {
    var data = JSON.parse(e.data);
    var panel = document.querySelector('[data-fq-tracking="' + data.instruction + '"]');
    if (panel && window.htmx) { window.htmx.trigger(panel, "fq-receipt"); }
  });
})();
