import { createBullBoard } from '@bull-board/api';
import { ExpressAdapter } from '@bull-board/express';
import { type Queue } from 'bullmq';
import { type NextFunction, type Request, type Response, Router } from 'express';
import { hasRole } from '../auth/api-key';
import { principalOf } from '../middleware/authenticate';
import { RedactingBullMQAdapter } from './redacting-adapter';

export const BULL_BOARD_PATH = '/admin/queues';

/**
 * Bull Board has no login of its own. Operators get a read-only board; admins get one that can retry,
 * promote, clean and pause. Both are served at the same path; the caller's role picks which.
 * `authenticate` + `requireRole('operator')` run before this router.
 */
export function bullBoardRouter(queues: Queue[]): Router {
  const readOnly = buildBoard(queues, true);
  const full = buildBoard(queues, false);
  const router = Router({ caseSensitive: true });
  router.use((req: Request, res: Response, next: NextFunction) => {
    const board = hasRole(principalOf(res).role, 'admin') ? full : readOnly;
    board(req, res, next);
  });
  return router;
}

function buildBoard(queues: Queue[], readOnlyMode: boolean): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: queues.map(
      (queue) =>
        new RedactingBullMQAdapter(queue, {
          readOnlyMode,
          allowRetries: !readOnlyMode,
          externalJobUrl: externalJobUrl as ResourceLink,
        }),
    ),
    serverAdapter,
    options: { uiConfig: { boardTitle: readOnlyMode ? 'dreamqueue (read-only)' : 'dreamqueue' } },
  });
  return serverAdapter.getRouter() as Router;
}

// bull-board types the callback as always returning a link; at run time a job without one just shows no link.
type ResourceLink = (job: { data?: unknown }) => { href: string; displayText: string };

/**
 * Each job links to the resource it works for, so an operator goes from a failed job to the model,
 * generation or batch (and from a webhook job to its delivery record).
 */
export function externalJobUrl(job: { data?: unknown }): { href: string; displayText: string } | undefined {
  const data = (job.data ?? {}) as Record<string, unknown>;
  const link = (path: string, id: unknown) =>
    typeof id === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(id) ? { href: `${path}/${id}`, displayText: id } : undefined;
  return (
    link('/v1/generations', data.generationId) ??
    link('/v1/batches', data.batchId) ??
    link('/v1/models', data.modelId) ??
    link('/v1/admin/webhooks', data.eventId)
  );
}
