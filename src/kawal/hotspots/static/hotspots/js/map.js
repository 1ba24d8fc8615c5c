// Hotspot map: clustered points (children found, sightings reported) and proportional circles per
// kelurahan, from /peta/data.json. Works without tiles (plain background);
// no request leaves the server unless KAWAL_MAP_TILES_URL names a tile host.
(function () {
  "use strict";
  var el = document.getElementById("hotspot-map");
  var status = document.getElementById("hotspot-map-status");
  if (!el || !window.L || !window.fetch) {
    return;
  }
  var BALIKPAPAN = [-1.245, 116.87];

  function say(message) {
    status.textContent = message;
  }

  function text(value) {
    var node = document.createElement("span");
    node.textContent = value;
    return node;
  }

  var map = L.map(el, { attributionControl: false, zoomSnap: 0.5, minZoom: 9, maxZoom: 18 }).setView(BALIKPAPAN, 11);
  if (el.dataset.tilesUrl) {
    L.control.attribution({ prefix: false }).addTo(map);
    L.tileLayer(el.dataset.tilesUrl, {
      attribution: el.dataset.tilesAttribution || "",
      maxZoom: 19,
    }).addTo(map);
  }
  say("");

  function label(row) {
    return text(
      row.name + ": " + row.reported + " " + el.dataset.wordReported + ", " + row.found + " " + el.dataset.wordFound
    );
  }

  // Kelurahan outlines, when an administrator imported them; the map works
  // the same without (circles stand at each kelurahan's centre).
  function drawBoundaries(control) {
    if (!el.dataset.boundariesUrl) {
      return;
    }
    fetch(el.dataset.boundariesUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : { features: [] };
      })
      .then(function (collection) {
        el.dataset.boundaries = String(collection.features.length);
        if (!collection.features.length) {
          return;
        }
        var outlines = L.geoJSON(collection, {
          style: { color: "#5b6b73", weight: 1, fill: false, className: "hotspot-boundary" },
          interactive: false,
        }).addTo(map);
        outlines.bringToBack();
        control.addOverlay(outlines, el.dataset.labelBoundaries);
      })
      .catch(function () {
        el.dataset.boundaries = "0";
      });
  }

  // Layers other apps register (e.g. community sessions): counts per
  // kelurahan only, each drawn as circles of its own colour at the centre.
  var LAYER_COLOURS = ["#6d28d9", "#b45309", "#0369a1", "#be185d"];

  function layerLabel(layer, row) {
    var parts = layer.columns.map(function (column, index) {
      return column + ": " + row.values[index];
    });
    return text(layer.label + " — " + row.name + ": " + parts.join(", "));
  }

  // Fetched after the main data, from their own endpoint: the map works the
  // same when no app registers a layer or the layers fail to load.
  function fetchLayers(control) {
    if (!el.dataset.layersUrl) {
      return;
    }
    fetch(el.dataset.layersUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : { layers: [] };
      })
      .then(function (data) {
        drawLayers(data.layers || [], control);
      })
      .catch(function () {
        el.dataset.layerCircles = "0";
      });
  }

  function drawLayers(layers, control) {
    var drawn = 0;
    layers.forEach(function (layer, index) {
      var colour = LAYER_COLOURS[index % LAYER_COLOURS.length];
      var group = L.featureGroup();
      var top = 0;
      layer.kelurahan.forEach(function (row) {
        top = Math.max(top, row.count);
      });
      layer.kelurahan.forEach(function (row) {
        if (row.lat === null || row.lon === null || row.count === 0) {
          return;
        }
        L.circleMarker([row.lat, row.lon], {
          radius: 5 + 18 * Math.sqrt(row.count / top),
          color: colour,
          weight: 2,
          dashArray: "4 3",
          fillColor: colour,
          fillOpacity: 0.15,
          className: "hotspot-layer-circle",
        })
          .bindTooltip(layerLabel(layer, row))
          .bindPopup(layerLabel(layer, row))
          .addTo(group);
        drawn += 1;
      });
      group.addTo(map);
      control.addOverlay(group, layer.label);
    });
    el.dataset.layerCircles = String(drawn);
  }

  function draw(data) {
    var circles = L.featureGroup();
    var top = 0;
    data.kelurahan.forEach(function (row) {
      top = Math.max(top, row.count);
    });
    data.kelurahan.forEach(function (row) {
      if (row.lat === null || row.lon === null || row.count === 0) {
        return;
      }
      L.circleMarker([row.lat, row.lon], {
        radius: 6 + 22 * Math.sqrt(row.count / top),
        color: "#0b5d56",
        weight: 2,
        fillColor: "#0b5d56",
        fillOpacity: 0.25,
        className: "hotspot-circle",
      })
        // A popup as well as a tooltip: a phone has no hover, only a tap.
        .bindTooltip(label(row))
        .bindPopup(label(row))
        .addTo(circles);
    });
    var layers = {
      found: L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40 }),
      reported: L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40 }),
    };
    data.points.forEach(function (point) {
      var hour = (point.hour < 10 ? "0" : "") + point.hour + ":00";
      var layer = layers[point.kind] || layers.found;
      L.marker([point.lat, point.lon], {
        icon: L.divIcon({ className: "hotspot-point " + (point.kind === "reported" ? "reported" : "found"), iconSize: [12, 12] }),
        keyboard: false,
      })
        .bindPopup(text(point.activity_label + " · " + point.date + " " + hour))
        .addTo(layer);
    });
    circles.addTo(map);
    layers.reported.addTo(map);
    layers.found.addTo(map);
    var overlays = {};
    overlays[el.dataset.labelCircles] = circles;
    overlays[el.dataset.labelReported] = layers.reported;
    overlays[el.dataset.labelFound] = layers.found;
    var control = L.control.layers(null, overlays, { collapsed: true }).addTo(map);
    drawBoundaries(control);
    fetchLayers(control);
    var bounds = circles.getBounds();
    data.points.forEach(function (point) {
      bounds = bounds.isValid() ? bounds.extend([point.lat, point.lon]) : L.latLngBounds([point.lat, point.lon], [point.lat, point.lon]);
    });
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 15 });
    }
    el.dataset.points = String(data.points.length);
    el.dataset.circles = String(circles.getLayers().length);
    el.dataset.state = "ready";
  }

  fetch(el.dataset.dataUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) {
        throw new Error(String(response.status));
      }
      return response.json();
    })
    .then(draw)
    .catch(function (error) {
      if (window.console) {
        window.console.error("hotspot map:", error);
      }
      el.dataset.state = "failed";
      say(el.dataset.labelFailed);
    });
})();
