import { ERROR_CODES, type ErrorCode } from '@cocreate/protocol';
import { WebSocket } from 'ws';
import * as awarenessProtocol from 'y-protocols/awareness';
import type { CollabDoc, DocMember, Refusal } from './doc.js';
import { awarenessMessage, MalformedMessage, parseClientMessage, syncStep2Message } from './wire.js';

export interface ConnectionLimits {
  /** A writer's right to write is checked again at most this often while it writes (locks, bans, merges). */
  accessRecheckMs: number;
  maxFrameBytes: number;
  messagesPerSecond: number;
  messageBurst: number;
  /** Unsent bytes past which a connection is too far behind and is closed (it reconnects and resyncs). */
  maxBufferedBytes: number;
}

export interface Principal {
  userId: string | null;
  sessionId: string | null;
  name: string;
}

export interface ConnectionEvents {
  /** Called once when the server closes the connection, with the error code behind it. */
  onRefused?(code: ErrorCode, message: string): void;
  /** A read-only connection sent a document update (dropped). */
  onDropped?(): void;
  /** The storage is too far behind to take more (the writer's queue is full). */
  storageOverloaded(): boolean;
  /** Decides again whether this connection may write; throws an AppError when it may not even read. */
  recheckWrite(): Promise<boolean>;
}

const TERMINATE_AFTER_MS = 2_000;

/**
 * One WebSocket speaking the y-websocket protocol to one document. Every frame is checked in order
 * of cost — size, rate, parse — before any work; a refusal closes this connection alone, with the
 * close code of its error code.
 */
export class Connection implements DocMember {
  readonly clientIds = new Set<number>();
  readonly identity: { id: string | null; name: string; color: string };
  private tokens: number;
  private refilledAt = Date.now();
  private closing = false;
  private doc: CollabDoc | null = null;
  private checkedAt = Date.now();

  constructor(
    private readonly ws: WebSocket,
    readonly principal: Principal,
    private canWrite: boolean,
    private readonly limits: ConnectionLimits,
    private readonly events: ConnectionEvents,
  ) {
    this.tokens = limits.messageBurst;
    this.identity = { id: principal.userId, name: principal.name, color: colourOf(principal.userId) };
  }

  get userId(): string | null {
    return this.principal.userId;
  }

  get open(): boolean {
    return !this.closing && this.ws.readyState === WebSocket.OPEN;
  }

  attach(doc: CollabDoc): void {
    this.doc = doc;
    doc.join(this);
  }

  handle(data: Buffer, isBinary: boolean): void {
    const doc = this.doc;
    if (!doc || this.closing) return;
    const refusal = this.process(doc, data, isBinary);
    if (refusal) this.refuse(refusal.code, refusal.message);
  }

  /** One frame, checked in order of cost: size, rate, parse; then the document's own checks. */
  private process(doc: CollabDoc, data: Buffer, isBinary: boolean): Refusal | null {
    if (!isBinary) return { code: 'VALIDATION_FAILED', message: 'binary frames only' };
    if (data.length > this.limits.maxFrameBytes) return { code: 'PAYLOAD_TOO_LARGE', message: 'frame too large' };
    if (!this.takeToken()) return { code: 'RATE_LIMITED', message: 'too many messages' };
    let message: ReturnType<typeof parseClientMessage>;
    try {
      message = parseClientMessage(data);
    } catch (err) {
      return { code: 'VALIDATION_FAILED', message: err instanceof MalformedMessage ? err.message : 'malformed message' };
    }
    switch (message.kind) {
      case 'step1': {
        let reply: Uint8Array;
        try {
          reply = syncStep2Message(doc.ydoc, message.stateVector);
        } catch {
          return { code: 'VALIDATION_FAILED', message: 'malformed state vector' };
        }
        this.send(reply);
        return null;
      }
      case 'step2':
      case 'update':
        if (!this.canWrite) {
          // Read-only: never applied, stored or relayed. The client is not told (y-websocket has no way).
          this.events.onDropped?.();
          return null;
        }
        if (this.events.storageOverloaded()) return { code: 'UNAVAILABLE', message: 'storage is behind; try again later' };
        this.recheck();
        return doc.receiveUpdate(this, message.update);
      case 'awareness':
        return doc.receiveAwareness(this, message.update);
      case 'queryAwareness': {
        const states = [...doc.awareness.getStates().keys()];
        this.send(awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(doc.awareness, states)));
        return null;
      }
    }
  }

  send(frame: Uint8Array): void {
    if (!this.open) return;
    if (this.ws.bufferedAmount > this.limits.maxBufferedBytes) {
      this.refuse('UNAVAILABLE', 'connection too far behind; reconnect');
      return;
    }
    this.ws.send(frame);
  }

  refuse(code: ErrorCode, message: string): void {
    if (this.closing) return;
    this.events.onRefused?.(code, message);
    this.close(ERROR_CODES[code].close, message);
  }

  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    closeSocket(this.ws, code, reason);
  }

  get writable(): boolean {
    return this.canWrite;
  }

  /**
   * The right decided at connect time can end (a lock, a merge, a ban): while a writer writes,
   * ask again now and then, without holding its updates; from the answer on, it is read-only.
   */
  private recheck(): void {
    const now = Date.now();
    if (now - this.checkedAt < this.limits.accessRecheckMs) return;
    this.checkedAt = now;
    this.events.recheckWrite().then(
      (ok) => {
        if (!ok) this.canWrite = false;
      },
      (err: unknown) => {
        const code = (err as { code?: unknown }).code;
        if (code === 'NOT_FOUND' || code === 'FORBIDDEN' || code === 'UNAUTHENTICATED') this.refuse(code, 'access to the document ended');
      },
    );
  }

  private takeToken(): boolean {
    const now = Date.now();
    const rate = this.limits.messagesPerSecond;
    this.tokens = Math.min(this.limits.messageBurst, this.tokens + ((now - this.refilledAt) * rate) / 1000);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** Closes with a code and a short reason (≤123 bytes), and cuts the socket if the peer never answers. */
export function closeSocket(ws: WebSocket, code: number, reason: string): void {
  if (ws.readyState === WebSocket.CLOSED) return;
  try {
    ws.close(code, Buffer.from(reason).subarray(0, 123).toString());
  } catch {
    ws.terminate();
    return;
  }
  setTimeout(() => ws.terminate(), TERMINATE_AFTER_MS).unref();
}

/** A stable, readable colour per user (guests share grey). */
export function colourOf(userId: string | null): string {
  if (!userId) return '#9e9e9e';
  let h = 0;
  for (let i = 0; i < userId.length; i++) h = (h * 31 + userId.charCodeAt(i)) >>> 0;
  return `hsl(${h % 360}, 70%, 45%)`;
}
