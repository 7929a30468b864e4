import type { CSSProperties } from 'react';
import { hueFor, initials, type PresenceMap, peopleHere } from '../live/presence';

interface Props {
  members: PresenceMap;
  selfUserId: string | null;
  /** e.g. "on this board", "on this idea". */
  where: string;
  /** How many avatars to draw before "+N". */
  max?: number;
}

const STATUS_WORDS = { typing: 'typing', viewing: 'here', idle: 'idle' } as const;

/** Who else is here, one avatar each; typing and idle people are marked. */
export function PresenceBar({ members, selfUserId, where, max = 8 }: Props) {
  const people = peopleHere(members, selfUserId);
  if (people.length === 0) return null;
  const visible = people.slice(0, max);
  const more = people.length - visible.length;
  const typing = people.filter((p) => p.status === 'typing');
  return (
    <section className="presence" aria-label={`People ${where}`}>
      <ul className="presence-list" aria-label={`Also ${where}`}>
        {visible.map((p) => (
          <li
            key={p.userId}
            className={`avatar avatar-${p.status}`}
            style={{ '--avatar-hue': hueFor(p.userId) } as CSSProperties}
            title={`${p.name} (${STATUS_WORDS[p.status]})`}
          >
            <span aria-hidden="true">{initials(p.name)}</span>
            <span className="visually-hidden">
              {p.name}, {STATUS_WORDS[p.status]}
            </span>
          </li>
        ))}
        {more > 0 && (
          <li className="avatar avatar-more">
            <span aria-hidden="true">+{more}</span>
            <span className="visually-hidden">and {more} more</span>
          </li>
        )}
      </ul>
      <p className="presence-summary">
        {typing.length > 0
          ? `${listNames(typing.map((p) => p.name))} ${typing.length === 1 ? 'is' : 'are'} typing…`
          : `${people.length} ${people.length === 1 ? 'other person' : 'others'} ${where}`}
      </p>
    </section>
  );
}

function listNames(names: string[]): string {
  if (names.length <= 2) return names.join(' and ');
  return `${names.slice(0, 2).join(', ')} and ${names.length - 2} more`;
}
