import { ApiError } from './api-error';
import { type Http } from './http';
import { SseParser } from './sse-parser';
import { type StudioEvent } from './types';

export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'stopped';

/**
 * Follows `GET /v1/events` with fetch streaming, so the API key travels in the Authorization header
 * (EventSource cannot send headers, and the key never goes into a URL). After a drop it reconnects with
 * `Last-Event-ID`, so no status change in between is missed.
 */
export function followEvents(
  http: Http,
  onEvent: (event: StudioEvent) => void,
  onState: (state: StreamState, error?: ApiError) => void,
): () => void {
  const abort = new AbortController();
  let lastEventId: string | undefined;
  let delayMs = 1_000;

  const run = async () => {
    while (!abort.signal.aborted) {
      try {
        onState(lastEventId ? 'reconnecting' : 'connecting');
        const headers: Record<string, string> = { accept: 'text/event-stream' };
        if (lastEventId) headers['last-event-id'] = lastEventId;
        const res = await http.raw('/v1/events', { headers, signal: abort.signal });
        onState('live');
        delayMs = 1_000;
        const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
        const parser = new SseParser();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          for (const message of parser.push(value)) {
            if (message.id) lastEventId = message.id;
            try {
              onEvent(JSON.parse(message.data) as StudioEvent);
            } catch {
              // A line that is not an event (none is sent today) is skipped rather than ending the stream.
            }
          }
        }
      } catch (err) {
        if (abort.signal.aborted) break;
        onState('reconnecting', err instanceof ApiError ? err : undefined);
        // A key that stopped working will not start working by retrying quickly.
        if (err instanceof ApiError && err.status === 401) delayMs = 30_000;
      }
      if (abort.signal.aborted) break;
      await new Promise((r) => setTimeout(r, delayMs));
      delayMs = Math.min(delayMs * 2, 30_000);
    }
    onState('stopped');
  };
  void run();
  return () => abort.abort();
}
