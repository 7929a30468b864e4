import { CommunityView } from '@cocreate/protocol';
import type { CommunityRow, MembershipRow } from '../access.js';

export { CommunityView };

export function communityView(c: CommunityRow, m: MembershipRow | null) {
  return {
    id: c.id,
    slug: c.slug,
    name: c.name,
    description: c.description,
    visibility: c.visibility,
    joinPolicy: c.joinPolicy,
    memberCount: c.memberCount,
    createdAt: c.createdAt.toISOString(),
    membership: m ? { role: m.role, status: m.status } : null,
  };
}
