/* Fieldlog outbox: every entry is written to IndexedDB first, then sent to POST /api/v1/entries.
   An entry leaves the outbox only when the server answered created, duplicate or updated. */
(function () {
  "use strict";
  /* The words come from /texts/<lang>.js, loaded just before: without them, the plain form. */
  var app = document.getElementById("fieldlog-app"), T = window.FieldlogText;
  if (!app || !T) return;
  document.documentElement.classList.add("js");
  var USER = app.dataset.user, API = app.dataset.api;
  var statusEl = document.getElementById("outbox-status");
  var listEl = document.getElementById("outbox-list");
  var STORED = { created: 1, duplicate: 1, updated: 1 };
  var PAGES = "fieldlog-pages";
  var MOST = +app.dataset.batch || 100, batch = MOST;
  var dbp = null, busy = null, timer = null, delay = 1000, note = "", saved = "";
  var savedId = sessionStorage.getItem("fieldlog:saved");
  sessionStorage.removeItem("fieldlog:saved");

  function fmt(s, k, v) { return s.replace("{" + k + "}", v); }
  /* A count in words: the server gives [one, many] in the page's language. */
  function count(forms, n) { return fmt(forms[n === 1 ? 0 : 1], "n", n); }

  /* IndexedDB, reopened whenever the browser closes it (iOS does under memory pressure). */
  function db() {
    if (dbp) return dbp;
    dbp = new Promise(function (resolve, reject) {
      var req = indexedDB.open("fieldlog", 1);
      req.onupgradeneeded = function () {
        req.result.createObjectStore("outbox", { keyPath: "client_id" }).createIndex("user", "user");
      };
      req.onsuccess = function () {
        var d = req.result;
        d.onclose = d.onversionchange = function () { d.close(); dbp = null; };
        resolve(d);
      };
      req.onerror = function () { dbp = null; reject(req.error); };
    });
    return dbp;
  }
  function tx(mode, work) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var t = d.transaction("outbox", mode), store = t.objectStore("outbox"), out;
        out = work(store);
        t.oncomplete = function () { resolve(out && "result" in out ? out.result : out); };
        t.onerror = t.onabort = function () { reject(t.error); };
      });
    });
  }
  function mine() {
    return tx("readonly", function (s) { return s.index("user").getAll(USER); });
  }
  function put(item) {
    item.user = USER;
    item.state = "new";
    item.errors = {};
    item.saved_at = new Date().toISOString();
    return tx("readwrite", function (s) { s.put(item); }).then(render);
  }
  function get(id) {
    return tx("readonly", function (s) { return s.get(id); }).then(function (x) {
      return x && x.user === USER ? x : null;
    });
  }
  function remove(id) { return tx("readwrite", function (s) { s["delete"](id); }); }
  /* Record the answer to what was sent. An entry corrected on the phone meanwhile stays, to go
     as an edit of the version the server now holds. */
  function settle(sent, r) {
    return tx("readwrite", function (s) {
      var q = s.get(sent.client_id);
      q.onsuccess = function () {
        var cur = q.result;
        if (!cur) return;
        if (cur.saved_at !== sent.saved_at) {
          if (STORED[r.status] && r.version) { cur.entry.base_version = r.version; s.put(cur); }
        } else if (STORED[r.status]) {
          s["delete"](cur.client_id);
        } else {
          cur.state = r.status; cur.errors = r.errors || {}; cur.version = r.version; s.put(cur);
        }
      };
    });
  }

  function token() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.content : "";
  }
  /* A page served from the cache may carry an old token: fetch a fresh one from the server. */
  function freshToken() {
    return fetch(app.dataset.home, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var m = /name="csrf-token" content="([^"]+)"/.exec(html);
        if (m) document.querySelector('meta[name="csrf-token"]').content = m[1];
      });
  }
  function post(entries) {
    var ctl = new AbortController(), t = setTimeout(function () { ctl.abort(); }, 20000);
    return fetch(API, {
      method: "POST", credentials: "same-origin", signal: ctl.signal,
      headers: { "Content-Type": "application/json", "X-CSRFToken": token() },
      body: JSON.stringify({ entries: entries })
    }).finally(function () { clearTimeout(t); });
  }

  /* Send what waits, in batches; connectivity is judged by the request itself. */
  function flush() {
    if (busy) return busy;
    clearTimeout(timer);
    var sent = 0, csrfRetried = false, tooBig = Infinity;
    busy = mine().then(function (items) {
      var queue = items.filter(function (i) { return i.state === "new"; });
      function answered(chunk, results) {
        return Promise.all(chunk.map(function (item, k) {
          if (STORED[results[k].status]) sent++;
          return settle(item, results[k]);
        })).then(function () { queue = queue.slice(chunk.length); return next(); });
      }
      /* A 400 about the CSRF token: a fresh token, once. Any other: shown, and not sent again. */
      function badRequest(chunk, body) {
        if (body.code !== "csrf") {
          var why = { status: "refused", errors: { entry: body.error || "HTTP 400" } };
          return answered(chunk, chunk.map(function () { return why; }));
        }
        if (csrfRetried) return retry(T.login);
        csrfRetried = true;
        return freshToken().then(next);
      }
      function next() {
        if (!queue.length) return done();
        var chunk = queue.slice(0, batch);
        note = T.sending; show(items.length - sent);
        return post(chunk.map(function (i) { return i.entry; })).then(function (res) {
          // Too large: half of what was sent, and never again as many during this send.
          if (res.status === 413 && chunk.length > 1) {
            tooBig = chunk.length; batch = chunk.length >> 1; return next();
          }
          if (res.status === 400) {
            return res.json().then(null, function () { return {}; }).then(function (body) {
              return badRequest(chunk, body);
            });
          }
          if (res.status === 401) return retry(T.login);
          if (!res.ok) return retry();
          return res.json().then(function (body) {
            localStorage.setItem("fieldlog:last-sync:" + USER, new Date().toISOString());
            batch = Math.min(MOST, tooBig - 1, batch * 2);
            return answered(chunk, body.results);
          });
        }, function () { return retry(); });
      }
      return next();
    }).then(function () { return sent; }, function () { retry(); return sent; })
      .finally(function () { busy = null; render(); if (sent) refreshCounts(); });
    return busy;
  }
  function done() { note = ""; delay = 1000; }
  function retry(why) {
    var wait = delay;
    note = why || fmt(T.offline, "s", Math.round(wait / 1000));
    timer = setTimeout(function () { note = ""; flush(); }, wait);
    delay = Math.min(delay * 2, 300000);
  }

  function show(waiting) {
    var last = localStorage.getItem("fieldlog:last-sync:" + USER), said = saved;
    /* Nothing waits on the phone: the entry just saved cannot still be waiting there. */
    if (said === T.saved_local && !waiting) said = T.saved_sent;
    var parts = said ? [said] : [];
    parts.push(waiting ? count(T.unsent, waiting) : T.all_sent);
    if (last || waiting) parts.push(last ? fmt(T.last_sync, "t", new Date(last).toLocaleString("sv-SE", {
      dateStyle: "short", timeStyle: "short" })) : T.never);
    if (note) parts.push(note);
    statusEl.textContent = parts.join(" · ");
    statusEl.classList.toggle("is-waiting", waiting > 0);
    statusEl.classList.toggle("is-saved", !waiting && !!saved);
    statusEl.dataset.unsent = waiting;
  }
  function render() {
    return mine().then(function (items) {
      var perPromise = {};
      saved = savedText(items);
      show(items.length);
      listEl.textContent = "";
      items.forEach(function (i) {
        perPromise[i.entry.promise] = (perPromise[i.entry.promise] || 0) + 1;
        if ((i.state === "new" && !app.dataset.listUnsent) || i.client_id === app.dataset.fixing) return;
        listEl.appendChild(row(i));
      });
      document.querySelectorAll("[data-promise] [data-unsent]").forEach(function (el) {
        var n = perPromise[el.closest("[data-promise]").dataset.promise] || 0;
        el.hidden = !n;
        el.textContent = n ? " · " + count(T.unsent, n) : "";
      });
      return items;
    });
  }
  /* What became of the entry just saved: sent, waiting, or refused by the server. */
  function savedText(items) {
    if (!savedId) return "";
    var item = items.filter(function (i) { return i.client_id === savedId; })[0];
    return !item ? T.saved_sent : item.state === "new" ? T.saved_local : T.saved_refused;
  }
  /* A refused field's reason after its label, unless the reason already names it (labels.field_message). */
  function named(label, reason) {
    return reason.indexOf(label) === 0 ? reason : label + ": " + reason;
  }

  function element(tag, cls, text) {
    var el = document.createElement(tag);
    el.className = cls;
    el.textContent = text;
    return el;
  }
  /* One entry still on the phone: its state, the server's reasons, "Rätta" and "Ta bort". */
  function row(i) {
    var li = element("li", "is-" + i.state, ""), actions = element("div", "outbox-actions", "");
    var fix = element("a", "btn", T.fix), b = element("button", "btn btn-danger", T.remove);
    li.appendChild(element("span", "outbox-what", i.label + " · " + i.entry.started_at.replace("T", " ")));
    li.appendChild(element("span", "badge outbox-state", T.states[i.state] || i.state));
    Object.keys(i.errors || {}).forEach(function (k) {
      li.appendChild(element("p", "error", named(T.fields[k] || k, i.errors[k])));
    });
    fix.href = app.dataset.log.replace("KEY", encodeURIComponent(i.entry.promise)) +
      "?outbox=" + encodeURIComponent(i.client_id) +
      (i.entry.municipality ? "&municipality=" + encodeURIComponent(i.entry.municipality) : "");
    if (i.entry.promise) actions.appendChild(fix);
    b.type = "button";
    b.addEventListener("click", function () {
      if (!confirm(T.remove_confirm)) return;
      if (i.client_id === savedId) savedId = null;
      remove(i.client_id).then(render);
    });
    actions.appendChild(b);
    li.appendChild(actions);
    return li;
  }

  /* After entries went through, show the server's new counts without a reload. */
  function refreshCounts() {
    var box = document.getElementById("promises");
    if (!box) return;
    fetch(location.href, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("promises");
        if (fresh) { box.innerHTML = fresh.innerHTML; render(); }
      })["catch"](function () {});
  }

  /* Keep the pages needed offline in the cache, for this user only. */
  function precache() {
    var urls = JSON.parse(app.dataset.precache || "[]").concat(location.pathname + location.search);
    if (!window.caches || !app.dataset.precache) return Promise.resolve();
    var owner = localStorage.getItem("fieldlog:pages-owner");
    var start = owner === USER ? Promise.resolve() : caches["delete"](PAGES);
    localStorage.setItem("fieldlog:pages-owner", USER);
    return start.then(function () { return caches.open(PAGES); }).then(function (cache) {
      return Promise.all(urls.map(function (u) {
        return cache.match(u).then(function (hit) {
          if (hit) return;
          return fetch(u, { credentials: "same-origin" }).then(function (r) {
            if (r.ok && !r.redirected) return cache.put(u, r);
          });
        });
      }));
    });
  }

  /* Installing can wait until the page works offline: only then the manifest and the home-screen
     icon, which the browser fetches (with the manifest's icons) to offer it. */
  function installable() {
    [["manifest", app.dataset.manifest], ["apple-touch-icon", app.dataset.icon]].forEach(function (l) {
      var link = document.createElement("link");
      link.rel = l[0];
      link.href = l[1];
      document.head.appendChild(link);
    });
  }

  function start() {
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist();
    var ready = Promise.resolve();
    if ("serviceWorker" in navigator) {
      ready = navigator.serviceWorker.register(app.dataset.sw, { scope: "/" })
        .then(function () { return navigator.serviceWorker.ready; });
    }
    ready.then(precache).then(function () { app.dataset.offlineReady = "1"; }, function () {})
      .then(installable);
    render().then(flush);
  }

  window.addEventListener("pageshow", function (e) { if (e.persisted) flush(); });
  window.addEventListener("online", function () { delay = 1000; flush(); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") flush();
  });
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (e) { if (!confirm(form.dataset.confirm)) e.preventDefault(); });
  });
  /* Logging out with unsent entries warns; they stay on the phone for their author. */
  document.querySelectorAll('form[action$="/logout"]').forEach(function (form) {
    form.addEventListener("submit", function (e) {
      var n = +(statusEl.dataset.unsent || 0);
      if (n && !confirm(count(T.logout_confirm, n))) { e.preventDefault(); return; }
      localStorage.removeItem("fieldlog:pages-owner");
      if (window.caches) caches["delete"](PAGES);
    });
  });

  window.Fieldlog = { put: put, get: get, flush: flush, render: render, named: named, text: T };
  start();
})();
