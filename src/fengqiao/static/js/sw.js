// The worker app's service worker, served as /sw.js behind its configuration (self.FQ, written by core/pwa.py).
// It keeps the app shell for offline use (pages network-first, static files from the cache and refreshed behind),
// and owns the outbox: forms posted while the network is down are stored in IndexedDB with their idempotency keys
// and sent in order when it returns. The server's idempotency keys make a resend after a lost answer harmless.
/* global FQ */
"use strict";

var STATIC_CACHE = "fq-static-" + FQ.version;
var PAGES_CACHE = "fq-pages-" + FQ.version;
var DB_NAME = "fq-outbox";

// --- IndexedDB: items (the queue, in order of writing) and meta (who is signed in, their CSRF token) ---------------

function openDb() {
  return new Promise(function (resolve, reject) {
    var request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = function () {
      var db = request.result;
      if (!db.objectStoreNames.contains("items")) { db.createObjectStore("items", { keyPath: "id", autoIncrement: true }); }
      if (!db.objectStoreNames.contains("meta")) { db.createObjectStore("meta"); }
    };
    request.onsuccess = function () { resolve(request.result); };
    request.onerror = function () { reject(request.error); };
  });
}

function tx(store, mode, work) {
  return openDb().then(function (db) {
    return new Promise(function (resolve, reject) {
      var t = db.transaction(store, mode);
      var result;
      Promise.resolve(work(t.objectStore(store))).then(function (r) { result = r; });
      t.oncomplete = function () { db.close(); resolve(result); };
      t.onerror = t.onabort = function () { db.close(); reject(t.error); };
    });
  });
}

function req(r) {
  return new Promise(function (resolve, reject) {
    r.onsuccess = function () { resolve(r.result); };
    r.onerror = function () { reject(r.error); };
  });
}

function allItems() { return tx("items", "readonly", function (s) { return req(s.getAll()); }); }
function putItem(item) { return tx("items", "readwrite", function (s) { return req(s.put(item)); }); }
function addItem(item) { return tx("items", "readwrite", function (s) { return req(s.add(item)); }); }
function deleteItem(id) { return tx("items", "readwrite", function (s) { return req(s.delete(id)); }); }
function getMeta() { return tx("meta", "readonly", function (s) { return req(s.get("session")); }).then(function (m) { return m || {}; }); }
function setMeta(meta) { return tx("meta", "readwrite", function (s) { return req(s.put(meta, "session")); }); }

// --- install, activate, a new version ------------------------------------------------------------------------------

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(STATIC_CACHE).then(function (cache) {
    // The translation catalogue is the same for everyone: it lives with the static files, not the user's pages.
    return Promise.all(FQ.static.concat([FQ.catalogue]).map(function (url) {
      return fetch(url, { cache: "reload" }).then(function (r) { if (r.ok) { return cache.put(url, r); } }).catch(function () {});
    }));
  }));
  // The first version takes over at once; a later one waits until a page asks (the "新版本已就绪" prompt) or every
  // tab of the old one is closed, so no page runs half on old and half on new files.
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) {
      return n.indexOf("fq-") === 0 && n !== STATIC_CACHE && n !== PAGES_CACHE;
    }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

// --- pages ----------------------------------------------------------------------------------------------------------

function keptPage(path) {
  if (FQ.pages.indexOf(path) >= 0) { return true; }
  return FQ.kept.some(function (p) { return new RegExp(p).test(path); });
}

// A copy kept for offline use is marked, so the page knows to draw fresh idempotency keys and to drop the flash
// messages of the moment it was fetched.
function keepPage(url, response, cacheName) {
  if (!response || response.status !== 200 || response.type !== "basic" || response.redirected) { return Promise.resolve(); }
  var type = response.headers.get("Content-Type") || "";
  return response.text().then(function (text) {
    if (type.indexOf("text/html") === 0) { text = text.replace("<html ", "<html data-fq-cached=\"1\" "); }
    return caches.open(cacheName || PAGES_CACHE).then(function (cache) {
      return cache.put(url, new Response(text, { status: 200, headers: response.headers }));
    });
  });
}

function warm() {
  return Promise.all(FQ.pages.map(function (url) {
    // Marked as a prefetch: the page then leaves the user's flash messages unread for the page they open next.
    var init = { credentials: "same-origin", cache: "no-store", headers: { "X-FQ-Prefetch": "1" } };
    return fetch(url, init).then(function (r) {
      return keepPage(url, r);
    }).catch(function () {});
  }));
}

function warmed() {
  return caches.open(PAGES_CACHE).then(function (cache) { return cache.match(FQ.pages[0]); }).then(Boolean);
}

function offlinePage() {
  var w = FQ.words;
  var html = "<!doctype html><html lang=\"zh-hans\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" " +
    "content=\"width=device-width, initial-scale=1\"><title>" + w.offlineTitle + "</title><link rel=\"stylesheet\" href=\"" +
    FQ.static[0] + "\"></head><body class=\"p-3\"><h1 class=\"h4\">" + w.offlineTitle + "</h1><p>" + w.offlineText +
    "</p><p><a class=\"btn btn-primary\" href=\"" + FQ.pages[0] + "\">" + w.back + "</a></p></body></html>";
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

function page(event, path) {
  var request = event.request;
  var cacheName = path === FQ.catalogue ? STATIC_CACHE : PAGES_CACHE;
  return fetch(request).then(function (response) {
    if (path === FQ.catalogue || keptPage(path)) { event.waitUntil(keepPage(path, response.clone(), cacheName)); }
    return response;
  }).catch(function () {
    return caches.open(cacheName).then(function (cache) { return cache.match(path); }).then(function (hit) {
      return hit || (path === FQ.catalogue ? Response.error() : offlinePage());
    });
  });
}

function staticFile(event) {
  var request = event.request;
  return caches.open(STATIC_CACHE).then(function (cache) {
    return cache.match(request, { ignoreSearch: true }).then(function (hit) {
      var fresh = fetch(request).then(function (r) {
        if (r.ok && r.type === "basic") { cache.put(request, r.clone()); }
        return r;
      });
      if (hit) { event.waitUntil(fresh.catch(function () {})); return hit; }
      return fresh;
    });
  });
}

// --- sign-out: nothing of one user's pages survives for the next ---------------------------------------------------

function signedOut() {
  return caches.delete(PAGES_CACHE).then(getMeta).then(function (meta) {
    return setMeta({ user: null, csrf: null, was: meta.user || null });
  });
}

// --- the outbox -----------------------------------------------------------------------------------------------------

function queued(path) { return FQ.queued.some(function (p) { return new RegExp(p).test(path); }); }

function kindOf(url, entries) {
  var names = entries.map(function (e) { return e[0]; });
  if (/\/points$/.test(url)) { return "points"; }
  if (names.indexOf("description") >= 0) { return "report"; }
  if (names.indexOf("visit-address") >= 0) { return "visit"; }
  if (names.indexOf("diary-text") >= 0) { return "diary"; }
  if (/\/ack\/$/.test(url)) { return "acknowledge"; }
  return "other";
}

function summary(kind, entries) {
  var field = { report: "description", visit: "visit-address", diary: "diary-text" }[kind];
  var found = entries.filter(function (e) { return e[0] === field; })[0];
  var text = found && typeof found[1] === "string" ? found[1].trim() : "";
  return text.length > 30 ? text.slice(0, 30) + "…" : text;
}

function keyOf(entries, headers) {
  if (headers && headers["Idempotency-Key"]) { return headers["Idempotency-Key"]; }
  var found = entries.filter(function (e) { return /idempotency_key$/.test(e[0]); })[0];
  return found ? found[1] : "";
}

function enqueue(item) {
  return getMeta().then(function (meta) {
    item.user = meta.user || null;
    item.created = Date.now();
    item.status = "pending";
    item.error = "";
    item.attempts = 0;
    item.key = keyOf(item.entries || [], item.headers);
    return allItems().then(function (items) {
      // The same form sent twice (a double tap) is one write: its key says so.
      var same = items.filter(function (i) { return item.key && i.key === item.key && i.url === item.url; })[0];
      return same ? same.id : addItem(item);
    });
  }).then(function (id) {
    if (self.registration.sync) { self.registration.sync.register("fq-outbox").catch(function () {}); }
    return announce().then(function () { return id; });
  });
}

function queueForm(request, back) {
  return request.formData().then(function (data) {
    var entries = [];
    data.forEach(function (value, name) { entries.push([name, value]); });
    var path = new URL(request.url).pathname;
    var kind = kindOf(path, entries);
    return enqueue({ url: path, type: "form", entries: entries, kind: kind, label: summary(kind, entries) });
  }).then(function () {
    return Response.redirect(back + "#fq-queued", 303);
  });
}

function formPost(event) {
  var request = event.request;
  var copy = request.clone();
  var back = request.referrer && new URL(request.referrer).origin === self.location.origin ?
    request.referrer.split("#")[0] : FQ.pages[0];
  return fetch(request).catch(function () { return queueForm(copy, back); });
}

// A message shown on the answer page (Django's messages) or the form's own error: why the server refused.
// After a redirect only the flash messages count (the next page may carry other red boxes of its own).
function refusal(html, redirected) {
  var flash = /class="alert alert-danger alert-dismissible[^"]*"[^>]*>([\s\S]*?)<(?:button|\/div)/;
  var m = html.match(flash);
  if (!m && !redirected) {
    m = html.match(/class="alert alert-danger[^"]*"[^>]*>([\s\S]*?)<\/div>/) ||
      html.match(/class="invalid-feedback[^"]*"[^>]*>([\s\S]*?)<\/div>/);
  }
  return m ? m[1].replace(/<[^>]+>/g, "").replace(/\s+/g, " ").trim() : "";
}

function send(item, csrf) {
  var init = { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf } };
  if (item.type === "json") {
    init.headers["Content-Type"] = "application/json";
    Object.keys(item.headers || {}).forEach(function (h) { init.headers[h] = item.headers[h]; });
    init.body = item.body;
  } else {
    var data = new FormData();
    item.entries.forEach(function (e) {
      // The token of the page it was written on may be stale (a new sign-in rotates it): the header carries today's.
      if (e[0] !== "csrfmiddlewaretoken") { data.append(e[0], e[1]); }
    });
    init.body = data;
  }
  return fetch(item.url, init);
}

// One item's answer: "sent", "refused" (the server will never take it: shown to the worker), or "later".
function judge(item, response) {
  var path = new URL(response.url).pathname;
  if (FQ.login && path.indexOf(FQ.login) === 0) { return Promise.resolve({ outcome: "later" }); }
  if (item.type === "json") {
    if (response.ok) { return Promise.resolve({ outcome: "sent" }); }
    if (response.status === 400 || response.status === 404 || response.status === 422) {
      return response.json().then(function (b) { return { outcome: "refused", error: b.detail || "" }; },
        function () { return { outcome: "refused", error: "" }; });
    }
    return Promise.resolve({ outcome: "later" });
  }
  if (response.status === 200) {
    return response.text().then(function (html) {
      var error = refusal(html, response.redirected);
      // A redirect is the pages' way of saying "done"; an error message on the next page says why not.
      if (response.redirected && !error) { return { outcome: "sent" }; }
      return { outcome: "refused", error: error };
    });
  }
  return Promise.resolve({ outcome: "later" });  // 403 (a stale token), 429, 5xx: try again later, in order
}

var flushing = null;

function flush() {
  if (!flushing) {
    flushing = drain().then(function (r) { flushing = null; return r; }, function (e) { flushing = null; throw e; });
  }
  return flushing;
}

function drain() {
  return getMeta().then(function (meta) {
    if (!meta.user || !meta.csrf) { return true; }
    return allItems().then(function (items) {
      var mine = items.filter(function (i) { return i.user === meta.user && i.status !== "refused"; })
        .sort(function (a, b) { return a.id - b.id; });
      var networkDown = false;
      var chain = Promise.resolve(true);
      mine.forEach(function (item) {
        chain = chain.then(function (go) {
          if (!go) { return false; }
          return send(item, meta.csrf).then(function (response) {
            return judge(item, response);
          }, function () { networkDown = true; return { outcome: "network" }; }).then(function (answer) {
            if (answer.outcome === "sent") { return deleteItem(item.id).then(function () { return true; }); }
            if (answer.outcome === "refused") {
              item.status = "refused";
              item.error = answer.error || FQ.words.refused;
              return putItem(item).then(function () { return true; });
            }
            item.attempts += 1;
            item.status = answer.outcome === "network" ? "pending" : "held";
            return putItem(item).then(function () { return false; });  // keep the order: stop here
          });
        });
      });
      return chain.then(function () { return !networkDown; });
    });
  }).then(function (ok) {
    return announce().then(function () {
      if (!ok) { throw new Error("offline"); }
      return ok;
    });
  });
}

function listing() {
  return Promise.all([getMeta(), allItems()]).then(function (both) {
    var user = both[0].user;
    return both[1].filter(function (i) { return i.user === user; }).map(function (i) {
      return { id: i.id, kind: i.kind, name: FQ.words[i.kind] || FQ.words.other, label: i.label, created: i.created,
        status: i.status, error: i.error };
    });
  });
}

function announce() {
  return listing().then(function (items) {
    return self.clients.matchAll({ type: "window" }).then(function (clients) {
      clients.forEach(function (c) { c.postMessage({ type: "outbox", items: items }); });
    });
  });
}

// --- requests and messages ------------------------------------------------------------------------------------------

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  var path = url.pathname;
  if (request.method === "POST") {
    if (path === FQ.logout) { event.waitUntil(signedOut()); return; }
    if (request.mode === "navigate" && queued(path)) { event.respondWith(formPost(event)); }
    return;
  }
  if (request.method !== "GET") { return; }
  if (path.indexOf(FQ.staticPrefix) === 0) { event.respondWith(staticFile(event)); return; }
  if (request.mode === "navigate") {
    if (FQ.login && path.indexOf(FQ.login) === 0) { event.waitUntil(signedOut()); return; }
    event.respondWith(page(event, path));
    return;
  }
  if (path === FQ.catalogue) { event.respondWith(page(event, path)); }
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var source = event.source;
  var work;
  if (data.type === "hello") {
    // Each page says who is signed in and gives a current CSRF token; the shell is fetched for that user.
    work = getMeta().then(function (meta) {
      var changed = meta.user !== data.user;
      return setMeta({ user: data.user, csrf: data.csrf }).then(function () {
        return changed ? caches.delete(PAGES_CACHE) : null;
      });
    }).then(warmed).then(function (ok) { return ok ? null : warm(); }).then(function () {
      if (source) { source.postMessage({ type: "ready", version: FQ.version }); }
      return listing().then(function (items) { if (source) { source.postMessage({ type: "outbox", items: items }); } });
    }).then(function () { return data.online ? flush().catch(function () {}) : null; });
  } else if (data.type === "flush") {
    work = flush().catch(function () {});
  } else if (data.type === "queue") {
    work = enqueue({ url: data.url, type: "json", body: data.body, headers: data.headers || {}, entries: [],
      kind: kindOf(data.url, []), label: data.label || "" });
  } else if (data.type === "drop") {
    work = deleteItem(data.id).then(announce);
  } else if (data.type === "signout") {
    work = signedOut();
  } else if (data.type === "skip-waiting") {
    work = self.skipWaiting();
  }
  if (work) { event.waitUntil(work); }
});

self.addEventListener("sync", function (event) {
  if (event.tag === "fq-outbox") { event.waitUntil(flush()); }
});
