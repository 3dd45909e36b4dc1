/* bordermap: draws the page's layers from their JSON data blocks. Defined once for every
   layer (each layer's own script is one call), so the page carries the code once. */
(function () {
  'use strict';
  var registry = window.bordermap = window.bordermap ||
    {features: Object.create(null), layers: Object.create(null)};
  registry.labels = registry.labels || [];
  var read = function (id) { return JSON.parse(document.getElementById(id).textContent); };
  var entry = function (id) {
    return (registry.features[id] = registry.features[id] || {});
  };

  // -- Positions come packed (bordermap._elements.pack_geometry): each number a step from
  // the one before, in millionths of a degree, written as base64url digits of five bits
  // (the sixth bit says another digit follows), the sign in the lowest bit.
  var DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  var VALUE = new Int8Array(128);
  for (var d = 0; d < DIGITS.length; d += 1) { VALUE[DIGITS.charCodeAt(d)] = d; }
  var line = function (text, scale) {
    var out = [], x = 0, y = 0, half = null, value = 0, shift = 1;
    for (var i = 0; i < text.length; i += 1) {
      var digit = VALUE[text.charCodeAt(i)];
      value += (digit & 31) * shift;  // a multiplication: steps may pass 2^31
      shift *= 32;
      if (digit & 32) { continue; }
      var step = value % 2 ? -(value + 1) / 2 : value / 2;
      if (half === null) { half = step; } else {
        x += half; y += step;
        out.push([x / scale, y / scale]);
        half = null;
      }
      value = 0; shift = 1;
    }
    return out;
  };
  var geometry = function (packed, scale) {
    var lines = function (parts) { return parts.map(function (p) { return line(p, scale); }); };
    var type = packed.type, parts = packed.parts, coordinates;
    if (type === 'Point') { coordinates = line(parts[0], scale)[0]; }
    else if (type === 'LineString' || type === 'MultiPoint') { coordinates = line(parts[0], scale); }
    else if (type === 'MultiPolygon') { coordinates = parts.map(lines); }
    else { coordinates = lines(parts); }  // MultiLineString, Polygon
    return {type: type, coordinates: coordinates};
  };
  var collection = function (data, properties) {
    return {type: 'FeatureCollection', features: data.features.map(function (f) {
      return {type: 'Feature', id: f.id, properties: properties(f),
              geometry: geometry(f.geometry, data.scale)};
    })};
  };
  var isLine = function (feature) { return feature.geometry.type !== 'Point'; };
  var credited = function (group, attribution) {
    group.getAttribution = function () { return attribution; };
    return group;
  };

  // -- One layer of features: casing, styled features, popups, tooltips and labels.
  var features = function (id) {
    var data = read(id);
    var own = new Map();
    data.features.forEach(function (f) { own.set(f.id, f); });
    var geojson = collection(data, function (f) { return {kind: f.kind}; });
    var group = credited(L.featureGroup([], {attribution: data.attribution}), data.attribution);
    registry.layers[data.name] = group;
    var casing = L.geoJSON(geojson, {
      interactive: false,
      filter: function (feature) { return isLine(feature) && own.get(feature.id).casing; },
      style: function (feature) { return own.get(feature.id).casing; }
    });
    var drawn = L.geoJSON(geojson, {
      style: function (feature) { return own.get(feature.id).style; },
      pointToLayer: function (feature, latlng) {
        var mine = own.get(feature.id);
        return L.marker(latlng, {
          icon: L.divIcon({html: mine.marker, className: 'bm-marker bm-' + mine.kind,
                           iconSize: [18, 18], iconAnchor: [9, 9], popupAnchor: [0, -9]}),
          alt: mine.name, title: mine.name, keyboard: true, riseOnHover: true
        });
      },
      onEachFeature: function (feature, layer) {
        var mine = own.get(feature.id);
        layer.bindPopup(mine.popup, {maxWidth: 360, minWidth: 220, maxHeight: 360,
                                     autoPanPadding: [20, 20], className: 'bm-popup'});
        layer.bindTooltip(mine.tooltip, {sticky: isLine(feature), direction: 'top',
                                         className: 'bm-tooltip'});
        layer.on('popupopen', function () { layer.closeTooltip(); });
        layer.on('add', function () {
          var element = layer.getElement ? layer.getElement() : null;
          if (element) {
            element.setAttribute('data-feature-id', feature.id);
            element.setAttribute('data-layer', data.name);
            if (!isLine(feature)) { element.setAttribute('aria-label', mine.name); }
          }
        });
      }
    });
    casing.eachLayer(function (layer) {
      var mine = entry(layer.feature.id);
      mine.casing = layer;
      mine.casingParent = casing;
    });
    drawn.eachLayer(function (layer) {
      var mine = entry(layer.feature.id);
      mine.layer = layer;
      mine.parent = drawn;
      mine.guard = own.get(layer.feature.id).guard;  // no label may cover it
    });
    group.addLayer(casing);
    group.addLayer(drawn);
    data.labels.forEach(function (label) {
      // Placed (side, offset, text form) by the page's layout pass, in priority order.
      var tooltip = L.tooltip({permanent: true, interactive: false, direction: 'center',
                               className: 'bm-label bm-label-' + label.kind})
        .setLatLng(label.candidates[0].slice(0, 2)).setContent(label.forms[0]);
      var mine = entry(label.id);
      mine.label = tooltip;
      mine.labelParent = group;
      group.addLayer(tooltip);
      label.tooltip = tooltip;
      label.group = group;
      registry.labels.push(label);
    });
    return group;
  };

  // -- Polygons in one style, not interactive (e.g. where a feature may lie).
  var areas = function (id) {
    var data = read(id);
    var layer = L.geoJSON(collection(data, function (f) { return {of: f.of}; }), {
      interactive: false,
      style: function () { return data.style; }
    });
    layer.eachLayer(function (area) {
      var mine = entry(area.feature.properties.of);
      mine.area = area;
      mine.areaParent = layer;
    });
    return layer;
  };

  // -- Land, sea, the countries and their names, in a pane beneath the tiles.
  var base = function (map, id) {
    var data = read(id);
    if (!map.getPane('bmBase')) { map.createPane('bmBase').style.zIndex = 150; }
    var group = credited(L.featureGroup([], {attribution: data.attribution}), data.attribution);
    var styles = new Map();
    data.features.forEach(function (f) { styles.set(f.id, f.style); });
    registry.base = collection(data, function () { return {}; });
    L.geoJSON(registry.base, {pane: 'bmBase', interactive: false,
      style: function (feature) { return styles.get(feature.id); }
    }).addTo(group);
    data.names.forEach(function (name) {
      // Leaflet stacks a marker by its height on the screen; the fills' SVG sits at 200,
      // so without the offset a name in the top 200 pixels was drawn beneath its country.
      name.marker = L.marker(name.candidates[0].slice(0, 2), {pane: 'bmBase',
        interactive: false, keyboard: false, zIndexOffset: 10000,
        icon: L.divIcon({className: name.className, html: '<span>' + name.forms[0] + '</span>',
                         iconSize: null})
      }).addTo(group);
      name.group = group;
      registry.labels.push(name);  // placed with the other labels, in priority order
    });
    return group;
  };

  // -- A panel (a Leaflet control) made from its <template> element.
  var panel = function (map, id, position, className) {
    var control = L.control({position: position});
    control.onAdd = function () {
      var div = L.DomUtil.create('div', className);
      div.appendChild(document.getElementById(id).content.cloneNode(true));
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    return control.addTo(map);
  };

  registry.draw = {features: features, areas: areas, base: base, panel: panel};
})();
