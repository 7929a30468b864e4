import * as ws from 'ws';

/** ws's frame encoder: exported by ws (and used by Socket.IO's broadcast) but missing from @types/ws. */
const Sender = (ws as unknown as { Sender: { frame(data: Buffer, options: Record<string, unknown>): Buffer[] } }).Sender;

/**
 * Encode once, write to every socket: a server → client Socket.IO event on the main namespace as one
 * complete WebSocket text frame (the frame header, then Engine.IO's message type `4`, Socket.IO's
 * EVENT type `2` and the JSON array `[event, payload]`). Socket.IO's own broadcast also computes the
 * frame once, but then still runs every socket's Engine.IO write queue, its events and its write
 * callback; for a state frame sent to thousands of sockets every tick that bookkeeping costs more
 * than the write itself.
 */
export function encodeEventFrame(event: string, payload: unknown): Buffer {
  const data = Buffer.from(`42${JSON.stringify([event, payload])}`);
  return Buffer.concat(Sender.frame(data, { fin: true, rsv1: false, opcode: 1, mask: false, readOnly: false }));
}

/** The parts of Engine.IO's socket, transport and ws sender the direct write relies on (not in their typings). */
interface EngineConnection {
  readyState?: string;
  upgrading?: boolean;
  writeBuffer?: unknown[];
  transport?: {
    name?: string;
    perMessageDeflate?: unknown;
    socket?: { readyState?: number; _sender?: { _state?: number; sendFrame?: (list: Buffer[], cb?: () => void) => void } };
  };
}

/**
 * Writes a frame from `encodeEventFrame` straight to the socket's WebSocket, in order after
 * everything already handed to it, when nothing waits ahead of it: an open connection on the
 * WebSocket transport, not upgrading, without compression, with an empty Engine.IO write buffer
 * and an idle ws sender. Returns false, having written nothing, when the socket must take Socket.IO's
 * normal path instead (long polling, an upgrade in progress, queued packets).
 */
export function writeFrame(conn: unknown, frame: Buffer): boolean {
  const c = conn as EngineConnection;
  if (c.readyState !== 'open' || c.upgrading || (c.writeBuffer?.length ?? 1) > 0) return false;
  const transport = c.transport;
  if (transport?.name !== 'websocket' || transport.perMessageDeflate) return false;
  const socket = transport.socket;
  const sender = socket?._sender;
  if (socket?.readyState !== ws.WebSocket.OPEN || typeof sender?.sendFrame !== 'function' || (sender._state ?? 0) !== 0) return false;
  sender.sendFrame([frame]);
  return true;
}
