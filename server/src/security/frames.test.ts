import { MAX_SOCKET_PACKET_BYTES } from '@cocreate/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { bodyOf, collabSettings, type Peer, peer, synced, typeParagraph } from '../collab/testing.js';
import { communityFixture, startTestApp, type TestApp, type TestUser } from '../testing/harness.js';
import { ask, type ClientSocket, closeAll, closeOf, connected, listen, rawWs, sio, until } from './sockets.js';

/**
 * Cases 4 and 5 on the socket transports: oversize, garbage, truncated and invalid UTF-8 frames,
 * and broken WebSocket framing, each sent on its own connection. Only that connection closes: the
 * neighbours in the same board room and on the same document keep working, and the server holds
 * no more connections afterwards than before.
 */

const MAX_FRAME = 8 * 1024;

describe('hostile frames on Socket.IO and /collab', () => {
  let t: TestApp;
  let url: { http: string; ws: string };
  let fx: Awaited<ReturnType<typeof communityFixture>>;
  let attacker: TestUser;
  let ideaId: string;
  let neighbour: ClientSocket;
  let ranks: { ideaId: string; up: number }[];
  let editor: Peer;

  beforeAll(async () => {
    t = await startTestApp('pglite', { config: collabSettings({ maxFrameBytes: MAX_FRAME }) });
    url = await listen(t.app);
    fx = await communityFixture(t);
    attacker = await fx.member();
    ideaId = (await fx.idea(fx.owner, 'Target')).id;
    neighbour = sio(url.http, { token: (await fx.member()).token });
    await connected(neighbour);
    ranks = [];
    neighbour.on('board:ranks', (m) => ranks.push(...m.changes));
    expect((await ask(neighbour, 'board:join', { boardId: fx.boardId })).ok).toBe(true);
    editor = peer(`${url.ws}/collab`, ideaId, { token: fx.owner.token });
    await synced(editor);
  }, 60_000);
  afterAll(async () => {
    editor.destroy();
    closeAll();
    await t.close();
  });

  const engineClients = () => t.app.realtime.io.engine.clientsCount;
  const docMembers = () => t.app.collab.loaded(`idea:${ideaId}`)?.members.size ?? 0;
  let baseline: { engine: number; doc: number };
  let votesSoFar = 0;

  afterEach(async () => {
    // The neighbours are untouched: still connected, still live, and the server's counts are back.
    await until(() => engineClients() === baseline.engine && docMembers() === baseline.doc, 10_000, 'connections left behind');
    expect(neighbour.connected).toBe(true);
    const voter = sio(url.http, { token: (await fx.member()).token });
    await connected(voter);
    const ack = await ask(voter, 'vote:cast', { ideaId, value: 1 });
    votesSoFar++;
    expect(ack).toMatchObject({ ok: true, up: votesSoFar });
    await until(() => ranks.some((r) => r.ideaId === ideaId && r.up === votesSoFar));
    voter.disconnect();
    const word = `alive${votesSoFar}`;
    const check = peer(`${url.ws}/collab`, ideaId, { token: attacker.token });
    await synced(check);
    typeParagraph(check.doc, word);
    await until(() => bodyOf(editor.doc).includes(word));
    expect(editor.closes).toEqual([]);
    check.destroy();
    await until(() => engineClients() === baseline.engine && docMembers() === baseline.doc, 10_000, 'check connections left behind');
  });

  /** A raw Engine.IO WebSocket, through the Socket.IO CONNECT of a member. */
  async function engineSocket(): Promise<WebSocket> {
    baseline ??= { engine: engineClients(), doc: docMembers() };
    const { ws, got } = await rawWs(`${url.ws}/socket.io/?EIO=4&transport=websocket`);
    await until(() => got.some((f) => f.toString().startsWith('0{')));
    ws.send(`40${JSON.stringify({ token: attacker.token })}`);
    await until(() => got.some((f) => f.toString().startsWith('40{')));
    return ws;
  }
  async function collabSocket(): Promise<WebSocket> {
    baseline ??= { engine: engineClients(), doc: docMembers() };
    const { ws, got } = await rawWs(`${url.ws}/collab/idea:${ideaId}?token=${attacker.token}`);
    await until(() => got.length > 0);
    return ws;
  }
  /** Writes raw bytes under the WebSocket layer: broken framing that no library would send. */
  const writeRaw = (ws: WebSocket, bytes: number[]) => (ws as unknown as { _socket: { write(b: Buffer): void } })._socket.write(Buffer.from(bytes));
  const invalidUtf8 = Buffer.from([0x34, 0x32, 0x5b, 0x22, 0xc3, 0x28, 0xff, 0xfe, 0x22, 0x5d]);
  // A masked text frame with RSV2 and RSV3 set: a protocol error.
  const reservedBits = [0xb1, 0x81, 1, 2, 3, 4, 0x30];
  // A masked ping (control frame) that claims 126 bytes: control frames are at most 125.
  const longPing = [0x89, 0xfe, 0x00, 0x7e, 1, 2, 3, 4];

  const engineCases: [string, (ws: WebSocket) => void, number[]][] = [
    ['an unknown Engine.IO packet type', (ws) => ws.send('hello'), [1000, 1005, 1006]],
    ['a Socket.IO packet of garbage', (ws) => ws.send('4garbage'), [1000, 1005, 1006]],
    ['a truncated Socket.IO event', (ws) => ws.send('42["vote:cast",{"ideaId":'), [1000, 1005, 1006]],
    ['an event with an unknown packet type', (ws) => ws.send('49["x"]'), [1000, 1005, 1006]],
    ['a binary frame of random bytes', (ws) => ws.send(Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00])), [1000, 1005, 1006]],
    ['a text frame of invalid UTF-8', (ws) => ws.send(invalidUtf8, { binary: false }), [1007]],
    ['a frame over the packet limit', (ws) => ws.send(`42["vote:cast",{"pad":"${'x'.repeat(MAX_SOCKET_PACKET_BYTES)}"}]`), [1009]],
    ['reserved frame bits', (ws) => writeRaw(ws, reservedBits), [1002]],
    ['a control frame that is too long', (ws) => writeRaw(ws, longPing), [1002]],
  ];
  it.each(engineCases)('Socket.IO: %s closes that connection alone', async (_name, send, codes) => {
    const ws = await engineSocket();
    const closed = closeOf(ws);
    send(ws);
    expect(codes).toContain((await closed).code);
  });

  const collabCases: [string, (ws: WebSocket) => void, number[]][] = [
    ['a text frame of invalid UTF-8', (ws) => ws.send(invalidUtf8, { binary: false }), [1007]],
    ['a frame past twice the frame limit (the library refuses it)', (ws) => ws.send(new Uint8Array(2 * MAX_FRAME + 1)), [1009]],
    ['a frame between the limit and twice it', (ws) => ws.send(new Uint8Array(MAX_FRAME + 1)), [4413]],
    ['reserved frame bits', (ws) => writeRaw(ws, reservedBits), [1002]],
    ['a control frame that is too long', (ws) => writeRaw(ws, longPing), [1002]],
    ['a truncated frame followed by silence of the sender', (ws) => {
      writeRaw(ws, [0x82, 0x85, 1, 2, 3, 4, 0]);
      ws.terminate();
    }, [1006]],
  ];
  it.each(collabCases)('/collab: %s closes that connection alone', async (_name, send, codes) => {
    const ws = await collabSocket();
    const closed = closeOf(ws);
    send(ws);
    expect(codes).toContain((await closed).code);
  });
});
