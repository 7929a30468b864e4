/**
 * The y-websocket wire contract of `/collab/<docName>`: message types (varuint first in every
 * frame) and sync sub-types, as the stock y-websocket provider speaks them.
 */
export const COLLAB_MESSAGE = { sync: 0, awareness: 1, auth: 2, queryAwareness: 3 } as const;
export const COLLAB_SYNC = { step1: 0, step2: 1, update: 2 } as const;
/** The collaborative endpoint's path prefix; the document name follows (`/collab/idea:<id>`). */
export const COLLAB_PATH = '/collab';
/** The idea body's XmlFragment name (TipTap's default field). */
export const IDEA_BODY_FRAGMENT = 'default';
