import { describe, expect, it } from 'vitest';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { caretColour, caretName, FALLBACK_CARET_COLOUR, labelTextColour, normaliseCaretColours, selectionColour } from './carets';

describe('caret colours and names', () => {
  it('turns the server’s hsl() colours into #rrggbb and keeps hex ones', () => {
    expect(caretColour('hsl(0, 100%, 50%)')).toBe('#ff0000');
    expect(caretColour('hsl(120, 100%, 25%)')).toBe('#008000');
    expect(caretColour('hsl(240, 70%, 45%)')).toBe('#2222c3');
    expect(caretColour('hsl(360, 0%, 62%)')).toBe('#9e9e9e');
    expect(caretColour('#9E9E9E')).toBe('#9e9e9e');
  });

  it('never passes anything else through', () => {
    for (const bad of ['red; background: url(x)', 'url(javascript:1)', '#12345', 'hsl(1,2,3)', 'transparent', 42, null, undefined]) {
      expect(caretColour(bad)).toBe(FALLBACK_CARET_COLOUR);
    }
  });

  it('makes a see-through selection colour', () => {
    expect(selectionColour('hsl(0, 100%, 50%)')).toBe('#ff000040');
    expect(selectionColour('nonsense')).toBe(`${FALLBACK_CARET_COLOUR}40`);
  });

  it('writes the name in black on light colours and in white on dark ones', () => {
    expect(labelTextColour('hsl(55, 70%, 45%)')).toBe('#000000');
    expect(labelTextColour('#ffff00')).toBe('#000000');
    expect(labelTextColour('hsl(240, 70%, 45%)')).toBe('#ffffff');
    expect(labelTextColour('#000000')).toBe('#ffffff');
  });

  it('prints a short, non-empty name', () => {
    expect(caretName('  Sam ')).toBe('Sam');
    expect(caretName('')).toBe('Someone');
    expect(caretName(undefined)).toBe('Someone');
    expect(caretName('x'.repeat(100))).toHaveLength(40);
  });

  it('rewrites arriving awareness colours before later listeners read them', () => {
    const local = new Awareness(new Y.Doc());
    const remote = new Awareness(new Y.Doc());
    const detach = normaliseCaretColours(local);
    const seen: unknown[] = [];
    local.on('change', () => seen.push((local.getStates().get(remote.clientID) as { user: { color: string } }).user.color));
    remote.setLocalStateField('user', { name: 'Sam', color: 'hsl(0, 100%, 50%)' });
    applyAwarenessUpdate(local, encodeAwarenessUpdate(remote, [remote.clientID]), 'remote');
    expect(seen).toEqual(['#ff0000']);
    detach();
    remote.setLocalStateField('user', { name: 'Sam', color: 'hsl(120, 100%, 25%)' });
    applyAwarenessUpdate(local, encodeAwarenessUpdate(remote, [remote.clientID]), 'remote');
    expect(seen.at(-1)).toBe('hsl(120, 100%, 25%)');
    local.destroy();
    remote.destroy();
  });
});
