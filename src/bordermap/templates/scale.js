(function (map) {
  // A metric scale bar in the map's language: Leaflet's own writes "m" and "km" in
  // English. It measures as Leaflet's does (across maxWidth pixels at the middle of
  // the map, rounded down to 1, 2, 3 or 5 times a power of ten) and is styled as it.
  var T = __DATA__;
  var roundDown = function (metres) {
    var power = Math.pow(10, Math.floor(Math.log(metres) / Math.LN10));
    var digit = metres / power;
    return power * (digit >= 5 ? 5 : digit >= 3 ? 3 : digit >= 2 ? 2 : 1);
  };
  var words = function (form, value) {
    return form.replace('{n}', Number(value).toLocaleString(T.locale));
  };
  // Every length the bar shows comes written out (bordermap._page_data.scale_texts).
  var text = function (metres) {
    return T.texts[String(metres)] ||
      (metres < 1000 ? words(T.m, metres) : words(T.km, metres / 1000));
  };
  var ScaleBar = L.Control.extend({
    options: {position: 'bottomleft', maxWidth: T.maxWidth},
    onAdd: function (target) {
      var container = L.DomUtil.create('div', 'leaflet-control-scale bm-scale');
      this.line = L.DomUtil.create('div', 'leaflet-control-scale-line', container);
      target.on('move resize', this.update, this);
      target.whenReady(this.update, this);
      return container;
    },
    onRemove: function (target) { target.off('move resize', this.update, this); },
    update: function () {
      var middle = map.getSize().y / 2;
      var across = map.distance(map.containerPointToLatLng([0, middle]),
                                map.containerPointToLatLng([this.options.maxWidth, middle]));
      if (!(across > 0)) { return; }
      var metres = roundDown(across);
      this.line.style.width = Math.round(this.options.maxWidth * metres / across) + 'px';
      this.line.textContent = text(metres);
    }
  });
  new ScaleBar().addTo(map);
})({map});
