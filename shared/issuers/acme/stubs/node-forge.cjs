// Bundles alias node-forge to this stub. acme-client loads node-forge only for its legacy
// `acme.forge` helpers, which certflow never calls (keys and CSRs come from node:crypto and
// @peculiar/x509). Saves ~290 KB per ACME function. Anything that does reach it fails loudly.
'use strict';
function unavailable() {
  throw new Error('node-forge is not bundled in certflow: use node:crypto / @peculiar/x509');
}
module.exports = { pki: { rsa: { generateKeyPair: unavailable } }, pem: { decode: unavailable } };
