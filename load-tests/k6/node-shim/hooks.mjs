// Module hooks for the Node shim: `k6` and `k6/<module>` resolve to the shim's own modules.
const SHIMS = new Set(['k6', 'k6/ws', 'k6/http', 'k6/metrics', 'k6/data', 'k6/execution']);

/**
 * @param {string} specifier
 * @param {unknown} context
 * @param {(s: string, c: unknown) => unknown} next
 */
export async function resolve(specifier, context, next) {
  if (SHIMS.has(specifier)) {
    const name = specifier === 'k6' ? 'k6' : specifier.slice(3);
    return { url: new URL(`./${name}.mjs`, import.meta.url).href, shortCircuit: true };
  }
  return next(specifier, context);
}
