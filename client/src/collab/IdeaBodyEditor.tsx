import { type Editor, EditorContent, useEditorState } from '@tiptap/react';
import { useEffect, useState } from 'react';
import { Link } from '../navigation';
import type { Block } from '../permissions';
import { describeCollab } from './status';
import { useCollabBody } from './useCollabBody';

interface Props {
  ideaId: string;
  /** May this user write the body now (a member, the idea neither locked nor merged). */
  canEdit: boolean;
  /** Why not, when they may not: shown as a short note with where to go. */
  readOnlyReason: Block | null;
  /** The local user's name for the caret (the server sets the one others see from the session). */
  userName: string;
  /** The last plain-text extract, shown when the live text cannot be opened at all. */
  fallbackText: string;
}

/** A lost connection shorter than this (a reconnect to re-check access) shows nothing. */
const OFFLINE_AFTER_MS = 1500;

/** The idea's body, written together live: text, others' carets, a small toolbar, the connection's state. */
export function IdeaBodyEditor({ ideaId, canEdit, readOnlyReason, userName, fallbackText }: Props) {
  const { editor, state, editable } = useCollabBody(ideaId, canEdit, userName);
  const status = useSteadyStatus(describeCollab(state, canEdit));
  const empty = useEditorState({ editor, selector: (s) => s.editor?.isEmpty ?? true }) ?? true;
  const neverOpened = state.phase === 'refused' && !state.everSynced;

  return (
    <section className="collab" aria-labelledby="collab-heading">
      <div className="collab-head">
        <h2 id="collab-heading" className="collab-title">
          Details
        </h2>
        <p className={`collab-status collab-status-${status.tone}`} role="status" aria-live="polite">
          <span className="collab-dot" aria-hidden="true" />
          {status.label}
          {!editable && state.phase === 'live' && <span className="collab-readonly"> · read-only</span>}
        </p>
      </div>
      {status.detail && (
        <p className={status.tone === 'error' ? 'notice notice-error notice-compact' : 'notice notice-compact'}>{status.detail}</p>
      )}
      {!canEdit && readOnlyReason && (
        <p className="collab-note">
          {readOnlyReason.message}
          {readOnlyReason.link && (
            <>
              {' '}
              <Link to={readOnlyReason.link.to}>{readOnlyReason.link.label}</Link>
            </>
          )}
        </p>
      )}
      {editable && editor && <FormatToolbar editor={editor} />}
      {/* Until the live text arrives (or when it never can: a refusal, a proxy without WebSockets),
          the last saved extract stands in for it, so the idea can be read at once. */}
      {!state.everSynced &&
        (fallbackText.trim() ? (
          <div className="idea-text prewrap collab-preview" aria-busy={!neverOpened}>
            {fallbackText}
          </div>
        ) : (
          <p className="empty">{neverOpened ? 'No details were given.' : 'Loading the text…'}</p>
        ))}
      <div className={editable ? 'collab-frame collab-frame-editable' : 'collab-frame'} hidden={!state.everSynced}>
        <EditorContent editor={editor} />
        {!editable && empty && <p className="empty collab-empty">No details were given.</p>}
      </div>
    </section>
  );
}

/** Connection trouble that clears up within a moment is not announced; refusals and recoveries are. */
function useSteadyStatus(view: ReturnType<typeof describeCollab>) {
  const [shown, setShown] = useState(view);
  const key = `${view.tone}|${view.label}|${view.detail ?? ''}`;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the key stands for the view
  useEffect(() => {
    if (view.tone !== 'warning') {
      setShown(view);
      return;
    }
    const timer = setTimeout(() => setShown(view), OFFLINE_AFTER_MS);
    return () => clearTimeout(timer);
  }, [key]);
  return shown;
}

interface Tool {
  label: string;
  mark: string;
  active: (e: Editor) => boolean;
  run: (e: Editor) => void;
}

const TOOLS: Tool[] = [
  { label: 'Bold', mark: 'B', active: (e) => e.isActive('bold'), run: (e) => e.chain().focus().toggleBold().run() },
  { label: 'Italic', mark: 'I', active: (e) => e.isActive('italic'), run: (e) => e.chain().focus().toggleItalic().run() },
  {
    label: 'Heading',
    mark: 'H',
    active: (e) => e.isActive('heading', { level: 3 }),
    run: (e) => e.chain().focus().toggleHeading({ level: 3 }).run(),
  },
  { label: 'Bulleted list', mark: '•', active: (e) => e.isActive('bulletList'), run: (e) => e.chain().focus().toggleBulletList().run() },
  { label: 'Numbered list', mark: '1.', active: (e) => e.isActive('orderedList'), run: (e) => e.chain().focus().toggleOrderedList().run() },
];

function FormatToolbar({ editor }: { editor: Editor }) {
  const active = useEditorState({ editor, selector: (s) => TOOLS.map((t) => t.active(s.editor)) });
  return (
    <div className="collab-toolbar" role="toolbar" aria-label="Formatting">
      {TOOLS.map((tool, i) => (
        <button
          key={tool.label}
          type="button"
          className={`btn btn-small collab-tool collab-tool-${tool.label.toLowerCase().replace(/\s+/g, '-')}`}
          aria-label={tool.label}
          title={tool.label}
          aria-pressed={active[i] ?? false}
          // Keep the selection in the text while clicking.
          onMouseDown={(e) => e.preventDefault()}
          onClick={() => tool.run(editor)}
        >
          <span aria-hidden="true">{tool.mark}</span>
        </button>
      ))}
    </div>
  );
}
