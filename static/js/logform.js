/* The entry form: steppers, start time now, the not-counted warning, position, and saving to the outbox. */
(function () {
  "use strict";
  var form = document.getElementById("entry-form"), F = window.Fieldlog;
  var app = document.getElementById("fieldlog-app");
  if (!form || !F || !window.indexedDB) return;
  var zone = app.dataset.zone, holidays = form.dataset.holidays.split(",");
  var date = form.elements.date, time = form.elements.time;

  function localNow() {
    var d = new Date(Math.round(Date.now() / 300000) * 300000), p = {};
    new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
      .formatToParts(d).forEach(function (x) { p[x.type] = x.value; });
    return { date: p.year + "-" + p.month + "-" + p.day, time: p.hour + ":" + p.minute };
  }
  function addMinutes(local, m) {
    var a = local.split(/[-T:]/).map(Number);
    return new Date(Date.UTC(a[0], a[1] - 1, a[2], a[3], a[4] + m)).toISOString().slice(0, 16);
  }
  /* Inconvenient hours as fieldlog.rules.is_inconvenient judges them, holidays given by the server. */
  function inconvenient(day, hhmm) {
    var a = day.split("-").map(Number), wd = new Date(Date.UTC(a[0], a[1] - 1, a[2])).getUTCDay();
    if (wd === 0 || wd === 6 || holidays.indexOf(day) >= 0) return true;
    return hhmm < "07:00" || hhmm >= "19:00";
  }
  function warn() {
    var box = document.getElementById("not-counted");
    if (form.dataset.timeRule !== "obekvam_tid" || !date.value || !time.value) return;
    box.hidden = inconvenient(date.value, time.value);
  }
  function number(v) { return /^\s*\d+\s*$/.test(v) ? parseInt(v, 10) : v; }

  if (form.dataset.new) {
    /* The server's "now" may be minutes old on a slow line; a field already changed by hand stays. */
    var now = localNow();
    if (date.value === date.defaultValue) date.value = now.date;
    if (time.value === time.defaultValue) time.value = now.time;
  }
  date.addEventListener("change", warn);
  time.addEventListener("change", warn);
  warn();

  form.querySelectorAll("[data-step]").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () {
      var input = document.getElementById(b.dataset.for), min = +input.min || 0;
      input.value = Math.max(min, (parseInt(input.value, 10) || 0) + +b.dataset.step);
    });
  });

  var pos = document.getElementById("position"), posState = document.getElementById("position-state");
  if (navigator.geolocation) {
    pos.hidden = false;
    document.getElementById("use-position").addEventListener("click", function () {
      posState.textContent = F.text.position_wait;
      navigator.geolocation.getCurrentPosition(function (p) {
        form.elements.lat.value = p.coords.latitude.toFixed(6);
        form.elements.lon.value = p.coords.longitude.toFixed(6);
        posState.textContent = F.text.position_ok;
      }, function () { posState.textContent = F.text.position_fail; }, { timeout: 15000 });
    });
  }

  function entry() {
    var el = form.elements, started = date.value + "T" + time.value, metrics = {};
    var e = { client_id: form.dataset.new ? crypto.randomUUID() : el.client_id.value,
      promise: form.dataset.promise, started_at: started, place: el.place.value,
      municipality: el.municipality.value || undefined,
      officers: el.officers.value.trim() === "" ? undefined : number(el.officers.value),  /* emptied: the default, 1 */
      notes: el.notes.value, metrics: metrics };
    form.querySelectorAll('[name^="metric_"]').forEach(function (m) {
      if (m.value !== "") metrics[m.name.slice(7)] = number(m.value);
    });
    if (el.duration.value) e.ended_at = addMinutes(started, +el.duration.value);
    if (el.lat.value && el.lon.value) { e.lat = +el.lat.value; e.lon = +el.lon.value; }
    if (el.base_version.value) e.base_version = +el.base_version.value;
    return e;
  }

  /* An entry from the outbox, opened to be corrected: its fields, and the server's reasons beside them. */
  var SLOTS = { municipality: "#f-municipality", started_at: ".when", ended_at: "#f-duration", place: "#f-place", officers: "#f-officers",
    metrics: ".metrics", notes: "#f-notes", lat: "#position", lon: "#position" };
  function fill(item) {
    var e = item.entry, el = form.elements, m = e.metrics || {}, at = e.started_at.split("T");
    form.dataset.new = "";
    app.dataset.fixing = item.client_id;
    el.client_id.value = item.client_id;
    // A conflict answer carries the version the server holds: the correction is an edit of it.
    el.base_version.value = item.state === "conflict" && item.version ? item.version : e.base_version || "";
    date.value = at[0];
    time.value = (at[1] || "").slice(0, 5);
    el.place.value = e.place || "";
    if (e.municipality && el.municipality.tagName === "SELECT") el.municipality.value = e.municipality;
    if (e.officers != null) el.officers.value = e.officers; // else the form's default, as the server's
    el.notes.value = e.notes || "";
    el.lat.value = e.lat == null ? "" : e.lat;
    el.lon.value = e.lon == null ? "" : e.lon;
    Object.keys(m).forEach(function (k) { if (el["metric_" + k]) el["metric_" + k].value = m[k]; });
    if (e.ended_at) {
      var minutes = String((Date.parse(e.ended_at + "Z") - Date.parse(e.started_at + "Z")) / 60000);
      el.duration.value = minutes;
      if (el.duration.value !== minutes) el.duration.add(new Option(minutes + " min", minutes, true, true));
    }
    explain(item.errors || {});
    document.getElementById("save").textContent = F.text.resend;
    warn();
  }
  function explain(errors) {
    var names = Object.keys(errors), box = document.createElement("div"), list = document.createElement("ul");
    if (!names.length) return;
    box.className = "error-summary";
    box.setAttribute("role", "alert");
    box.appendChild(document.createElement("h2")).textContent = F.text.refused_title;
    box.appendChild(list);
    names.forEach(function (k) {
      var slot = SLOTS[k] && form.querySelector(SLOTS[k]), p = document.createElement("p");
      list.appendChild(document.createElement("li")).textContent = F.named(F.text.fields[k] || k, errors[k]);
      if (!slot) return;
      slot = slot.closest("fieldset, .field");
      slot.classList.add("has-error");
      p.className = "error";
      p.textContent = errors[k];
      slot.appendChild(p);
    });
    form.parentNode.insertBefore(box, form);
  }
  function shown() { return new URLSearchParams(new FormData(form)).toString(); }
  var asServed = form.dataset.new ? null : shown();

  form.addEventListener("submit", function (ev) {
    if (!date.value || !time.value) return; // the server names the missing field
    if (shown() === asServed) return; // an edit with nothing changed: the server says so plainly
    ev.preventDefault();
    var save = document.getElementById("save"), e = entry();
    save.disabled = true;
    F.put({ client_id: e.client_id, entry: e, label: form.dataset.label })
      .then(function () {
        var wait = new Promise(function (r) { setTimeout(r, 6000); });
        return Promise.race([F.flush(), wait]);
      })
      .then(function () {
        sessionStorage.setItem("fieldlog:saved", e.client_id);
        location.href = form.dataset.next;
      }, function () { form.submit(); });
  });
  var fixing = new URLSearchParams(location.search).get("outbox");
  (fixing ? F.get(fixing) : Promise.resolve(null)).then(function (item) {
    if (item) { fill(item); F.render(); }
  }).finally(function () { form.dataset.ready = "1"; });
})();
