/**
 * One copy per VU (k6 shares one read-only copy across VUs; the contents are the same). Called with
 * `new`, a function that returns an object yields that object.
 * @param {string} _name
 * @param {() => unknown[]} fill
 */
export function SharedArray(_name, fill) {
  return fill();
}
