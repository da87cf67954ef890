import { useEffect, useState } from 'react';
import { type ApiError } from '../api/api-error';
import { type StudioApi } from '../api/studio-api';
import { type Model } from '../api/types';
import { age } from '../format';
import { ErrorNote } from './ErrorNote';
import { StatusBadge } from './StatusBadge';
import { TrainingProgress } from './TrainingProgress';

const RUNNING = ['queued', 'preparing', 'training', 'registering'];

/** The tenant's models: status, trigger phrase, age; pick one to generate, cancel a training, delete. */
export function ModelsPanel({
  api,
  models,
  loaded,
  selected,
  onPick,
  onTrain,
  onChanged,
}: {
  api: StudioApi;
  models: Model[];
  loaded: boolean;
  selected: string | undefined;
  onPick: (id: string) => void;
  onTrain: () => void;
  onChanged: () => void;
}) {
  const [error, setError] = useState<ApiError>();
  // Re-render now and then so "5 min ago" stays true while the page is open.
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  const act = async (action: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await action();
    } catch (err) {
      setError(err as ApiError);
    }
    onChanged();
  };

  if (!loaded) return <p className="empty">Loading models…</p>;
  return (
    <section aria-labelledby="models-title">
      <div className="section-head">
        <h2 id="models-title">Models</h2>
        <button type="button" onClick={onTrain}>
          Train a new model
        </button>
      </div>
      <ErrorNote error={error} />
      {models.length === 0 ? (
        <div className="empty card">
          <p>No models yet.</p>
          <p>Train one from 10–15 photos of one person; on the local emulator it takes about half a minute.</p>
        </div>
      ) : (
        <ul className="model-list">
          {models.map((m) => (
            <li key={m.id} className={`card model${m.id === selected ? ' model-selected' : ''}`} data-model-id={m.id}>
              <div className="model-head">
                <h3>{m.name}</h3>
                <StatusBadge status={m.status} />
              </div>
              <p className="trigger">
                Trigger: <code>{m.triggerPhrase}</code>
              </p>
              <p className="meta">
                {m.photoCount} photos · created <time dateTime={m.createdAt}>{age(m.createdAt, now)}</time> ·{' '}
                <code>{m.id}</code>
              </p>
              {RUNNING.includes(m.status) && <TrainingProgress model={m} />}
              {m.status === 'failed' && m.failureReason && <p className="reason">{m.failureReason}</p>}
              <div className="actions">
                {m.id === selected && <span className="selected-tag">Selected</span>}
                {m.status === 'ready' && (
                  <button type="button" onClick={() => onPick(m.id)}>
                    Generate with this model
                  </button>
                )}
                {RUNNING.includes(m.status) && (
                  <button type="button" className="secondary" onClick={() => void act(() => api.cancelModel(m.id))}>
                    Cancel training
                  </button>
                )}
                <button
                  type="button"
                  className="danger"
                  onClick={() => {
                    if (window.confirm(`Delete “${m.name}”? Its trained artifact is removed too.`))
                      void act(() => api.deleteModel(m.id));
                  }}
                >
                  Delete
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
