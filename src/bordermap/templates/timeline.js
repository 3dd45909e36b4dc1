(function (map) {
  var T = __DATA__;
  var registry = window.bordermap = window.bordermap ||
    {features: Object.create(null), layers: Object.create(null)};
  registry.labelForms = T.labels;  // each label's text forms, by status
  var input = document.getElementById('bm-when');
  var output = document.getElementById('bm-when-text');
  var current = T.states.length - 1;
  var day = function (text) {
    var parts = String(text).split('-');
    return parts[0] + '-' + (parts[1] || '01') + '-' + (parts[2] || '01');
  };
  var layerOn = function (name) {
    var group = registry.layers[name];
    return !!(group && map.hasLayer(group));
  };
  var show = function (parent, child, visible) {
    if (!parent || !child) { return; }
    if (visible && !parent.hasLayer(child)) { parent.addLayer(child); }
    if (!visible && parent.hasLayer(child)) { parent.removeLayer(child); }
  };
  var markLater = function (root) {
    var limit = day(T.dates[current]);
    root.querySelectorAll('li[data-date]').forEach(function (item) {
      item.classList.toggle('bm-later', day(item.getAttribute('data-date')) > limit);
    });
  };
  var apply = function (index) {
    current = index;
    var state = T.states[index];
    var used = Object.create(null);
    Object.keys(state).forEach(function (id) {
      var entry = registry.features[id];
      var status = state[id];
      var visible = status !== null;
      if (!entry) { return; }
      // Re-added layers go on top: keep areas beneath, casings under their lines.
      show(entry.areaParent, entry.area, visible);
      if (visible && entry.area && entry.area.bringToBack) { entry.area.bringToBack(); }
      show(entry.casingParent, entry.casing, visible);
      show(entry.parent, entry.layer, visible);
      if (visible && entry.layer && entry.layer.bringToFront) { entry.layer.bringToFront(); }
      show(entry.labelParent, entry.label, visible);
      if (!visible) { return; }
      entry.status = status;  // the layout pass labels it as it was
      var key = T.kinds[id] + '|' + status;
      if (entry.layer && entry.layer.setStyle && T.styles[key]) {
        entry.layer.setStyle(T.styles[key]);
      }
      if (layerOn(T.layerOf[id])) { used[key] = true; }
    });
    document.querySelectorAll('.bm-legend-entry[data-style], .bm-key-entry[data-style]')
      .forEach(function (item) {
      item.hidden = !used[item.getAttribute('data-style')];
    });
    document.querySelectorAll('.bm-as-of-date').forEach(function (element) {
      element.textContent = T.dateText[index];
    });
    if (output) { output.textContent = T.dateText[index]; }
    if (input) { input.setAttribute('aria-valuetext', T.dateText[index]); }
    document.querySelectorAll('.bm-timeline-events').forEach(markLater);
    map.eachLayer(function (layer) {
      if (layer.isPopupOpen && layer.isPopupOpen()) { refreshPopup(layer.getPopup()); }
    });
    if (registry.place) { registry.place(); }
  };
  var refreshPopup = function (popup) {
    var element = popup.getElement();
    if (!element) { return; }
    element.querySelectorAll('.bm-status').forEach(function (span) {
      var status = T.states[current][span.getAttribute('data-feature-id')];
      if (status) { span.textContent = T.statusText[status] || status; }
    });
    markLater(element);
  };
  if (input) { input.addEventListener('input', function () { apply(Number(input.value)); }); }
  map.on('overlayadd overlayremove', function () { apply(current); });
  map.on('popupopen', function (event) { refreshPopup(event.popup); });
  apply(current);
})({map});
