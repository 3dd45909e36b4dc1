(function (map) {
  var rect = document.querySelector('.bm-inset-extent');
  if (!rect) { return; }
  var num = function (name) { return parseFloat(rect.getAttribute('data-' + name)); };
  var least = num('least'), x0 = num('x0'), y0 = num('y0'), unit = num('unit');
  var update = function () {
    var bounds = map.getBounds();
    var sw = L.CRS.EPSG3857.project(bounds.getSouthWest());
    var ne = L.CRS.EPSG3857.project(bounds.getNorthEast());
    var w = Math.max((ne.x - sw.x) / unit, least), h = Math.max((ne.y - sw.y) / unit, least);
    var cx = ((sw.x + ne.x) / 2 - x0) / unit, cy = (y0 - (sw.y + ne.y) / 2) / unit;
    rect.setAttribute('x', cx - w / 2); rect.setAttribute('y', cy - h / 2);
    rect.setAttribute('width', w); rect.setAttribute('height', h);
  };
  map.on('moveend', update);
  update();
})({map});
