// The phone app on every signed-in page: registers the service worker (/sw.js), shows the outbox ("N 条待发送") and
// what is in it, shrinks photos before they are sent or queued, and offers a new version when one is ready.
// Words come from the djangojs catalogue (/jsi18n/, run before this deferred script); without it they stay Chinese.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !("serviceWorker" in navigator) || !window.isSecureContext) { return; }
  var gettext = window.gettext || function (msgid) { return msgid; };
  var interpolate = window.interpolate || function (fmt, obj) {
    return fmt.replace(/%\(\w+\)s/g, function (match) { return String(obj[match.slice(2, -2)]); });
  };
  var user = script.dataset.user;
  var root = document.documentElement;
  var container = navigator.serviceWorker;
  var LONG_SIDE = 1600;
  var QUALITY = 0.8;

  function freshKey() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function notice(text, kind) {
    var main = document.getElementById("fq-main") || document.body;
    var box = document.createElement("div");
    box.className = "alert alert-" + (kind || "info") + " py-2 small";
    box.setAttribute("role", "status");
    box.textContent = text;
    main.insertBefore(box, main.firstChild);
    return box;
  }

  // --- a page shown from the phone's cache --------------------------------------------------------------------------
  // Its forms get fresh idempotency keys (the cached copy's key may already have been used), and the messages of the
  // moment it was saved are dropped.
  if (root.dataset.fqCached) {
    document.querySelectorAll("input[name$=idempotency_key]").forEach(function (input) { input.value = freshKey(); });
    document.querySelectorAll(".fq-messages").forEach(function (m) { m.remove(); });
    if (!navigator.onLine) { notice(gettext("当前离线，显示的是保存在手机上的页面。"), "secondary"); }
  }
  if (location.hash === "#fq-queued") {
    history.replaceState(null, "", location.pathname + location.search);
    notice(gettext("网络不通，已保存在手机上，联网后自动发送。"), "warning").id = "fq-queued-notice";
  }

  // --- photos: long side 1600 px, JPEG, before sending or queueing --------------------------------------------------
  function shrink(file) {
    if (!/^image\/(jpeg|png|webp)$/.test(file.type) || !window.createImageBitmap) { return Promise.resolve(file); }
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var long = Math.max(bitmap.width, bitmap.height);
      if (long <= LONG_SIDE && file.type === "image/jpeg" && file.size <= 1024 * 1024) { bitmap.close(); return file; }
      var scale = Math.min(1, LONG_SIDE / long);
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      var context = canvas.getContext("2d");
      context.fillStyle = "#fff";  // a transparent PNG turns white, not black
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      bitmap.close();
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          if (!blob || blob.size >= file.size) { resolve(file); return; }
          var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
          resolve(new File([blob], name, { type: "image/jpeg", lastModified: Date.now() }));
        }, "image/jpeg", QUALITY);
      });
    }).catch(function () { return file; });
  }

  var shrinking = new WeakMap();
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "file" || !input.files.length) { return; }
    if (input.accept && input.accept.indexOf("image") < 0) { return; }
    var work = Promise.all(Array.prototype.map.call(input.files, shrink)).then(function (files) {
      var transfer = new DataTransfer();
      files.forEach(function (f) { transfer.items.add(f); });
      input.files = transfer.files;
      input.dataset.fqShrunk = String(files.length);
    });
    if (input.form) { shrinking.set(input.form, work); }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var work = shrinking.get(form);
    if (!work) { return; }
    event.preventDefault();
    shrinking.delete(form);
    work.then(function () { HTMLFormElement.prototype.submit.call(form); });
  }, true);

  // --- the outbox -----------------------------------------------------------------------------------------------------
  var box = null;

  function build() {
    box = document.createElement("div");
    box.id = "fq-outbox";
    box.style.cssText = "position:fixed;right:.75rem;bottom:.75rem;z-index:1080;max-width:calc(100vw - 1.5rem)";
    var badge = document.createElement("button");
    badge.type = "button";
    badge.id = "fq-outbox-badge";
    badge.className = "btn btn-warning btn-sm shadow";
    badge.setAttribute("aria-expanded", "false");
    badge.setAttribute("aria-controls", "fq-outbox-list");
    var panel = document.createElement("div");
    panel.id = "fq-outbox-list";
    panel.className = "card shadow mb-2 small";
    panel.style.cssText = "width:20rem;max-width:100%;max-height:60vh;overflow:auto";
    panel.hidden = true;
    badge.addEventListener("click", function () {
      panel.hidden = !panel.hidden;
      badge.setAttribute("aria-expanded", String(!panel.hidden));
    });
    box.appendChild(panel);
    box.appendChild(badge);
    document.body.appendChild(box);
  }

  function when(ms) {
    var d = new Date(ms);
    return ("0" + (d.getMonth() + 1)).slice(-2) + "-" + ("0" + d.getDate()).slice(-2) + " " +
      ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }

  // While writes wait and the phone says it is online, try again now and then: the first try after the network
  // returns may come before the connection works.
  var retry = null;
  function retryLater(waiting) {
    if (retry || !waiting || !navigator.onLine) { return; }
    retry = setTimeout(function () { retry = null; post({ type: "flush" }); }, 10000);
  }

  function render(items) {
    if (!box) { build(); }
    var waiting = items.filter(function (i) { return i.status !== "refused"; }).length;
    retryLater(waiting);
    var refused = items.length - waiting;
    box.hidden = items.length === 0;
    var badge = document.getElementById("fq-outbox-badge");
    var text = interpolate(gettext("%(n)s 条待发送"), { n: waiting }, true);
    if (refused) { text += " · " + interpolate(gettext("%(n)s 条未被接受"), { n: refused }, true); }
    badge.textContent = "";
    var icon = document.createElement("i");
    icon.className = "bi bi-cloud-arrow-up me-1";
    icon.setAttribute("aria-hidden", "true");
    badge.appendChild(icon);
    badge.appendChild(document.createTextNode(text));
    badge.className = "btn btn-sm shadow " + (refused ? "btn-danger" : "btn-warning");

    var panel = document.getElementById("fq-outbox-list");
    panel.textContent = "";
    var head = document.createElement("div");
    head.className = "card-header d-flex justify-content-between align-items-center";
    head.appendChild(document.createTextNode(gettext("待发送")));
    var now = document.createElement("button");
    now.type = "button";
    now.className = "btn btn-sm btn-outline-primary";
    now.textContent = gettext("立即发送");
    now.addEventListener("click", function () { post({ type: "flush" }); });
    head.appendChild(now);
    panel.appendChild(head);
    var list = document.createElement("ul");
    list.className = "list-group list-group-flush";
    items.forEach(function (item) {
      var li = document.createElement("li");
      li.className = "list-group-item";
      li.dataset.kind = item.kind;
      var title = document.createElement("div");
      title.className = "fw-semibold";
      title.textContent = item.name + (item.label ? "：" + item.label : "");
      li.appendChild(title);
      var meta = document.createElement("div");
      meta.className = "text-muted";
      var state = item.status === "refused" ? gettext("未被接受") :
        item.status === "held" ? gettext("等待重新登录或稍后重试") : gettext("等待网络");
      meta.textContent = when(item.created) + " · " + state;
      li.appendChild(meta);
      if (item.status === "refused") {
        var why = document.createElement("div");
        why.className = "text-danger";
        why.textContent = item.error;
        li.appendChild(why);
        var drop = document.createElement("button");
        drop.type = "button";
        drop.className = "btn btn-link btn-sm p-0";
        drop.textContent = gettext("删除");
        drop.addEventListener("click", function () { post({ type: "drop", id: item.id }); });
        li.appendChild(drop);
      }
      list.appendChild(li);
    });
    panel.appendChild(list);
  }

  // --- talking to the service worker ----------------------------------------------------------------------------------
  var registration = null;
  var ready = false;
  var askedUpdate = false;

  function worker() {
    return container.controller || (registration && registration.active);
  }

  function post(message) {
    var w = worker();
    if (w) { w.postMessage(message); }
    return Boolean(w);
  }

  function markReady() {
    if (ready && container.controller) { root.dataset.fqOffline = "ready"; }
  }

  function csrf() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function offerUpdate(waiting) {
    if (document.getElementById("fq-update")) { return; }
    var bar = notice(gettext("新版本已就绪，"), "info");
    bar.id = "fq-update";
    var go = document.createElement("button");
    go.type = "button";
    go.className = "btn btn-link btn-sm p-0 align-baseline";
    go.textContent = gettext("刷新");
    go.addEventListener("click", function () { askedUpdate = true; waiting.postMessage({ type: "skip-waiting" }); });
    bar.appendChild(go);
  }

  container.addEventListener("message", function (event) {
    var data = event.data || {};
    if (data.type === "ready") { ready = true; markReady(); }
    if (data.type === "outbox") { render(data.items || []); }
  });
  container.addEventListener("controllerchange", function () {
    if (askedUpdate) { location.reload(); return; }
    markReady();
  });

  container.register(script.dataset.sw, { scope: "/" }).then(function (reg) {
    registration = reg;
    if (reg.waiting && container.controller) { offerUpdate(reg.waiting); }
    reg.addEventListener("updatefound", function () {
      var incoming = reg.installing;
      if (!incoming) { return; }
      incoming.addEventListener("statechange", function () {
        if (incoming.state === "installed" && container.controller) { offerUpdate(incoming); }
      });
    });
    return container.ready;
  }).then(function (reg) {
    registration = reg;
    reg.active.postMessage({ type: "hello", user: user, csrf: csrf(), online: navigator.onLine });
  }).catch(function () {});

  window.addEventListener("online", function () { setTimeout(function () { post({ type: "flush" }); }, 1000); });

  // Signing out drops the cached pages at once (the worker also sees the sign-out request itself).
  var logout = script.dataset.logout;
  document.querySelectorAll("form").forEach(function (form) {
    if (logout && new URL(form.action, location.href).pathname === logout) {
      form.addEventListener("submit", function () { post({ type: "signout" }); });
    }
  });

  // For the pages' own scripts (the patrol track): queue a JSON write; false when there is no worker to hold it.
  window.fqQueue = function (url, body, headers, label) {
    return post({ type: "queue", url: url, body: body, headers: headers || {}, label: label || "" });
  };
})();
