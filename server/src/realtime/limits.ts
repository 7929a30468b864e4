/**
 * What one token bucket holds: the tokens left and when it last took one. Plain numbers in a
 * socket's (or user's) own state; the rate and burst live once, in the {@link TokenBucket} that
 * checks it.
 */
export interface BucketState {
  tokens: number;
  last: number;
}

/** A token bucket rule: `rate` events per second with bursts up to `burst`. Checked before any work. */
export class TokenBucket {
  constructor(
    private readonly rate: number,
    /** Also what a new bucket holds. */
    readonly burst: number,
  ) {}

  take(state: BucketState): boolean {
    const now = performance.now();
    state.tokens = Math.min(this.burst, state.tokens + ((now - state.last) / 1000) * this.rate);
    state.last = now;
    if (state.tokens < 1) return false;
    state.tokens -= 1;
    return true;
  }
}

/**
 * Counts a socket's misbehaviour (bad payloads, floods, unknown events) in a sliding window. The
 * times are the socket's own list, which it needs only from its first strike on.
 */
export class Strikes {
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Records one strike in `times`; true when the socket has now had too many and must be disconnected. */
  add(times: number[]): boolean {
    const now = Date.now();
    let kept = 0;
    for (const t of times) if (now - t < this.windowMs) times[kept++] = t;
    times.length = kept;
    times.push(now);
    return times.length > this.limit;
  }
}
