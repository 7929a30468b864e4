import { type FormEvent, useState } from 'react';
import { login } from '../api';
import { ErrorNotice } from '../components/ErrorNotice';
import { TextField } from '../components/Field';
import { describeError, issueFor } from '../errors';
import { useAction, useDocumentTitle } from '../hooks';
import { Link, navigate, useLocation } from '../navigation';
import { safeNextPath, withNext } from '../router';
import { useSession } from '../session';

export function LoginPage() {
  useDocumentTitle('Log in');
  const { user, setUser } = useSession();
  const location = useLocation();
  const next = safeNextPath(new URLSearchParams(location.search).get('next'));
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAction();
  const fields = error ? describeError(error).fields : [];

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const res = await login({ email: email.trim(), password });
      setUser(res.user);
      navigate(next, { replace: true });
    });
  };

  if (user && !busy) {
    return (
      <section className="auth-card">
        <h1>You're logged in</h1>
        <p>
          You are signed in as <strong>@{user.handle}</strong>. <Link to={next}>Continue</Link>
        </p>
      </section>
    );
  }

  return (
    <section className="auth-card">
      <h1>Log in</h1>
      <form onSubmit={onSubmit} className="stack">
        <ErrorNotice
          error={error}
          overrides={{ UNAUTHENTICATED: 'That email and password do not match an account.' }}
          fieldLabels={{ email: 'Email', password: 'Password' }}
        />
        <TextField
          label="Email"
          type="email"
          name="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={issueFor(fields, 'email')}
        />
        <TextField
          label="Password"
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={issueFor(fields, 'password')}
        />
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
      <p className="auth-switch">
        New here? <Link to={withNext('/signup', next)}>Create an account</Link>
      </p>
    </section>
  );
}
