import { type FormEvent, type ReactNode, useState } from 'react';
import { joinCommunity, leaveCommunity } from '../api';
import { ErrorNotice } from '../components/ErrorNotice';
import { TextAreaField, TextField } from '../components/Field';
import { describeError, issueFor } from '../errors';
import { roleLabel } from '../format';
import { useAction } from '../hooks';
import { Link, useLocation } from '../navigation';
import { withNext } from '../router';
import { useSession } from '../session';
import type { CommunityView } from '../types';

interface Props {
  community: CommunityView;
  onChange: (community: CommunityView) => void;
}

/** Join, request to join, join with an invite code, or leave: whatever the join policy allows. */
export function JoinPanel({ community, onChange }: Props) {
  const { user } = useSession();
  const location = useLocation();
  const [message, setMessage] = useState('');
  const [inviteCode, setInviteCode] = useState('');
  const [requested, setRequested] = useState(false);
  const [confirmLeave, setConfirmLeave] = useState(false);
  const { busy, error, run } = useAction();
  const fields = error ? describeError(error).fields : [];
  const m = community.membership;

  const join = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const body =
        community.joinPolicy === 'invite'
          ? { inviteCode: inviteCode.trim() }
          : community.joinPolicy === 'request' && message.trim()
            ? { message: message.trim() }
            : {};
      const res = await joinCommunity(community.slug, body);
      if (res.status === 'pending') setRequested(true);
      onChange(res.community);
    });
  };

  const leave = () =>
    void run(async () => {
      await leaveCommunity(community.slug);
      setConfirmLeave(false);
      onChange({ ...community, membership: null, memberCount: Math.max(0, community.memberCount - 1) });
    });

  let body: ReactNode;
  if (!user) {
    body = (
      <p>
        <Link to={withNext('/login', location.href)}>Log in</Link> or <Link to={withNext('/signup', location.href)}>sign up</Link> to
        join this community.
      </p>
    );
  } else if (m?.status === 'banned') {
    body = <p>You have been banned from this community.</p>;
  } else if (m?.status === 'active') {
    body = (
      <>
        <p>
          You are a <strong>{roleLabel(m.role).toLowerCase()}</strong> of this community.
        </p>
        {confirmLeave ? (
          <fieldset className="confirm">
            <legend>
              Leave {community.name}? {community.joinPolicy !== 'open' && 'You may need approval or an invite to come back.'}
            </legend>
            <div className="form-actions">
              <button type="button" className="btn btn-danger" onClick={leave} disabled={busy}>
                {busy ? 'Leaving…' : 'Yes, leave'}
              </button>
              <button type="button" className="btn btn-ghost" onClick={() => setConfirmLeave(false)} disabled={busy}>
                Stay
              </button>
            </div>
          </fieldset>
        ) : (
          <button type="button" className="btn btn-small" onClick={() => setConfirmLeave(true)}>
            Leave community
          </button>
        )}
      </>
    );
  } else if (requested) {
    body = (
      <p role="status" className="notice notice-success">
        Request sent. An admin will review it; you'll be able to take part once approved.
      </p>
    );
  } else {
    body = (
      <form onSubmit={join} className="stack">
        {community.joinPolicy === 'open' && <p>Join to post ideas, vote and comment.</p>}
        {community.joinPolicy === 'request' && (
          <TextAreaField
            label="Message to the admins"
            optional
            rows={2}
            maxLength={500}
            value={message}
            onChange={(e) => setMessage(e.target.value)}
            hint="Membership needs approval. Say who you are or why you'd like to join."
            error={issueFor(fields, 'message')}
          />
        )}
        {community.joinPolicy === 'invite' && (
          <TextField
            label="Invite code"
            required
            minLength={8}
            maxLength={128}
            autoComplete="off"
            spellCheck={false}
            value={inviteCode}
            onChange={(e) => setInviteCode(e.target.value)}
            hint="This community is invite only. Paste the code you were given."
            error={issueFor(fields, 'inviteCode')}
          />
        )}
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Sending…' : community.joinPolicy === 'request' ? 'Request to join' : 'Join community'}
        </button>
      </form>
    );
  }

  return (
    <section className="panel" aria-labelledby="join-title">
      <h2 id="join-title">Membership</h2>
      <ErrorNotice error={error} fieldLabels={{ inviteCode: 'Invite code', message: 'Message' }} />
      {body}
    </section>
  );
}
