import { useState } from 'react';
import { type ApiError } from '../api/api-error';
import { type StudioApi } from '../api/studio-api';
import { type Batch, type BatchResultLine } from '../api/types';
import { eta, percent, saveFile } from '../format';
import { gpuSecondsUsed } from '../gpu-seconds';
import { useLive } from '../use-live';
import { ErrorNote } from './ErrorNote';
import { StatusBadge } from './StatusBadge';

const FINISHED = ['completed', 'failed', 'canceled'];
const PREVIEW = 24;

/** One batch, live: progress and ETA, cancel, retry failed, the manifest and the images. */
export function BatchCard({ api, id }: { api: StudioApi; id: string }) {
  const live = useLive<Batch>('batch', id, api.getBatch, (b) => FINISHED.includes(b.status), 2_000);
  const [error, setError] = useState<ApiError>();
  const [results, setResults] = useState<BatchResultLine[]>();
  const [downloading, setDownloading] = useState<string>();
  const b = live.value;
  if (!b) return <li className="card batch">{live.error ? <ErrorNote error={live.error} /> : 'Loading…'}</li>;
  const done = b.counts.succeeded + b.counts.failed + b.counts.canceled;
  const finished = FINISHED.includes(b.status);

  const act = async (what: string, action: () => Promise<void>) => {
    setError(undefined);
    setDownloading(what);
    try {
      await action();
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setDownloading(undefined);
    }
  };
  const downloadManifest = () =>
    act('manifest', async () => {
      const { text, lines } = await api.batchResults(b.id);
      setResults(lines);
      saveFile(`${b.id}-results.ndjson`, text, 'application/x-ndjson');
    });
  const downloadZip = () =>
    act('zip', async () => {
      const res = await api.http.raw(`/v1/batches/${encodeURIComponent(b.id)}/images.zip`);
      saveFile(`${b.id}-images.zip`, await res.blob());
    });

  return (
    <li className="card batch" data-batch-id={b.id} data-status={b.status}>
      <div className="model-head">
        <h3>
          Batch <code>{b.id}</code>
        </h3>
        <StatusBadge status={b.status} />
      </div>
      <div
        className="progress"
        role="progressbar"
        aria-label="Batch progress"
        aria-valuemin={0}
        aria-valuemax={b.total}
        aria-valuenow={done}
      >
        <div className="progress-bar" style={{ width: percent(b.progress) }} />
      </div>
      <p className="meta" aria-live="polite">
        {done} of {b.total} done ({percent(b.progress)}) · {b.counts.succeeded} succeeded · {b.counts.failed} failed
        {b.counts.canceled > 0 && ` · ${b.counts.canceled} canceled`}
        {b.etaSeconds !== undefined && !finished && ` · ${eta(b.etaSeconds)} left`}
        {b.round > 1 && ` · retry round ${b.round}`}
        {b.gpuSeconds !== undefined && ` · ${gpuSecondsUsed(b.gpuSeconds)}`}
      </p>
      <ErrorNote error={error ?? live.error} />
      <div className="actions">
        {!finished && (
          <button
            type="button"
            className="secondary"
            onClick={() => void act('cancel', async () => live.set(await api.cancelBatch(b.id)))}
          >
            Cancel batch
          </button>
        )}
        {finished && b.counts.failed > 0 && (
          <button
            type="button"
            className="secondary"
            onClick={() => void act('retry', async () => live.set(await api.retryFailed(b.id)))}
          >
            Retry {b.counts.failed} failed
          </button>
        )}
        {finished && (
          <>
            <button type="button" onClick={() => void downloadManifest()} disabled={downloading !== undefined}>
              {downloading === 'manifest' ? 'Downloading…' : 'Download results (NDJSON)'}
            </button>
            <button
              type="button"
              onClick={() => void downloadZip()}
              disabled={downloading !== undefined || b.counts.succeeded === 0}
            >
              {downloading === 'zip' ? 'Zipping…' : `Download ${b.counts.succeeded} images (.zip)`}
            </button>
          </>
        )}
      </div>
      {results && (
        <ul className="thumbs" aria-label="Batch images">
          {results
            .filter((r) => r.url)
            .slice(0, PREVIEW)
            .map((r) => (
              <li key={r.index}>
                <a href={r.url} target="_blank" rel="noreferrer" title={r.prompt}>
                  <img
                    src={r.url}
                    alt={`Item ${r.index + 1}: ${r.prompt ?? ''}`}
                    loading="lazy"
                    width={96}
                    height={96}
                  />
                </a>
              </li>
            ))}
        </ul>
      )}
    </li>
  );
}
