// Small statistics helpers shared by the benchmark's main process and its generators.

/** Milliseconds since the epoch with sub-millisecond resolution, comparable across processes on one machine. */
export const now = () => performance.timeOrigin + performance.now();

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A latency histogram with 0.1 ms buckets up to 10 s and one overflow bucket, so generators can ship
 * millions of samples to the main process as one typed array.
 */
export class Histogram {
  static BUCKET_MS = 0.1;
  static BUCKETS = 100_000;

  constructor(counts) {
    /** @type {Uint32Array} */
    this.counts = counts ?? new Uint32Array(Histogram.BUCKETS + 1);
  }

  /** @param {number} ms */
  add(ms) {
    const i = ms <= 0 ? 0 : Math.floor(ms / Histogram.BUCKET_MS);
    this.counts[Math.min(i, Histogram.BUCKETS)]++;
  }

  /** A sample that never arrived: counts as slower than anything measured. */
  addOverflow(n = 1) {
    this.counts[Histogram.BUCKETS] += n;
  }

  /** @param {Histogram | Uint32Array} other */
  merge(other) {
    const counts = other instanceof Histogram ? other.counts : other;
    for (let i = 0; i < counts.length; i++) if (counts[i]) this.counts[i] += counts[i];
    return this;
  }

  get total() {
    let n = 0;
    for (let i = 0; i < this.counts.length; i++) n += this.counts[i];
    return n;
  }

  /** The p-quantile (0..1) in ms, the upper edge of its bucket; Infinity when it falls in the overflow. */
  quantile(p) {
    const total = this.total;
    if (total === 0) return null;
    const rank = Math.max(1, Math.ceil(p * total));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= rank) return i === Histogram.BUCKETS ? Infinity : (i + 1) * Histogram.BUCKET_MS;
    }
    return Infinity;
  }
}

/** @param {number[]} values */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Rounds for reports: integers above 100, one decimal above 10, two below; null and Infinity pass through. */
export function round(x) {
  if (x === null || x === undefined || !Number.isFinite(x)) return x ?? null;
  const a = Math.abs(x);
  if (a >= 100) return Math.round(x);
  if (a >= 10) return Math.round(x * 10) / 10;
  return Math.round(x * 100) / 100;
}

/**
 * Draws indexes from a fixed discrete distribution.
 * @param {number[]} weights
 */
export function sampler(weights) {
  const total = weights.reduce((a, b) => a + b, 0);
  const cdf = new Float64Array(weights.length);
  let acc = 0;
  for (let i = 0; i < weights.length; i++) {
    acc += weights[i] / total;
    cdf[i] = acc;
  }
  cdf[cdf.length - 1] = 1;
  return () => {
    const r = Math.random();
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < r) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/**
 * The stated vote distribution: `hotShare` of the votes on the first `hot` ideas, Zipf (s = 1)
 * within them; the rest spread evenly over the other ideas.
 */
export function voteWeights(ideas, hot, hotShare) {
  const harmonic = Array.from({ length: hot }, (_, k) => 1 / (k + 1)).reduce((a, b) => a + b, 0);
  return Array.from({ length: ideas }, (_, i) => (i < hot ? (hotShare * (1 / (i + 1))) / harmonic : (1 - hotShare) / (ideas - hot)));
}

/** A plain-text table: first column left-aligned, the others right-aligned. */
export function table(header, rows) {
  const cells = [header, ...rows].map((r) => r.map((c) => (c === null || c === undefined ? '–' : String(c))));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}
