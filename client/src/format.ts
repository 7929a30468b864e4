/** Small text helpers shared by the screens. */
import type { IdeaStatus, Role } from '@cocreate/protocol';

const STATUS_LABELS: Record<IdeaStatus, string> = {
  open: 'Open',
  under_review: 'Under review',
  accepted: 'Accepted',
  planned: 'Planned',
  in_progress: 'In progress',
  shipped: 'Shipped',
  declined: 'Declined',
  merged: 'Merged',
};

export function statusLabel(status: IdeaStatus): string {
  return STATUS_LABELS[status] ?? status;
}

const ROLE_LABELS: Record<Role, string> = {
  owner: 'Owner',
  admin: 'Admin',
  team: 'Team',
  moderator: 'Moderator',
  member: 'Member',
};

export function roleLabel(role: Role): string {
  return ROLE_LABELS[role] ?? role;
}

/** `1 idea`, `3 ideas`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
}

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/** `5 minutes ago`, `yesterday`, `just now`; '' for an unreadable date. */
export function relativeTime(iso: string, now: number = Date.now(), locale = 'en'): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '';
  const seconds = Math.round((then - now) / 1000);
  if (Math.abs(seconds) < 45) return 'just now';
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return rtf.format(Math.round(seconds / size), unit);
  }
  return rtf.format(Math.round(seconds / 60), 'minute');
}

/** The full date for a tooltip or a <time> title. */
export function fullDate(iso: string, locale?: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' });
}

export const MAX_TAGS = 10;
export const MAX_TAG_LENGTH = 32;
const TAG_RE = /^[\p{L}\p{N} _-]+$/u;

/** Comma-separated tags → a clean list, as the server will store them (trimmed, lower-case, unique). */
export function parseTags(input: string): string[] {
  const seen = new Set<string>();
  for (const raw of input.split(',')) {
    const tag = raw.trim().replace(/\s+/g, ' ').toLowerCase();
    if (tag) seen.add(tag);
  }
  return [...seen];
}

/** Why a tag list would be refused, or null when it is fine. */
export function tagProblem(tags: readonly string[]): string | null {
  if (tags.length > MAX_TAGS) return `Use at most ${MAX_TAGS} tags.`;
  for (const tag of tags) {
    if (tag.length > MAX_TAG_LENGTH) return `“${tag}” is longer than ${MAX_TAG_LENGTH} characters.`;
    if (!TAG_RE.test(tag)) return `“${tag}” may only contain letters, digits, spaces, dashes and underscores.`;
  }
  return null;
}

/** A URL slug suggested from a name: `My Cool Product!` → `my-cool-product`. */
export function slugify(name: string, max = 48): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/g, '');
}

/** The name to show for a person, with a fallback for deleted accounts. */
export function personName(user: { displayName: string; handle: string } | null): string {
  if (!user) return 'Deleted user';
  return user.displayName.trim() || `@${user.handle}`;
}
