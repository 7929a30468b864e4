import { describe, expect, it } from 'vitest';
import { RoomSequence } from './sequence';

const ev = (seq: number) => ({ seq, type: 't' });
const seqs = (events: { seq: number }[]) => events.map((e) => e.seq);

describe('RoomSequence', () => {
  it('holds events until the first snapshot, then releases the ones after it in order', () => {
    const s = new RoomSequence();
    expect(s.waiting).toBe(true);
    expect(s.push(ev(4))).toEqual({ ready: [], gap: false });
    expect(s.push(ev(6))).toEqual({ ready: [], gap: false });
    expect(s.push(ev(5))).toEqual({ ready: [], gap: false });
    const out = s.base(4);
    expect(seqs(out.ready)).toEqual([5, 6]);
    expect(out.gap).toBe(false);
    expect(s.waiting).toBe(false);
    expect(s.lastSeq).toBe(6);
  });

  it('applies consecutive events and ignores duplicates and old ones', () => {
    const s = new RoomSequence();
    s.base(10);
    expect(seqs(s.push(ev(11)).ready)).toEqual([11]);
    expect(s.push(ev(11))).toEqual({ ready: [], gap: false });
    expect(s.push(ev(3))).toEqual({ ready: [], gap: false });
    expect(seqs(s.push(ev(12)).ready)).toEqual([12]);
  });

  it('reports a gap, and closes it when the missing event arrives late', () => {
    const s = new RoomSequence();
    s.base(1);
    expect(s.push(ev(3))).toEqual({ ready: [], gap: true });
    expect(s.hasGap).toBe(true);
    const out = s.push(ev(2));
    expect(seqs(out.ready)).toEqual([2, 3]);
    expect(out.gap).toBe(false);
    expect(s.hasGap).toBe(false);
  });

  it('a snapshot after a gap releases what follows it and drops what it covers', () => {
    const s = new RoomSequence();
    s.base(1);
    s.push(ev(4));
    s.push(ev(6));
    s.hold();
    s.push(ev(7));
    const out = s.base(5);
    expect(seqs(out.ready)).toEqual([6, 7]);
    expect(out.gap).toBe(false);
  });

  it('a snapshot may move the numbering backwards (e.g. a reset counter): it is trusted', () => {
    const s = new RoomSequence();
    s.base(50);
    s.hold();
    s.base(2);
    expect(seqs(s.push(ev(3)).ready)).toEqual([3]);
  });

  it('keeps reporting a gap while a number stays missing', () => {
    const s = new RoomSequence();
    s.base(0);
    s.push(ev(2));
    expect(s.push(ev(3)).gap).toBe(true);
    expect(s.push(ev(2)).gap).toBe(true);
  });
});
