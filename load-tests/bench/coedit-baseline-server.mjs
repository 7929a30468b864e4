#!/usr/bin/env node
// A co-editing baseline server of the coedit benchmark, in a process of its own:
//   node coedit-baseline-server.mjs hocuspocus <port> [redisUrl prefix]
//       @hocuspocus/server in memory; with a Redis URL, its Redis extension syncs it with the other
//       Hocuspocus nodes of the same prefix (the documented way to run it on several nodes)
//   node coedit-baseline-server.mjs y-websocket <port>   @y/websocket-server's setupWSConnection, in memory
// Both answer GET /healthz with 200 once listening. Started with --inspect by the benchmark (heap after GC).
import { createServer } from 'node:http';

/** Starts one baseline on 127.0.0.1:`port`; resolves to `{ port, close }`. */
export async function startBaseline(kind, port, redisUrl, prefix) {
  if (kind === 'hocuspocus') {
    const { Server } = await import('@hocuspocus/server');
    const extensions = [];
    if (redisUrl) {
      const { Redis } = await import('@hocuspocus/extension-redis');
      const url = new URL(redisUrl);
      extensions.push(new Redis({ host: url.hostname, port: Number(url.port || 6379), prefix: prefix ?? 'hocuspocus-bench' }));
    }
    const server = new Server({ port, address: '127.0.0.1', quiet: true, extensions });
    // Hocuspocus answers every plain request with a welcome page (200): that is its health check.
    await server.listen();
    return { port: server.httpServer.address().port, close: () => server.destroy() };
  }
  if (kind === 'y-websocket') {
    const { WebSocketServer } = await import('ws');
    const { setupWSConnection } = await import('@y/websocket-server/utils');
    const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
    wss.on('connection', (ws, req) => setupWSConnection(ws, req, { gc: true }));
    const http = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('okay');
    });
    http.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)));
    await new Promise((resolve) => http.listen(port, '127.0.0.1', resolve));
    return {
      port: http.address().port,
      close: () =>
        new Promise((resolve) => {
          for (const ws of wss.clients) ws.terminate();
          wss.close();
          http.close(() => resolve());
        }),
    };
  }
  throw new Error(`unknown baseline ${kind} (hocuspocus, y-websocket)`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [kind, port, redisUrl, prefix] = process.argv.slice(2);
  const server = await startBaseline(kind, Number(port), redisUrl, prefix);
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
