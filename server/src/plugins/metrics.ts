import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { unauthenticated } from '../errors.js';

/** The node's Prometheus metrics, one registry per app (so tests with several nodes do not collide). */
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({ name: 'cocreate_http_requests_total', help: 'HTTP requests by status class', labelNames: ['status'], registers: [this.registry] });
  readonly rankFrames = new Counter({ name: 'cocreate_rank_frames_total', help: 'board:ranks frames emitted (one per window or per socket)', registers: [this.registry] });
  readonly rankDeliveries = new Counter({ name: 'cocreate_rank_deliveries_total', help: 'board:ranks frames written to sockets', registers: [this.registry] });
  readonly votes = new Counter({ name: 'cocreate_votes_total', help: 'vote changes committed on this node', labelNames: ['via'], registers: [this.registry] });
  readonly slowConsumerDrops = new Counter({ name: 'cocreate_slow_consumer_drops_total', help: 'state frames held back for slow sockets', registers: [this.registry] });
  readonly slowConsumerDisconnects = new Counter({ name: 'cocreate_slow_consumer_disconnects_total', help: 'sockets disconnected for staying behind', registers: [this.registry] });
  readonly fanoutLag = new Histogram({
    name: 'cocreate_fanout_lag_seconds',
    help: 'age of a remote state batch when it arrives on this node',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly tickDuration = new Histogram({
    name: 'cocreate_tick_duration_seconds',
    help: 'event-loop time of a coalescing tick until its flush first yields (merging, framing and up to 200 socket writes; the rest follow in later turns)',
    buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'cocreate_' });
  }

  /** A gauge read at scrape time. */
  gauge(name: string, help: string, read: () => number): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  /** A counter whose total lives elsewhere (e.g. fan-out stats), read at scrape time. */
  counterFrom(name: string, help: string, read: () => number): void {
    let seen = 0;
    new Counter({
      name,
      help,
      registers: [this.registry],
      collect() {
        const now = read();
        if (now > seen) this.inc(now - seen);
        seen = now;
      },
    });
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Metrics;
  }
}

/** /metrics in Prometheus text format; with METRICS_TOKEN set, only for `Authorization: Bearer <token>`. */
export const metricsPlugin = fp(async (app: FastifyInstance) => {
  const metrics = new Metrics();
  app.decorate('metrics', metrics);
  app.addHook('onResponse', async (_request, reply) => {
    metrics.httpRequests.inc({ status: `${Math.floor(reply.statusCode / 100)}xx` });
  });
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    const token = app.config.metricsToken;
    if (token && request.headers.authorization !== `Bearer ${token}`) throw unauthenticated('metrics need the metrics token');
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
});
