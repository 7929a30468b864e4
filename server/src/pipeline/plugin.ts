import fp from 'fastify-plugin';
import { scheduleDigest, jobHandlers } from './jobs.js';
import { OutboxWorker } from './outbox.js';
import { pipelineRoutes } from './routes.js';
import { AddressPolicy } from './webhooks.js';

export interface Pipeline {
  worker: OutboxWorker;
  /** Where webhooks may connect. */
  policy: AddressPolicy;
  /** A job was written on this node: let the worker look now. */
  nudge(): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    pipeline: Pipeline;
  }
}

const DIGEST_CHECK_MS = 60_000;

/**
 * The roadmap pipeline: status changes, merges, roadmap, changelog and webhooks routes, and the
 * outbox worker that turns committed changes into notifications, roadmap items, changelog drafts
 * and signed webhook deliveries. Every node may run the worker (PIPELINE_WORKER).
 */
export const pipelinePlugin = fp(
  async (app) => {
    const cfg = app.config.pipeline;
    const policy = new AddressPolicy(cfg.webhookAllowedPrivate);
    const worker = new OutboxWorker(
      app.db,
      jobHandlers({ db: app.db, realtime: app.realtime, policy, webhookTimeoutMs: cfg.webhookTimeoutMs, digestIntervalMs: cfg.digestIntervalMs, log: app.log }),
      { pollMs: cfg.pollMs, leaseMs: cfg.leaseMs, backoffMs: cfg.backoffMs, maxAttempts: cfg.maxAttempts, log: app.log },
    );
    app.decorate('pipeline', { worker, policy, nudge: () => worker.nudge() });
    await app.register(pipelineRoutes, { prefix: '/api' });

    if (!cfg.worker) return;
    let digestTimer: NodeJS.Timeout | undefined;
    app.addHook('onReady', async () => {
      worker.start();
      const digest = () => void scheduleDigest(app.db, cfg.digestIntervalMs).then((queued) => queued && worker.nudge()).catch((err: unknown) => app.log.warn({ err }, 'digest not scheduled'));
      digest();
      digestTimer = setInterval(digest, DIGEST_CHECK_MS);
      digestTimer.unref();
    });
    app.addHook('onClose', async () => {
      clearInterval(digestTimer);
      await worker.stop();
    });
  },
  { name: 'pipeline' },
);
