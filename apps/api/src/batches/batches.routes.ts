import { createHash } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import { idSchema } from '@dreamqueue/contracts';
import { notFound } from '@dreamqueue/errors';
import { type BatchRecord } from '@dreamqueue/records';
import { type GenerationDeps } from '../generations/generation-deps';
import { fingerprint } from '../idempotency/idempotency.store';
import { principalOf } from '../middleware/authenticate';
import { sendCreated } from '../routes/created-response';
import { cancelBatch, retryFailedItems } from './batch-actions';
import { streamBatchImagesZip } from './batch-images-zip';
import { readJsonBatch, readNdjsonBatch, type BatchIntake } from './batch-intake';
import { streamBatchResults } from './batch-results';
import { batchView } from './batch-view';
import { batchIdFor, createBatch } from './create-batch';

const batchId = idSchema('batch');
export const DEFAULT_BATCH_MAX_BYTES = 64 * 1024 * 1024;

/** `/v1/batches`: JSON or NDJSON intake of up to 100 000 items, status, results (NDJSON, or the images as a zip), cancel, retry-failed. */
export function batchRoutes(deps: GenerationDeps): Router {
  const router = Router({ caseSensitive: true });
  const maxBytes = deps.batchMaxBytes ?? DEFAULT_BATCH_MAX_BYTES;
  const json = express.json({
    limit: maxBytes,
    verify: (req, _res, buf) => {
      (req as Request & { bodyHash?: string }).bodyHash = createHash('sha256').update(buf).digest('hex');
    },
  });

  router.post(
    '/batches',
    async (req, res, next) => {
      if (req.is('application/x-ndjson')) return next();
      json(req, res, next);
    },
    async (req, res) => {
      const { tenantId } = principalOf(res);
      const intake: BatchIntake = req.is('application/x-ndjson')
        ? await readNdjsonBatch(req, maxBytes)
        : readJsonBatch(req.body, (req as Request & { bodyHash?: string }).bodyHash ?? '');
      const key = header(req, 'idempotency-key');
      const id = batchIdFor(tenantId, key);
      const result = await deps.idempotency.run(
        tenantId,
        key,
        fingerprint('POST /v1/batches', intake.bodyHash),
        async () => {
          const record = await createBatch(deps, tenantId, id, intake);
          return { status: 202, body: batchView(record) };
        },
      );
      if (result.replayed) res.setHeader('idempotent-replayed', 'true');
      sendCreated(res, result.status, `/v1/batches/${result.body.id}`, result.body);
    },
  );

  router.get('/batches/:id', async (req, res) => {
    res.json(batchView(await own(req, res)));
  });

  router.get('/batches/:id/results', async (req, res) => {
    await streamBatchResults(deps, await own(req, res), res);
  });

  router.get('/batches/:id/images.zip', async (req, res) => {
    await streamBatchImagesZip(deps, await own(req, res), res);
  });

  router.post('/batches/:id/cancel', async (req, res) => {
    const batch = await own(req, res);
    await cancelBatch(deps, batch);
    res.json(batchView((await deps.batches.get(batch.tenantId, batch.id))!));
  });

  router.post('/batches/:id/retry-failed', async (req, res) => {
    const batch = await own(req, res);
    const retried = await retryFailedItems(deps, batch);
    res
      .status(retried > 0 ? 202 : 200)
      .json({ ...batchView((await deps.batches.get(batch.tenantId, batch.id))!), retried });
  });

  async function own(req: Request, res: Response): Promise<BatchRecord> {
    const { tenantId } = principalOf(res);
    const id = String(req.params.id);
    const record = batchId.safeParse(id).success ? await deps.batches.get(tenantId, id) : undefined;
    if (!record) throw notFound('Batch', id);
    return record;
  }

  return router;
}

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
