import { type FormEvent, useState } from 'react';
import { signup } from '../api';
import { ErrorNotice } from '../components/ErrorNotice';
import { TextField } from '../components/Field';
import { describeError, issueFor } from '../errors';
import { useAction, useDocumentTitle } from '../hooks';
import { Link, navigate, useLocation } from '../navigation';
import { safeNextPath, withNext } from '../router';
import { useSession } from '../session';

const LABELS = { email: 'Email', handle: 'Handle', displayName: 'Display name', password: 'Password' };

export function SignupPage() {
  useDocumentTitle('Sign up');
  const { user, setUser } = useSession();
  const location = useLocation();
  const next = safeNextPath(new URLSearchParams(location.search).get('next'));
  const [email, setEmail] = useState('');
  const [handle, setHandle] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [showPassword, setShowPassword] = useState(false);
  const { busy, error, run } = useAction();
  const fields = error ? describeError(error).fields : [];

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const name = displayName.trim();
      const res = await signup({
        email: email.trim(),
        password,
        handle: handle.trim(),
        ...(name ? { displayName: name } : {}),
      });
      setUser(res.user);
      navigate(next, { replace: true });
    });
  };

  if (user && !busy) {
    return (
      <section className="auth-card">
        <h1>You're signed up</h1>
        <p>
          Welcome, <strong>@{user.handle}</strong>. <Link to={next}>Continue</Link>
        </p>
      </section>
    );
  }

  return (
    <section className="auth-card">
      <h1>Create your account</h1>
      <form onSubmit={onSubmit} className="stack">
        <ErrorNotice
          error={error}
          overrides={{ CONFLICT: 'An account with that email or handle already exists.' }}
          fieldLabels={LABELS}
        />
        <TextField
          label={LABELS.email}
          type="email"
          name="email"
          autoComplete="email"
          required
          maxLength={254}
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={issueFor(fields, 'email')}
        />
        <TextField
          label={LABELS.handle}
          name="handle"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          required
          minLength={3}
          maxLength={24}
          pattern="[A-Za-z0-9_]{3,24}"
          hint="3–24 letters, digits or underscores. This is your @name."
          value={handle}
          onChange={(e) => setHandle(e.target.value)}
          error={issueFor(fields, 'handle')}
        />
        <TextField
          label={LABELS.displayName}
          name="displayName"
          autoComplete="name"
          optional
          maxLength={60}
          value={displayName}
          onChange={(e) => setDisplayName(e.target.value)}
          error={issueFor(fields, 'displayName')}
        />
        <TextField
          label={LABELS.password}
          type={showPassword ? 'text' : 'password'}
          name="password"
          autoComplete="new-password"
          required
          minLength={10}
          maxLength={256}
          hint="At least 10 characters."
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={issueFor(fields, 'password')}
        />
        <label className="checkbox">
          <input type="checkbox" checked={showPassword} onChange={(e) => setShowPassword(e.target.checked)} />
          Show password
        </label>
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          {busy ? 'Creating account…' : 'Sign up'}
        </button>
      </form>
      <p className="auth-switch">
        Already have an account? <Link to={withNext('/login', next)}>Log in</Link>
      </p>
    </section>
  );
}
