import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { type Queue } from 'bullmq';
import { type NextFunction, type Request, type Response, Router } from 'express';
import { hasRole } from '../auth/api-key';
import { principalOf } from '../middleware/authenticate';

export const BULL_BOARD_PATH = '/admin/queues';

/**
 * Bull Board has no login of its own. Operators get a read-only board; admins get one that can retry,
 * promote, clean and pause. Both are served at the same path; the caller's role picks which.
 * `authenticate` + `requireRole('operator')` run before this router.
 */
export function bullBoardRouter(queues: Queue[]): Router {
  const readOnly = buildBoard(queues, true);
  const full = buildBoard(queues, false);
  const router = Router();
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
    queues: queues.map((queue) => new BullMQAdapter(queue, { readOnlyMode, allowRetries: !readOnlyMode })),
    serverAdapter,
    options: { uiConfig: { boardTitle: readOnlyMode ? 'dreamqueue (read-only)' : 'dreamqueue' } },
  });
  return serverAdapter.getRouter() as Router;
}
