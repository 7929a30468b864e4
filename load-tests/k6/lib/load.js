// Helpers shared by the k6 scripts: settings from the environment, the vote distribution, base
// URLs. Plain JavaScript with no k6 or Node imports (the Node tests import it too).

/**
 * A number from the environment, or the default; a bad value is an error, not a silent default.
 * @param {Record<string, string | undefined>} env
 * @param {string} name
 * @param {number} fallback
 * @returns {number}
 */
export function envNumber(env, name, fallback) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number (got "${raw}")`);
  return n;
}

/**
 * A comma-separated list from the environment, or the default.
 * @param {Record<string, string | undefined>} env
 * @param {string} name
 * @param {string[]} fallback
 * @returns {string[]}
 */
export function envList(env, name, fallback) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * The vote distribution of DESIGN.md: `hotShare` of the votes go to the first `hot` ideas with
 * Zipf-like weights (1/rank^s), the rest spread evenly over the others. Returns a function from a
 * uniform random number in [0, 1) to an index.
 * @param {number} ideas
 * @param {{ hot?: number, hotShare?: number, s?: number }} [opts]
 * @returns {(u: number) => number}
 */
export function hotSetPicker(ideas, opts) {
  const o = opts || {};
  const hot = Math.min(o.hot === undefined ? 20 : o.hot, ideas);
  const hotShare = hot === ideas ? 1 : o.hotShare === undefined ? 0.9 : o.hotShare;
  const s = o.s === undefined ? 1 : o.s;
  /** @type {number[]} */
  const cumulative = [];
  let total = 0;
  for (let i = 0; i < hot; i++) {
    total += 1 / Math.pow(i + 1, s);
    cumulative.push(total);
  }
  return (u) => {
    if (u < hotShare) {
      const target = (u / hotShare) * total;
      let lo = 0;
      let hi = hot - 1;
      while (lo < hi) {
        const mid = Math.floor((lo + hi) / 2);
        if (/** @type {number} */ (cumulative[mid]) < target) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    }
    const cold = ideas - hot;
    return hot + Math.min(cold - 1, Math.floor(((u - hotShare) / (1 - hotShare)) * cold));
  };
}

/**
 * An exponentially distributed wait (Poisson arrivals) in milliseconds for a rate per second.
 * @param {number} perSecond
 * @param {number} u uniform in [0, 1)
 * @returns {number}
 */
export function poissonGapMs(perSecond, u) {
  return (-Math.log(1 - u) / perSecond) * 1000;
}

/**
 * The base URL a virtual user talks to (round robin over the nodes), and the "other" node.
 * @param {string[]} baseUrls
 * @param {number} vu 1-based VU id
 * @returns {{ home: string, other: string }}
 */
export function nodesFor(baseUrls, vu) {
  const n = baseUrls.length;
  return { home: /** @type {string} */ (baseUrls[(vu - 1) % n]), other: /** @type {string} */ (baseUrls[vu % n]) };
}

/**
 * The load data's small fields: everything but the user list and the long tail's ids.
 * @param {{ baseUrls: string[], community: string, hotBoardId: string, tailBoardId: string, ideaIds: string[] }} data
 */
export function loadMeta(data) {
  return {
    baseUrls: data.baseUrls,
    community: data.community,
    hotBoardId: data.hotBoardId,
    tailBoardId: data.tailBoardId,
    ideaIds: data.ideaIds,
  };
}

/**
 * Bearer auth headers for k6/http.
 * @param {string} token
 * @returns {Record<string, string>}
 */
export function bearer(token) {
  return { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
}
