/* bordermap: the page's layout pass. Panels give way on small screens, the first view
   frames the story in the room the panels leave, and every label is placed in priority
   order at the first of its places that touches no placed label, no panel, no bridge,
   no marker and not the frame's edge; a label that fits nowhere is hidden (its feature
   stays drawn). The same page at the same size always shows the same labels. */
(function (map, options) {
  'use strict';
  var registry = window.bordermap;
  var container = map.getContainer();
  var specs = (registry.labels || []).slice().sort(function (a, b) {
    return a.priority - b.priority || a.order - b.order;
  });
  var PAD = 2;  // pixels kept clear around every label (its halo)
  var FRAME = 4;  // and from the frame's edge

  // -- Sizes: a label's size depends only on its classes and text; measured once each.
  var measurer = document.createElement('div');
  measurer.setAttribute('aria-hidden', 'true');
  measurer.style.cssText = 'position:absolute;left:0;top:0;visibility:hidden;pointer-events:none';
  map.getPane('tooltipPane').appendChild(measurer);
  var sizes = new Map();
  var measure = function (className, html, inner) {
    var key = className + '\u0000' + html;
    if (!sizes.has(key)) {
      measurer.className = className;
      // An area's name is centred by the span inside its marker: measure that.
      measurer.innerHTML = inner ? '<span>' + html + '</span>' : html;
      var target = inner ? measurer.firstElementChild : measurer;
      sizes.set(key, [target.offsetWidth, target.offsetHeight]);
      measurer.innerHTML = '';
    }
    return sizes.get(key);
  };

  // -- Where a label's box lies, in container pixels from its place, for each side of it.
  var SIDES = {
    right: function (w, h, g) { return [g, -h / 2]; },
    left: function (w, h, g) { return [-g - w, -h / 2]; },
    top: function (w, h, g) { return [-w / 2, -g - h]; },
    bottom: function (w, h, g) { return [-w / 2, g]; },
    topright: function (w, h, g) { return [g, -g - h]; },
    topleft: function (w, h, g) { return [-g - w, -g - h]; },
    bottomright: function (w, h, g) { return [g, g]; },
    bottomleft: function (w, h, g) { return [-g - w, g]; },
    center: function (w, h) { return [-w / 2, -h / 2]; }
  };
  var overlaps = function (a, b) {
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  };
  var contains = function (box, x, y) {
    return x > box.left && x < box.right && y > box.top && y < box.bottom;
  };
  var shown = function (element) {
    return !!element && element.offsetWidth > 0 && element.offsetHeight > 0 &&
      window.getComputedStyle(element).visibility !== 'hidden';
  };
  var panelBoxes = function () {
    var origin = container.getBoundingClientRect();
    return [].slice.call(container.querySelectorAll('.leaflet-control')).filter(shown)
      .map(function (element) {
        var r = element.getBoundingClientRect();
        return {left: r.left - origin.left, top: r.top - origin.top,
                right: r.right - origin.left, bottom: r.bottom - origin.top};
      });
  };

  // -- Where a place is on the screen: at the map's view, or at another zoom about the same
  // centre (as Leaflet would put it after setZoom), so that a zoom can be tried undrawn.
  var atView = function (latlng) { return map.latLngToContainerPoint(latlng); };
  var atZoom = function (zoom, center) {
    var origin = map.project(center, zoom).subtract(map.getSize().divideBy(2)).round();
    return function (latlng) { return map.project(L.latLng(latlng), zoom).round().subtract(origin); };
  };

  // -- What no label may cover: the bridges (sampled every few pixels) and the markers.
  var guarded = function (toPoint) {
    var points = [], boxes = [];
    Object.keys(registry.features).forEach(function (id) {
      var entry = registry.features[id];
      var layer = entry && entry.layer;
      if (!layer || !map.hasLayer(layer)) { return; }
      if (layer instanceof L.Marker) {
        var p = toPoint(layer.getLatLng());
        boxes.push({left: p.x - 8, top: p.y - 8, right: p.x + 8, bottom: p.y + 8});
      } else if (entry.guard && layer.getLatLngs) {
        var line = layer.getLatLngs().map(function (ll) { return toPoint(ll); });
        for (var i = 1; i < line.length; i += 1) {
          var a = line[i - 1], b = line[i];
          var steps = Math.max(1, Math.ceil(a.distanceTo(b) / 4));
          for (var s = 0; s <= steps; s += 1) {
            points.push([a.x + (b.x - a.x) * s / steps, a.y + (b.y - a.y) * s / steps]);
          }
        }
      }
    });
    return {points: points, boxes: boxes};
  };

  var formsOf = function (spec) {
    var entry = registry.features[spec.id];
    var byStatus = registry.labelForms && registry.labelForms[spec.id];
    return (entry && entry.status && byStatus && byStatus[entry.status]) || spec.forms;
  };
  var active = function (spec) {
    var layer = spec.tooltip || spec.marker;
    return !!(spec.group && map.hasLayer(spec.group) && layer && spec.group.hasLayer(layer));
  };
  var elementOf = function (spec) {
    return spec.tooltip ? spec.tooltip.getElement() : spec.marker.getElement();
  };
  var classOf = function (spec) {
    return spec.tooltip ? 'leaflet-tooltip bm-label bm-label-' + spec.kind : spec.className;
  };

  var show = function (spec, html, at, corner, wh) {
    var latlng = L.latLng(at[0], at[1]);
    if (spec.tooltip) {
      // Centred on its place, then moved by the offset: the box lands where SIDES says.
      spec.tooltip.options.direction = 'center';
      spec.tooltip.options.offset = [corner[0] + wh[0] / 2, corner[1] + wh[1] / 2];
      if (spec.html !== html) { spec.tooltip.setContent(html); }
      spec.tooltip.setLatLng(latlng);
    } else {
      if (spec.html !== html) { spec.marker.getElement().innerHTML = '<span>' + html + '</span>'; }
      spec.marker.setLatLng(latlng);
    }
    spec.html = html;
  };

  // Where each active label goes (its text form, place and box), or null where none fits.
  var layout = function (toPoint) {
    var size = map.getSize();
    var frame = {left: FRAME, top: FRAME, right: size.x - FRAME, bottom: size.y - FRAME};
    var taken = panelBoxes();
    var guard = guarded(toPoint);
    taken = taken.concat(guard.boxes);
    var decisions = [];
    specs.forEach(function (spec) {
      if (!active(spec)) { return; }
      var element = elementOf(spec);
      if (!element) { return; }
      var forms = formsOf(spec);
      var found = null;
      for (var f = 0; f < forms.length && !found; f += 1) {
        var wh = measure(classOf(spec), forms[f], !spec.tooltip);
        for (var c = 0; c < spec.candidates.length && !found; c += 1) {
          var candidate = spec.candidates[c];
          var p = toPoint([candidate[0], candidate[1]]);
          var corner = SIDES[candidate[2]](wh[0], wh[1], candidate[3]);
          var box = {left: p.x + corner[0] - PAD, top: p.y + corner[1] - PAD,
                     right: p.x + corner[0] + wh[0] + PAD, bottom: p.y + corner[1] + wh[1] + PAD};
          if (box.left < frame.left || box.top < frame.top || box.right > frame.right ||
              box.bottom > frame.bottom) { continue; }
          if (taken.some(function (other) { return overlaps(box, other); })) { continue; }
          if (guard.points.some(function (q) { return contains(box, q[0], q[1]); })) { continue; }
          found = {html: forms[f], candidate: candidate, box: box, corner: corner, wh: wh};
        }
      }
      if (found) { taken.push(found.box); }
      decisions.push({spec: spec, element: element, found: found});
    });
    return decisions;
  };

  var place = function () {
    var started = window.performance.now();
    layout(atView).forEach(function (decision) {
      var found = decision.found;
      if (found) { show(decision.spec, found.html, found.candidate, found.corner, found.wh); }
      decision.element.classList.toggle('bm-unplaced', !found);
    });
    registry.placementMs = window.performance.now() - started;
  };

  // -- Panels that give way: below options.compactWidth the title keeps its title and date,
  // and the legend, timeline, inset and credits become buttons that open over the map.
  var zoom = L.control.zoom({position: 'topleft'}).addTo(map);
  var compact = null;
  var setCompact = function () {
    var now = map.getSize().x < options.compactWidth;
    if (now === compact) { return; }
    compact = now;
    container.classList.toggle('bm-compact', now);
    container.classList.remove('bm-credits-open');
    container.querySelectorAll('details[data-bm-collapse]').forEach(function (details) {
      details.open = !now;
    });
    zoom.setPosition(now ? 'topright' : 'topleft');
    if (map.attributionControl) { map.attributionControl.setPrefix(now ? false : options.prefix); }
  };
  var credits = L.control({position: 'bottomright'});
  credits.onAdd = function () {
    var button = L.DomUtil.create('button', 'leaflet-control bm-credits-toggle');
    button.type = 'button';
    button.textContent = '\u24d8';
    button.setAttribute('aria-label', options.words.attribution);
    button.setAttribute('title', options.words.attribution);
    button.setAttribute('aria-expanded', 'false');
    L.DomEvent.disableClickPropagation(button);
    L.DomEvent.on(button, 'click', function () {
      var open = !container.classList.contains('bm-credits-open');
      container.classList.toggle('bm-credits-open', open);
      button.setAttribute('aria-expanded', String(open));
      place();
    });
    return button;
  };
  credits.addTo(map);
  // Leaflet stacks a bottom corner's controls newest on top: keep the button beside the credits.
  var attribution = map.attributionControl && map.attributionControl.getContainer();
  if (attribution) { attribution.parentNode.insertBefore(credits.getContainer(), attribution); }

  // -- The first view: the story's bounds in the largest rectangle the panels leave free.
  var largestFree = function (size, boxes) {
    var xs = [0, size.x], ys = [0, size.y];
    boxes.forEach(function (b) {
      xs.push(Math.max(0, Math.min(size.x, b.left)), Math.max(0, Math.min(size.x, b.right)));
      ys.push(Math.max(0, Math.min(size.y, b.top)), Math.max(0, Math.min(size.y, b.bottom)));
    });
    // Each edge once: a repeated one only repeats boxes (tried in the same order).
    var distinct = function (values) {
      return values.sort(function (a, b) { return a - b; }).filter(function (v, i, all) {
        return i === 0 || v !== all[i - 1];
      });
    };
    xs = distinct(xs);
    ys = distinct(ys);
    var best = {left: 0, top: 0, right: size.x, bottom: size.y}, area = -1;
    for (var i = 0; i < xs.length; i += 1) {
      for (var j = i + 1; j < xs.length; j += 1) {
        for (var k = 0; k < ys.length; k += 1) {
          for (var m = k + 1; m < ys.length; m += 1) {
            var box = {left: xs[i], right: xs[j], top: ys[k], bottom: ys[m]};
            var room = (box.right - box.left) * (box.bottom - box.top);
            if (room <= area || boxes.some(function (b) { return overlaps(box, b); })) {
              continue;
            }
            best = box; area = room;
          }
        }
      }
    }
    return best;
  };
  // Where fitBounds would put the story (centre and zoom), worked out as Leaflet does it
  // but without moving the map: the map is drawn once, at the first view's zoom.
  var storyView = function () {
    var size = map.getSize();
    // The basemap notice may appear once tiles fail: leave it room from the start.
    var notices = [].slice.call(container.querySelectorAll('.bm-tile-notice[hidden]'));
    notices.forEach(function (notice) { notice.hidden = false; });
    var boxes = panelBoxes();
    notices.forEach(function (notice) { notice.hidden = true; });
    var free = largestFree(size, boxes);
    var margin = Math.min(options.margin, (free.right - free.left) * 0.15,
                          (free.bottom - free.top) * 0.15);
    var topLeft = L.point(free.left + margin, free.top + margin);
    var bottomRight = L.point(size.x - free.right + margin, size.y - free.bottom + margin);
    var bounds = L.latLngBounds(options.story);
    var zoom = Math.min(options.maxZoom,
                        map.getBoundsZoom(bounds, false, topLeft.add(bottomRight)));
    var middle = map.project(bounds.getSouthWest(), zoom)
      .add(map.project(bounds.getNorthEast(), zoom)).divideBy(2)
      .add(bottomRight.subtract(topLeft).divideBy(2));
    return {center: map.unproject(middle, zoom), zoom: zoom};
  };

  // The first view must show the labels that tell the story (the bridges first, then the
  // tripoint and the countries): where one does not fit, it zooms out a step at a time, a
  // few steps at most, and keeps the first zoom that shows the most of them.
  // A bridge's label counts for more than all the other essential ones together.
  var weightOf = function (spec) {
    if (options.essential.indexOf(spec.kind) < 0) { return 0; }
    return options.bridges.indexOf(spec.kind) < 0 ? 1 : 100;
  };
  var storyScore = function (decisions) {
    return decisions.reduce(function (score, decision) {
      return score + (decision.found ? weightOf(decision.spec) : 0);
    }, 0);
  };
  var firstView = function () {
    // The story's view and the zooms out are tried undrawn (the labels laid out, not
    // moved; the map not redrawn), and the map is drawn once, at the zoom chosen.
    var view = storyView();
    var zoom = view.zoom;
    var best = {score: storyScore(layout(atZoom(zoom, view.center))), zoom: zoom};
    var most = specs.reduce(function (total, spec) {
      return total + (active(spec) ? weightOf(spec) : 0);
    }, 0);
    for (var step = 0; step < options.zoomOutSteps && best.score < most; step += 1) {
      zoom = Math.max(map.getMinZoom(), zoom - map.options.zoomSnap);
      var score = storyScore(layout(atZoom(zoom, view.center)));
      if (score > best.score) { best = {score: score, zoom: zoom}; }
    }
    map.setView(view.center, best.zoom, {reset: true});
    place();
  };

  registry.place = place;
  registry.firstView = firstView;
  setCompact();
  firstView();
  map.on('zoomend moveend overlayadd overlayremove baselayerchange', place);
  map.on('resize', function () { setCompact(); place(); });
  // On a small screen one panel is open at a time, over the map; Escape closes it.
  var folding = [].slice.call(container.querySelectorAll('details[data-bm-collapse]'));
  container.addEventListener('toggle', function (event) {
    if (compact && event.target.open && folding.indexOf(event.target) >= 0) {
      folding.forEach(function (details) {
        if (details !== event.target) { details.open = false; }
      });
    }
    // While a panel is open over the map, the bridges' key makes room for it.
    container.classList.toggle('bm-panel-open', folding.some(function (details) {
      return details.open;
    }));
    place();  // a panel opened or closed
  }, true);
  container.addEventListener('keydown', function (event) {
    if (!compact || event.key !== 'Escape') { return; }
    var open = folding.filter(function (details) { return details.open; });
    open.forEach(function (details) {
      details.open = false;
      var summary = details.querySelector('summary');
      if (summary && details.contains(document.activeElement)) { summary.focus(); }
    });
  });
})(__MAP__, __DATA__);
