import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/api-error';
import { StudioApi } from '../api/studio-api';
import { ErrorNote } from './ErrorNote';

/** Checks a key with one authenticated read before keeping it for this browser session. */
export function SignIn({ onSignedIn }: { onSignedIn: (key: string) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const trimmed = key.trim();
    if (!trimmed) return;
    setBusy(true);
    setError(undefined);
    try {
      await new StudioApi(trimmed).listModels();
      onSignedIn(trimmed);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'network_error', String(err)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <h1>dreamqueue studio</h1>
      <p className="lead">Train a personal image model from 10–15 photos, then generate avatars from it.</p>
      <form onSubmit={(e) => void submit(e)} className="card">
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder="dq_…"
          value={key}
          onChange={(e) => setKey(e.target.value)}
          autoFocus
          required
        />
        <p className="hint">
          <code>npm start</code> prints a local key. The key is kept for this browser tab only.
        </p>
        <ErrorNote error={error} />
        <button type="submit" disabled={busy || key.trim() === ''}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
