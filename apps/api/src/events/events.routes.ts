import { randomUUID } from 'node:crypto';
import { type Request, type Response, Router } from 'express';
import { type Redis } from 'ioredis';
import { AppError, badRequest } from '@dreamqueue/errors';
import { toStoredEvent, type EventLog, type StoredEvent } from '@dreamqueue/records';
import { waitForReady } from '@dreamqueue/redis';
import { principalOf } from '../middleware/authenticate';
import { type SseSlots } from './sse-slots';

export interface EventsRouteDeps {
  redis: Redis;
  events: EventLog;
  slots: SseSlots;
  /** Comment lines (`: ping`) keep proxies from closing an idle stream. @defaultValue 15 000 */
  heartbeatMs?: number;
  /** How long one XREAD blocks before it is issued again. @defaultValue 5000 */
  blockMs?: number;
}

const STREAM_ID = /^\d{1,20}-\d{1,20}$/;

/**
 * `GET /v1/events`: the caller's status changes (models, generations, batches) as Server-Sent Events, read
 * from the tenant's durable event stream, so nothing depends on BullMQ's best-effort QueueEvents.
 * Each event's SSE `id:` is its stream id; a client that reconnects with `Last-Event-ID` gets exactly the
 * events it missed (as long as the stream still holds them). Without it, the stream starts with events
 * appended after the connection opened. Each connection reads on a dedicated Redis connection.
 */
export function eventsRoutes(deps: EventsRouteDeps): Router {
  const router = Router({ caseSensitive: true });
  router.get('/events', async (req, res) => {
    const { tenantId } = principalOf(res);
    const lastEventId =
      req.get('last-event-id') ?? (typeof req.query.lastEventId === 'string' ? req.query.lastEventId : undefined);
    if (lastEventId !== undefined && !STREAM_ID.test(lastEventId)) {
      throw badRequest(
        'invalid_last_event_id',
        'Last-Event-ID must be an event id this API sent (e.g. 1718000000000-0).',
      );
    }
    // Authentication awaited Redis: a client that left meanwhile emitted its 'close' before anyone listened.
    if (clientGone(req)) return;
    const connectionId = randomUUID();
    if (!(await deps.slots.acquire(tenantId, connectionId))) {
      throw new AppError(
        'too_many_event_streams',
        'This tenant has too many open event streams; close one and retry.',
        { status: 429, retryable: true },
      );
    }
    await stream(deps, req, res, tenantId, connectionId, lastEventId);
  });
  return router;
}

async function stream(
  deps: EventsRouteDeps,
  req: Request,
  res: Response,
  tenantId: string,
  connectionId: string,
  lastEventId?: string,
): Promise<void> {
  const reader = deps.redis.duplicate();
  reader.on('error', () => undefined); // surfaced by the failing XREAD below
  let open = true;
  let heartbeat: NodeJS.Timeout | undefined;
  const close = () => {
    if (!open) return;
    open = false;
    clearInterval(heartbeat);
    reader.disconnect();
    void deps.slots.release(tenantId, connectionId).catch(() => undefined);
  };
  req.on('close', close);
  res.on('close', close);
  if (clientGone(req)) close(); // it left during the acquire above: nothing else would ever end this stream
  try {
    if (!open) return;
    await waitForReady(reader, 5_000);
    let cursor = lastEventId ?? (await latestId(reader, deps.events.streamKey(tenantId)));
    res.status(200).set({
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();
    res.write('retry: 3000\n\n');
    heartbeat = setInterval(() => {
      res.write(': ping\n\n');
      void deps.slots.refresh(tenantId, connectionId).catch(() => undefined);
    }, deps.heartbeatMs ?? 15_000);
    while (open) {
      const reply = (await reader.xread(
        'COUNT',
        100,
        'BLOCK',
        deps.blockMs ?? 5_000,
        'STREAMS',
        deps.events.streamKey(tenantId),
        cursor,
      )) as Array<[string, Array<[string, string[]]>]> | null;
      for (const [id, fields] of reply?.[0]?.[1] ?? []) {
        if (!res.write(format(toStoredEvent(tenantId, id, fields)))) await new Promise((r) => res.once('drain', r));
        cursor = id;
      }
    }
  } catch (err) {
    // Before the stream started, the error handler answers (503 for Redis); afterwards the client reconnects.
    if (!res.headersSent) throw err;
    if (open) req.log?.warn({ err }, 'event stream ended by an error; the client will reconnect');
  } finally {
    close();
    if (res.headersSent) res.end();
  }
}

/** True once the client's connection is gone (reset, closed), whether or not a listener saw it happen. */
function clientGone(req: Request): boolean {
  return req.socket.destroyed;
}

async function latestId(redis: Redis, key: string): Promise<string> {
  const [last] = await redis.xrevrange(key, '+', '-', 'COUNT', 1);
  return last?.[0] ?? '0';
}

function format(event: StoredEvent): string {
  const { id, type, resource, resourceId, status, data, at } = event;
  return `id: ${id}\nevent: ${type}\ndata: ${JSON.stringify({ id, type, resource, resourceId, status, data, at })}\n\n`;
}
