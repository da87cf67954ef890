import { useCallback, useEffect, useRef, useState } from 'react';
import { type ApiError } from './api/api-error';
import { useResourceEvents } from './events-context';

/**
 * Keeps one resource fresh: refetched on every event about it from `/v1/events`, and polled every
 * `pollMs` while it is not finished (queue positions change without events, and a dropped stream should
 * not freeze the page).
 */
export function useLive<T>(
  resource: 'model' | 'generation' | 'batch',
  id: string | undefined,
  fetcher: (id: string) => Promise<T>,
  isFinished: (value: T) => boolean,
  pollMs: number,
): { value: T | undefined; error: ApiError | undefined; refresh: () => void; set: (value: T) => void } {
  const [value, setValue] = useState<T>();
  const [error, setError] = useState<ApiError>();
  const fetchRef = useRef(fetcher);
  fetchRef.current = fetcher;
  const finishedRef = useRef(isFinished);
  finishedRef.current = isFinished;

  const refresh = useCallback(() => {
    if (!id) return;
    fetchRef
      .current(id)
      .then((v) => {
        setValue(v);
        setError(undefined);
      })
      .catch((e: ApiError) => setError(e));
  }, [id]);

  useEffect(() => {
    setValue(undefined);
    setError(undefined);
    refresh();
  }, [refresh]);

  useResourceEvents(resource, id, refresh);

  const finished = value !== undefined && finishedRef.current(value);
  useEffect(() => {
    if (!id || finished) return;
    const timer = setInterval(refresh, pollMs);
    return () => clearInterval(timer);
  }, [id, finished, pollMs, refresh]);

  return { value, error, refresh, set: setValue };
}
