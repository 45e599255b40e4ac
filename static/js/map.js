/* The map of the entries behind a number: the points from the page's JSON as circle
   markers (no images, so they show when the tiles cannot load), the view fitted to them,
   tiles from the server the page names (FIELDLOG_MAP_TILES). Needs Leaflet (static/vendor). */
(function () {
  "use strict";
  var el = document.getElementById("entries-map");
  var data = document.getElementById("entries-map-points");
  if (!el || !data || !window.L) {
    return;
  }
  var points = JSON.parse(data.textContent);
  var map = L.map(el, { scrollWheelZoom: false });
  map.attributionControl.setPrefix(false);
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, {
      maxZoom: 19,
      attribution: el.dataset.attribution || "",
    }).addTo(map);
  }
  var markers = points.map(function (p) {
    var marker = L.circleMarker([p.lat, p.lon], {
      radius: 8,
      color: "#0b2a4a",
      weight: 2,
      fillColor: "#0a58ca",
      fillOpacity: 0.75,
      className: "entry-marker",
    });
    var label = document.createElement("span");
    label.textContent = p.start + (p.place ? " · " + p.place : "");
    marker.bindPopup(label);
    return marker.addTo(map);
  });
  if (points.length === 1) {
    map.setView([points[0].lat, points[0].lon], 14);
  } else if (points.length > 1) {
    map.fitBounds(L.featureGroup(markers).getBounds(), { padding: [24, 24], maxZoom: 15 });
  }
  el.setAttribute("data-ready", String(markers.length));
})();
