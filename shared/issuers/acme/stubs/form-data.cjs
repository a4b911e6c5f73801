// Bundles alias form-data to this stub. axios loads it for multipart bodies; ACME speaks JSON
// (JWS) only. Saves mime-db (~130 KB) per ACME function. Using it fails loudly.
'use strict';
module.exports = class FormData {
  constructor() {
    throw new Error('form-data is not bundled in certflow: ACME requests are JSON');
  }
};
