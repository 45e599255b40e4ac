/* Fieldlog service worker: the app shell from the cache, the officer's pages network first with
   the cached copy when there is no coverage. POSTs are never touched: the page's outbox sends them. */
"use strict";
var SHELL = "fieldlog-shell-v3", PAGES = "fieldlog-pages";
var SHELL_URLS = ["/static/css/app.css", "/static/css/logging.css", "/static/css/logform.css",
  "/static/css/entries.css", "/static/js/outbox.js", "/static/js/logform.js",
  "/static/manifest.webmanifest", "/static/icons/icon.svg", "/static/icons/icon-192.png"];
/* The pages, and the scripts' words (/texts/sv.js?v=…) that the page's outbox also keeps here. */
var PAGE = /^\/(log\/[^/]+|entries|api\/v1\/commitments\/active|texts\/[a-z]+\.js)?$/;

self.addEventListener("install", function (e) {
  e.waitUntil(caches.open(SHELL).then(function (c) { return c.addAll(SHELL_URLS); })
    .then(function () { return self.skipWaiting(); }));
});
self.addEventListener("activate", function (e) {
  e.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf("fieldlog-shell") === 0 && k !== SHELL })
      .map(function (k) { return caches["delete"](k); }));
  }).then(function () { return self.clients.claim(); }));
});

function timeout(ms) { return new Promise(function (_, reject) { setTimeout(reject, ms); }); }

/* Network first with a time limit (a weak signal must not keep the officer waiting), else the cache. */
function networkFirst(req) {
  var url = new URL(req.url), key = url.pathname + url.search;
  var net = fetch(req).then(function (res) {
    if (res.ok && res.type === "basic" && !res.redirected) {
      var copy = res.clone();
      caches.open(PAGES).then(function (c) { return c.put(key, copy); });
    }
    return res;
  });
  return Promise.race([net, timeout(8000)])["catch"](function () {
    return caches.open(PAGES).then(function (c) {
      return c.match(key).then(function (hit) {
        return hit || c.match(url.pathname, { ignoreSearch: true });
      }).then(function (hit) {
        return hit || (req.mode === "navigate" ? c.match("/", { ignoreSearch: true }) : undefined);
      });
    }).then(function (hit) { return hit || net; });
  });
}

/* The shell: the cached copy at once, refreshed in the background. */
function staleWhileRevalidate(req) {
  return caches.open(SHELL).then(function (c) {
    return c.match(req, { ignoreSearch: true }).then(function (hit) {
      var net = fetch(req).then(function (res) {
        if (res.ok) c.put(req, res.clone());
        return res;
      });
      if (hit) { net["catch"](function () {}); return hit; }
      return net;
    });
  });
}

self.addEventListener("fetch", function (e) {
  var req = e.request, url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== location.origin) return;
  if (url.pathname.indexOf("/static/") === 0) { e.respondWith(staleWhileRevalidate(req)); return; }
  if (PAGE.test(url.pathname)) e.respondWith(networkFirst(req));
});
