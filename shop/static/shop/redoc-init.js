"use strict";
// Starts ReDoc on /api/redoc/ (a file, not an inline script: the site's CSP allows no inline script).
(function () {
  var container = document.getElementById("redoc-container");
  var settings = JSON.parse(container.dataset.settings || "{}");
  // The style elements ReDoc creates carry this response's CSP nonce (style-src allows no inline style).
  settings.nonce = container.dataset.nonce;
  Redoc.init(container.dataset.schemaUrl, settings, container);
})();
