/**
 * Notifications in words: one sentence and one link per kind, and the unread count the bell shows.
 * Payloads come from the server's JSON, so every field is read defensively.
 */
import { IDEA_STATUSES, type IdeaStatus } from '@cocreate/protocol';
import { statusLabel } from '../format';
import { paths } from '../router';

export interface NotificationText {
  text: string;
  /** Where a click goes; null when the payload names nothing to open. */
  href: string | null;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const quoted = (title: string) => (title ? `“${title}”` : 'an idea');
const status = (v: unknown): string =>
  IDEA_STATUSES.includes(v as IdeaStatus) ? statusLabel(v as IdeaStatus).toLowerCase() : str(v) || 'a new status';
const ideaHref = (id: unknown): string | null => (str(id) ? paths.idea(str(id)) : null);

export function describeNotification(kind: string, payload: Record<string, unknown>): NotificationText {
  switch (kind) {
    case 'idea.status_changed': {
      const reason = str(payload.reason).trim();
      return {
        text: `${quoted(str(payload.title))} moved from ${status(payload.from)} to ${status(payload.to)}${reason ? `: ${reason}` : '.'}`,
        href: ideaHref(payload.ideaId),
      };
    }
    case 'idea.merged':
      return {
        text: `${quoted(str(payload.sourceTitle))} was merged into ${quoted(str(payload.targetTitle))}.`,
        href: ideaHref(payload.targetId),
      };
    case 'idea.official_reply': {
      const excerpt = str(payload.excerpt).trim();
      const href = ideaHref(payload.ideaId);
      return {
        text: `The team replied on ${quoted(str(payload.title))}${excerpt ? `: “${excerpt}”` : '.'}`,
        href: href && `${href}#comments`,
      };
    }
    case 'changelog.credited':
      return {
        text: `You were credited in the changelog for ${quoted(str(payload.title))}.`,
        href: str(payload.communitySlug) ? paths.changelog(str(payload.communitySlug)) : ideaHref(payload.ideaId),
      };
    case 'digest': {
      const ideas = Array.isArray(payload.ideas) ? payload.ideas : [];
      const titles = ideas.map((i) => str((i as { title?: unknown })?.title)).filter(Boolean);
      const first = ideas[0] as { ideaId?: unknown } | undefined;
      return {
        text:
          titles.length === 0
            ? 'Your digest: nothing new shipped from the ideas you backed.'
            : `Shipped from ideas you backed: ${titles.slice(0, 3).map(quoted).join(', ')}${titles.length > 3 ? ` and ${titles.length - 3} more` : ''}.`,
        href: ideaHref(first?.ideaId),
      };
    }
    default:
      return { text: 'Something changed on an idea you follow.', href: null };
  }
}

/** The count as the bell shows it: nothing at 0, `99+` past 99. */
export function badgeText(unread: number): string {
  if (unread <= 0) return '';
  return unread > 99 ? '99+' : String(unread);
}
