import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('config', () => {
  it('defaults to the embedded, zero-setup mode', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.redisUrl).toBeUndefined();
    expect(c.seedDemo).toBe(true);
    expect(c.publicOrigins).toEqual(['http://localhost:3000', 'http://127.0.0.1:3000']);
    expect(c.sessionTtlMs).toBe(30 * 86_400_000);
    expect(c.trustProxy).toBe(false);
  });

  it('reads the cluster settings', () => {
    const c = loadConfig({
      DATABASE_URL: 'postgres://u@db:5432/x',
      REDIS_URL: 'redis://r:6379',
      PUBLIC_ORIGINS: 'https://ideas.example.com/, https://www.example.com',
      NODE_ID: 'node-a',
      TRUST_PROXY: '10.0.0.0/8,127.0.0.1',
      SESSION_TTL_DAYS: '7',
    });
    expect(c.seedDemo).toBe(false);
    expect(c.publicOrigins).toEqual(['https://ideas.example.com', 'https://www.example.com']);
    expect(c.nodeId).toBe('node-a');
    expect(c.trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x'],
    ['REDIS_URL', 'not a url'],
    ['PUBLIC_ORIGINS', 'ftp://x.example'],
    ['NODE_ID', 'has space'],
    ['LOG_LEVEL', 'loud'],
    ['SESSION_TTL_DAYS', '0'],
    ['TRUST_PROXY', 'some proxy'],
    ['SEED_DEMO', 'maybe'],
    ['BODY_LIMIT_BYTES', '-1'],
  ])('stops on a bad %s with one line naming it', (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message.startsWith(`Invalid configuration: ${name} `)).toBe(true);
    expect(message).not.toContain('\n');
  });
});
