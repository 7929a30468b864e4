import fc from 'fast-check';
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { inspectUpdate } from './guard.js';
import {
  type AwarenessEntry,
  awarenessMessage,
  decodeAwareness,
  encodeAwareness,
  MalformedMessage,
  MAX_AWARENESS_ENTRIES,
  MESSAGE,
  parseClientMessage,
  SYNC,
  syncStep2Message,
  updateMessage,
} from './wire.js';

/**
 * The y-websocket decoding under arbitrary bytes: it answers with a message or MalformedMessage
 * (the documented error path, which closes with 4400), never with anything else.
 */

/** Runs `fn`; returns what it returned, or the MalformedMessage it threw. Any other throw fails the property. */
function decodeOrMalformed<T>(fn: () => T): T | MalformedMessage {
  try {
    return fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MalformedMessage);
    return err as MalformedMessage;
  }
}

const bytes = fc.uint8Array({ maxLength: 256 });
/** Bytes that start like a real frame (a known type, then anything), so the fuzz reaches past the first byte. */
const frameLike = fc.tuple(fc.constantFrom(0, 1, 2, 3), fc.constantFrom(0, 1, 2, 9), bytes).map(([t, s, rest]) => new Uint8Array([t, s, ...rest]));

function frame(write: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder();
  write(e);
  return encoding.toUint8Array(e);
}
const syncFrame = (sub: number, payload: Uint8Array) =>
  frame((e) => {
    encoding.writeVarUint(e, MESSAGE.sync);
    encoding.writeVarUint(e, sub);
    encoding.writeVarUint8Array(e, payload);
  });

const awarenessEntry: fc.Arbitrary<AwarenessEntry> = fc.record({
  clientId: fc.integer({ min: 0, max: 0xffffffff }),
  clock: fc.nat(),
  state: fc.option(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }), { nil: null }),
});
const validMessage = fc.oneof(
  fc.tuple(fc.constantFrom(SYNC.step1, SYNC.step2, SYNC.update), bytes).map(([sub, payload]) => ({ bytes: syncFrame(sub, payload), payload })),
  fc.array(awarenessEntry, { maxLength: MAX_AWARENESS_ENTRIES }).map((entries) => {
    const payload = encodeAwareness(entries);
    return { bytes: awarenessMessage(payload), payload };
  }),
  fc.constant({ bytes: new Uint8Array([MESSAGE.queryAwareness]), payload: null }),
);

describe('parseClientMessage', () => {
  it('answers arbitrary bytes with a message or MalformedMessage only', () => {
    fc.assert(
      fc.property(fc.oneof(bytes, frameLike), (b) => {
        decodeOrMalformed(() => parseClientMessage(b));
      }),
      { numRuns: 5_000 },
    );
  });

  it('returns exactly the payload of every valid frame', () => {
    fc.assert(
      fc.property(validMessage, ({ bytes: b, payload }) => {
        const m = parseClientMessage(b);
        if (m.kind === 'queryAwareness') expect(payload).toBeNull();
        else if (m.kind === 'step1') expect(m.stateVector).toEqual(payload);
        else expect(m.update).toEqual(payload);
      }),
      { numRuns: 1_000 },
    );
  });

  it('refuses every truncation and every frame with trailing bytes', () => {
    fc.assert(
      fc.property(validMessage, fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.nat(), ({ bytes: b }, tail, cut) => {
        const withTail = new Uint8Array([...b, ...tail]);
        expect(decodeOrMalformed(() => parseClientMessage(withTail))).toBeInstanceOf(MalformedMessage);
        if (b.length > 1) {
          const prefix = b.subarray(0, 1 + (cut % (b.length - 1)));
          expect(decodeOrMalformed(() => parseClientMessage(prefix))).toBeInstanceOf(MalformedMessage);
        }
      }),
      { numRuns: 1_000 },
    );
  });

  it('never reads past its frame into the surrounding buffer', () => {
    // A frame that claims a longer payload, sitting inside a bigger buffer (as Node's pool does).
    fc.assert(
      fc.property(bytes, fc.integer({ min: 1, max: 64 }), (payload, extra) => {
        const whole = syncFrame(SYNC.update, new Uint8Array([...payload, ...new Uint8Array(extra)]));
        const view = whole.subarray(0, whole.length - extra);
        expect(decodeOrMalformed(() => parseClientMessage(view))).toBeInstanceOf(MalformedMessage);
      }),
    );
  });
});

describe('decodeAwareness', () => {
  it('answers arbitrary bytes with entries or MalformedMessage only', () => {
    fc.assert(
      fc.property(bytes, (b) => {
        decodeOrMalformed(() => decodeAwareness(b));
      }),
      { numRuns: 5_000 },
    );
  });

  it('round-trips every valid awareness update, and refuses more entries than one connection may speak for', () => {
    fc.assert(
      fc.property(fc.array(awarenessEntry, { maxLength: MAX_AWARENESS_ENTRIES + 4 }), (entries) => {
        const decoded = decodeOrMalformed(() => decodeAwareness(encodeAwareness(entries)));
        if (entries.length > MAX_AWARENESS_ENTRIES) expect(decoded).toBeInstanceOf(MalformedMessage);
        else expect(decoded).toEqual(JSON.parse(JSON.stringify(entries)));
      }),
      { numRuns: 1_000 },
    );
  });

  it('refuses states that are not objects, whatever the JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (state) => {
        const json = JSON.stringify(state);
        const payload = frame((e) => {
          encoding.writeVarUint(e, 1);
          encoding.writeVarUint(e, 7);
          encoding.writeVarUint(e, 1);
          encoding.writeVarString(e, json);
        });
        const decoded = decodeOrMalformed(() => decodeAwareness(payload));
        const isObject = state === null || (typeof state === 'object' && !Array.isArray(state));
        if (!isObject || json.length > 8 * 1024) expect(decoded).toBeInstanceOf(MalformedMessage);
        else expect(decoded).toEqual([{ clientId: 7, clock: 1, state }]);
      }),
    );
  });
});

describe('what follows decoding', () => {
  it('inspectUpdate answers arbitrary bytes and never throws', () => {
    fc.assert(
      fc.property(bytes, (b) => {
        const r = inspectUpdate(b, () => 0);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 5_000 },
    );
  });

  it('syncStep2Message throws only on a state vector that does not decode, and never for a real one', () => {
    const doc = new Y.Doc();
    doc.getText('t').insert(0, 'hello');
    fc.assert(
      fc.property(bytes, (sv) => {
        try {
          syncStep2Message(doc, sv);
        } catch (err) {
          expect(err).toBeInstanceOf(Error);
        }
      }),
      { numRuns: 2_000 },
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.nat()), { maxLength: 5 }), (pairs) => {
        const e = encoding.createEncoder();
        encoding.writeVarUint(e, pairs.length);
        for (const [client, clock] of pairs) {
          encoding.writeVarUint(e, client);
          encoding.writeVarUint(e, clock);
        }
        expect(() => syncStep2Message(doc, encoding.toUint8Array(e))).not.toThrow();
      }),
    );
    doc.destroy();
  });

  it('updateMessage of any update parses back to it', () => {
    fc.assert(
      fc.property(bytes, (u) => {
        expect(parseClientMessage(updateMessage(u))).toEqual({ kind: 'update', update: u });
      }),
    );
  });
});
