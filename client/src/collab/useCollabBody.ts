/**
 * One idea's collaborative body: a Y.Doc, a stock y-websocket provider to `/collab/idea:<id>`
 * (same origin, so the session cookie authenticates it) and a TipTap editor bound to the doc's
 * `default` fragment, all made and destroyed together, so leaving the page leaves no socket.
 */
import { COLLAB_PATH, IDEA_BODY_FRAGMENT, ideaDocName } from '@cocreate/protocol';
import { Collaboration } from '@tiptap/extension-collaboration';
import { CollaborationCaret } from '@tiptap/extension-collaboration-caret';
import { Placeholder } from '@tiptap/extension-placeholder';
import { Editor } from '@tiptap/react';
import { StarterKit } from '@tiptap/starter-kit';
import { useEffect, useReducer, useRef, useState } from 'react';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { normaliseCaretColours, renderCaret, renderSelection } from './carets';
import { type CollabState, collabReducer, initialCollabState } from './status';

export function collabServerUrl(loc: Pick<Location, 'protocol' | 'host'> = window.location): string {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}${COLLAB_PATH}`;
}

function bodyAttributes(editable: boolean): Record<string, string> {
  return {
    class: 'collab-body',
    role: 'textbox',
    'aria-multiline': 'true',
    'aria-label': 'Idea text',
    'aria-readonly': String(!editable),
  };
}

interface Session {
  editor: Editor;
  provider: WebsocketProvider;
}

export interface CollabBody {
  editor: Editor | null;
  state: CollabState;
  /** Whether typing reaches the others now (allowed, synced once, not refused). */
  editable: boolean;
}

/**
 * @param canEdit whether this user may write the body (the server decides the same on connect).
 * @param userName the local caret's name; the server replaces it with the session's anyway.
 */
export function useCollabBody(ideaId: string, canEdit: boolean, userName: string): CollabBody {
  const [session, setSession] = useState<Session | null>(null);
  const [state, dispatch] = useReducer(collabReducer, undefined, () =>
    initialCollabState(typeof navigator !== 'undefined' && navigator.onLine === false),
  );
  const nameRef = useRef(userName);

  useEffect(() => {
    const doc = new Y.Doc();
    // No BroadcastChannel between tabs: every change goes through the server, which decides who writes.
    const provider = new WebsocketProvider(collabServerUrl(), ideaDocName(ideaId), doc, { connect: false, disableBc: true });
    provider.on('status', ({ status }) => dispatch({ type: 'status', status }));
    provider.on('sync', (synced) => dispatch({ type: 'sync', synced }));
    provider.on('connection-close', (event) => dispatch({ type: 'connection-close', code: event ? event.code : null }));
    provider.on('closed', ({ code }) => dispatch({ type: 'closed', code }));
    normaliseCaretColours(provider.awareness);
    const editor = new Editor({
      editable: false,
      extensions: [
        // Yjs keeps the history (per user) once collaborating: ProseMirror's own would undo others' text.
        // Headings in the text sit under the page's h1 and the section's h2.
        StarterKit.configure({ undoRedo: false, heading: { levels: [3, 4] }, link: { openOnClick: false } }),
        Collaboration.configure({ document: doc, field: IDEA_BODY_FRAGMENT }),
        CollaborationCaret.configure({
          provider,
          user: { name: nameRef.current },
          render: renderCaret,
          selectionRender: renderSelection,
        }),
        Placeholder.configure({ placeholder: 'Describe the idea: the problem, who has it, how it could work…' }),
      ],
      editorProps: { attributes: bodyAttributes(false) },
    });
    setSession({ editor, provider });
    // Connect after this tick: a mount that is undone at once (StrictMode) then opens no socket.
    const timer = setTimeout(() => provider.connect(), 0);
    // A socket can outlive the network for a while (the provider's own watchdog waits 30 s), so
    // the browser's word is taken at once: drop the socket when it goes offline, open a new one
    // (which syncs both ways) when it is back. Meanwhile edits stay in this tab's document.
    let pausedOffline = false;
    const offline = () => {
      dispatch({ type: 'network', online: false });
      if (!provider.shouldConnect) return;
      pausedOffline = true;
      provider.disconnect();
    };
    const online = () => {
      dispatch({ type: 'network', online: true });
      if (!pausedOffline) return;
      pausedOffline = false;
      provider.connect();
    };
    window.addEventListener('online', online);
    window.addEventListener('offline', offline);
    return () => {
      clearTimeout(timer);
      window.removeEventListener('online', online);
      window.removeEventListener('offline', offline);
      setSession(null);
      editor.destroy();
      provider.destroy();
      doc.destroy();
    };
  }, [ideaId]);

  const editable = canEdit && state.everSynced && state.phase !== 'refused';
  const editor = session?.editor ?? null;
  useEffect(() => {
    if (!editor || editor.isDestroyed) return;
    editor.setOptions({ editorProps: { attributes: bodyAttributes(editable) } });
    editor.setEditable(editable, false);
  }, [editor, editable]);

  // The server decides write access when a connection opens (and re-checks it while the user
  // writes, only ever taking it away). When this user gains the right (an unlock, a new role),
  // reconnect so the server asks again; otherwise their changes would be dropped unseen.
  const provider = session?.provider ?? null;
  const couldEdit = useRef(canEdit);
  useEffect(() => {
    const gained = canEdit && !couldEdit.current;
    couldEdit.current = canEdit;
    if (!gained || !provider?.shouldConnect) return;
    provider.disconnect();
    provider.connect();
  }, [canEdit, provider]);

  return { editor, state, editable };
}
