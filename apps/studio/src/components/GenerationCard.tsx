import { useState } from 'react';
import { type ApiError } from '../api/api-error';
import { type StudioApi } from '../api/studio-api';
import { type GeneratedImage, type Generation } from '../api/types';
import { eta } from '../format';
import { useLive } from '../use-live';
import { ErrorNote } from './ErrorNote';
import { Gallery } from './Gallery';
import { StatusBadge } from './StatusBadge';

const FINISHED = ['succeeded', 'failed', 'canceled', 'expired'];

/** One generation, live: queued (position, ETA), running, then its images. */
export function GenerationCard({
  api,
  id,
  onReuse,
}: {
  api: StudioApi;
  id: string;
  onReuse: (generation: Generation, image?: GeneratedImage) => void;
}) {
  const live = useLive<Generation>('generation', id, api.getGeneration, (g) => FINISHED.includes(g.status), 1_000);
  const [actionError, setActionError] = useState<ApiError>();
  const g = live.value;
  if (!g) return <li className="card generation">{live.error ? <ErrorNote error={live.error} /> : 'Loading…'}</li>;
  return (
    <li className="card generation" data-generation-id={g.id} data-status={g.status}>
      <div className="model-head">
        <h3 className="prompt-title">{g.prompt}</h3>
        <StatusBadge status={g.status} />
      </div>
      <p className="meta" aria-live="polite">
        {g.numImages} image{g.numImages === 1 ? '' : 's'} · seed {g.seed} · {g.steps} steps · guidance {g.guidance}
        {g.status === 'queued' &&
          (g.queuePosition !== undefined
            ? ` · position ${g.queuePosition} in the queue${g.etaSeconds !== undefined ? `, starts in ${eta(g.etaSeconds)}` : ''}`
            : ' · waiting for a worker')}
        {g.status === 'running' && ' · generating now…'}
      </p>
      {g.error && <p className="reason">{g.error.message}</p>}
      <ErrorNote error={live.error ?? actionError} />
      <div className="actions">
        {(g.status === 'queued' || g.status === 'running') && (
          <button
            type="button"
            className="secondary"
            onClick={() =>
              void api
                .cancelGeneration(g.id)
                .then(live.set)
                .catch((e: ApiError) => setActionError(e))
            }
          >
            Cancel
          </button>
        )}
        <button type="button" className="secondary" onClick={() => onReuse(g)}>
          Use these settings again
        </button>
      </div>
      {g.images && <Gallery images={g.images} onReuse={(image) => onReuse(g, image)} />}
    </li>
  );
}
