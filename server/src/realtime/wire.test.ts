import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeEventFrame, writeFrame } from './wire.js';

/** The direct frame write against a real Socket.IO server and the stock client, over both transports. */
describe('encode once, write straight to the WebSocket', () => {
  const http = createServer();
  const io = new Server(http);
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await io.close();
  });

  const client = async (transports: ('websocket' | 'polling')[]) => {
    const joined = new Promise<string>((resolve) => io.once('connection', (s) => resolve(s.id)));
    const socket = connect(url, { transports, upgrade: false, forceNew: true });
    const id = await joined;
    await new Promise<void>((resolve) => (socket.connected ? resolve() : socket.once('connect', () => resolve())));
    return { socket, server: io.of('/').sockets.get(id)! };
  };
  const collect = (socket: ClientSocket, n: number) =>
    new Promise<[string, unknown][]>((resolve) => {
      const got: [string, unknown][] = [];
      socket.onAny((event: string, payload: unknown) => {
        got.push([event, payload]);
        if (got.length === n) resolve(got);
      });
    });

  it('delivers the frame as the event, in order between emitted events, at every frame length', async () => {
    const { socket, server } = await client(['websocket']);
    const payloads = [{ n: 1 }, { text: 'é€😀'.repeat(40) }, { big: 'x'.repeat(70_000) }];
    const received = collect(socket, 2 + payloads.length);
    server.emit('before' as never, 1 as never);
    for (const p of payloads) expect(writeFrame(server.conn, encodeEventFrame('board:ranks', p))).toBe(true);
    server.emit('after' as never, 2 as never);
    expect(await received).toEqual([['before', 1], ...payloads.map((p) => ['board:ranks', p]), ['after', 2]]);
    socket.close();
  });

  it('declines, writing nothing, when the socket is on long polling', async () => {
    const { socket, server } = await client(['polling']);
    const received = collect(socket, 1);
    expect(writeFrame(server.conn, encodeEventFrame('board:ranks', { n: 1 }))).toBe(false);
    server.emit('only' as never, 3 as never);
    expect(await received).toEqual([['only', 3]]);
    socket.close();
  });

  it('declines while Engine.IO has packets queued, so nothing overtakes them', async () => {
    const { socket, server } = await client(['websocket']);
    const conn = server.conn as unknown as { writeBuffer: unknown[] };
    conn.writeBuffer.push({ type: 'noop' });
    expect(writeFrame(server.conn, encodeEventFrame('board:ranks', { n: 1 }))).toBe(false);
    conn.writeBuffer.pop();
    socket.close();
  });
});
