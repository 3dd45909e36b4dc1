(function (map) {
  var notice = L.control({position: 'bottomleft'});
  notice.onAdd = function () {
    var div = L.DomUtil.create('div', 'leaflet-control bm-tile-notice');
    div.setAttribute('role', 'status');
    // Small screens show the short form; screen readers always hear the whole notice.
    var full = L.DomUtil.create('span', 'bm-notice-full', div);
    full.textContent = __TEXT__;
    var short = L.DomUtil.create('span', 'bm-notice-short', div);
    short.setAttribute('aria-hidden', 'true');
    short.textContent = __SHORT__;
    div.hidden = true;
    return div;
  };
  notice.addTo(map);
  var element = notice.getContainer();
  var setHidden = function (hidden) {
    if (element.hidden === hidden) { return; }
    element.hidden = hidden;
    // A panel came or went: the labels make way for it.
    if (window.bordermap && window.bordermap.place) { window.bordermap.place(); }
  };
  var watch = function (layer) {
    if (!(layer instanceof L.TileLayer) || layer._bmWatched) { return; }
    layer._bmWatched = true;
    var loaded = 0, failed = 0;
    layer.on('tileload', function () { loaded += 1; setHidden(true); });
    layer.on('tileerror', function () {
      failed += 1;
      if (map.hasLayer(layer) && loaded === 0) { setHidden(false); }
    });
  };
  map.eachLayer(watch);
  map.on('layeradd', function (event) { watch(event.layer); });
  map.on('baselayerchange', function () { setHidden(true); });
})({map});
