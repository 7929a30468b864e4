/**
 * Remote carets and selections. The server writes each connection's awareness `user` from its
 * session ({id, name, color}, the colour as `hsl(h, s%, l%)` or `#rrggbb`); the stock caret
 * plugins draw only `#rrggbb` (anything else turns transparent), so colours are turned into that
 * form as awareness states arrive, and the renderers here print names as text, never as markup.
 */
import type { Awareness } from 'y-protocols/awareness';

const HEX = /^#[0-9a-f]{6}$/i;
const HSL = /^hsl\(\s*(\d{1,3}(?:\.\d+)?)\s*,\s*(\d{1,3}(?:\.\d+)?)%\s*,\s*(\d{1,3}(?:\.\d+)?)%\s*\)$/i;
export const FALLBACK_CARET_COLOUR = '#6b7280';

/** `#rrggbb` for a hex or hsl() colour; a neutral grey for anything else. */
export function caretColour(value: unknown): string {
  if (typeof value !== 'string') return FALLBACK_CARET_COLOUR;
  const v = value.trim();
  if (HEX.test(v)) return v.toLowerCase();
  const m = HSL.exec(v);
  if (!m) return FALLBACK_CARET_COLOUR;
  const h = (((Number(m[1]) % 360) + 360) % 360) / 360;
  const s = Math.min(100, Number(m[2])) / 100;
  const l = Math.min(100, Number(m[3])) / 100;
  const q = l < 0.5 ? l * (1 + s) : l + s - l * s;
  const p = 2 * l - q;
  const channel = (t0: number) => {
    const t = t0 < 0 ? t0 + 1 : t0 > 1 ? t0 - 1 : t0;
    const c = t < 1 / 6 ? p + (q - p) * 6 * t : t < 1 / 2 ? q : t < 2 / 3 ? p + (q - p) * (2 / 3 - t) * 6 : p;
    return Math.round(c * 255)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${channel(h + 1 / 3)}${channel(h)}${channel(h - 1 / 3)}`;
}

/** The same colour, see-through, for a selection highlight. */
export function selectionColour(value: unknown, alpha = 0.25): string {
  const a = Math.round(Math.min(1, Math.max(0, alpha)) * 255)
    .toString(16)
    .padStart(2, '0');
  return `${caretColour(value)}${a}`;
}

/** Black or white, whichever reads better on the colour (WCAG relative luminance). */
export function labelTextColour(background: unknown): '#000000' | '#ffffff' {
  const hex = caretColour(background);
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  // Contrast with black (L + 0.05) / 0.05 against with white 1.05 / (L + 0.05): equal near L = 0.179.
  return luminance > 0.179 ? '#000000' : '#ffffff';
}

/** A name to print on a caret: trimmed, never empty, never a novel. */
export function caretName(value: unknown): string {
  const name = typeof value === 'string' ? value.trim() : '';
  if (!name) return 'Someone';
  return name.length > 40 ? `${name.slice(0, 39)}…` : name;
}

/**
 * Rewrites every arriving awareness colour to `#rrggbb`, before the caret plugin reads it. Attach
 * before the editor (listeners run in the order they were added). Returns the detach function.
 */
export function normaliseCaretColours(awareness: Pick<Awareness, 'on' | 'off' | 'getStates'>): () => void {
  const fix = ({ added, updated }: { added: number[]; updated: number[] }) => {
    for (const clientId of [...added, ...updated]) {
      const user = (awareness.getStates().get(clientId) as { user?: { color?: unknown } } | undefined)?.user;
      if (user && typeof user === 'object' && !(typeof user.color === 'string' && HEX.test(user.color))) {
        user.color = caretColour(user.color);
      }
    }
  };
  awareness.on('change', fix);
  return () => awareness.off('change', fix);
}

interface CaretUser {
  name?: unknown;
  color?: unknown;
}

export function renderCaret(user: CaretUser): HTMLElement {
  const colour = caretColour(user.color);
  const caret = document.createElement('span');
  caret.className = 'collab-caret';
  caret.style.borderColor = colour;
  const label = document.createElement('span');
  label.className = 'collab-caret-label';
  label.style.backgroundColor = colour;
  label.style.color = labelTextColour(colour);
  label.textContent = caretName(user.name);
  caret.append(label);
  return caret;
}

export function renderSelection(user: CaretUser): { class: string; style: string } {
  return { class: 'collab-selection', style: `background-color: ${selectionColour(user.color)}` };
}
