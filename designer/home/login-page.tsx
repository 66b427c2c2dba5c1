/** Sign-in screen. */
import { useState, type FormEvent } from 'react';
import { errorMessage, type ApiClient } from '../api-client.ts';
import type { User } from '../../runtime/api/contract/schemas.ts';
import { Brand } from '../shell/brand.tsx';

export function LoginPage({ api, onSignedIn, notice }: { api: ApiClient; onSignedIn: (u: User) => void; notice?: string | null }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { user } = await api.login(username.trim(), password);
      onSignedIn(user);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="login-page">
      <form className="login-card" onSubmit={submit}>
        <Brand />
        <h1>Sign in</h1>
        <p className="muted">Design, test and release the flows that keep your finance systems in agreement.</p>
        {notice && <div className="callout callout-warning">{notice}</div>}
        <label className="field">
          <span className="field-label">Username</span>
          <input autoFocus autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required />
        </label>
        <label className="field">
          <span className="field-label">Password</span>
          <input type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </label>
        {error && <div className="callout callout-error" role="alert">{error}</div>}
        <button type="submit" className="btn btn-primary btn-block" disabled={busy || !username || !password}>{busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
    </div>
  );
}
