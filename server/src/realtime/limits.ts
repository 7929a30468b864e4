/** A token bucket per socket: `rate` events per second with bursts up to `burst`. Checked before any work. */
export class TokenBucket {
  private tokens: number;
  private last = performance.now();
  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }

  take(): boolean {
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** Counts a socket's misbehaviour (bad payloads, floods, unknown events) in a sliding window. */
export class Strikes {
  private times: number[] = [];
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Records one strike; true when the socket has now had too many and must be disconnected. */
  add(): boolean {
    const now = Date.now();
    this.times = this.times.filter((t) => now - t < this.windowMs);
    this.times.push(now);
    return this.times.length > this.limit;
  }
}
