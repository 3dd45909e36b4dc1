/* bordermap: inflates the page's packed part (bordermap._packing) and puts it back: styles
   first in <head>, data blocks and panels in <main>, then runs its scripts in order. */
(function () {
  'use strict';
  var packed = document.getElementById('bm-packed');
  var main = document.querySelector('main.bm-main') || document.body;
  // Without the browser's inflater (before 2023) the map cannot be drawn: the page's
  // description, kept for screen readers, is shown instead.
  var unable = function () {
    var description = document.getElementById('bm-description');
    if (description) { description.className = 'bm-unpack-failed'; }
  };
  if (typeof DecompressionStream !== 'function') { unable(); return; }
  var bytes;
  try {
    if (typeof Uint8Array.fromBase64 === 'function') {
      bytes = Uint8Array.fromBase64(packed.textContent);
    } else {
      var text = atob(packed.textContent);
      bytes = new Uint8Array(text.length);
      for (var i = 0; i < text.length; i += 1) { bytes[i] = text.charCodeAt(i); }
    }
  } catch (error) { unable(); return; }  // not base64: the file was damaged
  // Written straight into the inflater and read back chunk by chunk: all of it in
  // promise callbacks that run before the browser does anything else. (A Blob's
  // stream is read through the browser's blob store, and Response.text() waits for a
  // task: either lets a frame pass, or more under load, before the map is drawn.)
  var inflater = new DecompressionStream('deflate');
  var writer = inflater.writable.getWriter();
  writer.write(bytes).catch(unable);
  writer.close().catch(unable);
  var reader = inflater.readable.getReader();
  var decoder = new TextDecoder();
  var parts = [];
  var inflated = function () {
    return reader.read().then(function (chunk) {
      if (chunk.done) { return parts.join('') + decoder.decode(); }
      parts.push(decoder.decode(chunk.value, {stream: true}));
      return inflated();
    });
  };
  inflated().then(function (markup) {
    // Parsed inert, in a template: nothing in it runs or loads while it is moved.
    var holder = document.createElement('template');
    holder.innerHTML = markup;
    var scripts = [];
    var first = document.head.firstChild;
    Array.prototype.slice.call(holder.content.childNodes).forEach(function (node) {
      if (node.nodeName === 'STYLE') {
        document.head.insertBefore(node, first);
      } else if (node.nodeName === 'SCRIPT' && !node.type) {
        scripts.push(node.textContent);
      } else if (node.nodeType === 1) {
        main.appendChild(node);
      }
    });
    scripts.forEach(function (code) {
      var script = document.createElement('script');
      script.text = code;
      document.body.appendChild(script);  // runs now, before the next one is added
    });
  }).catch(unable);
})();
