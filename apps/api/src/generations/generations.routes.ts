import express, { Router, type Request, type Response } from 'express';
import { GenerationRequest, idSchema } from '@dreamqueue/contracts';
import { conflict, notFound } from '@dreamqueue/errors';
import { type GenerationRecord } from '@dreamqueue/records';
import { prioritizedRank } from '@dreamqueue/redis';
import { fingerprint } from '../idempotency/idempotency.store';
import { principalOf } from '../middleware/authenticate';
import { sendCreated } from '../routes/created-response';
import { createGeneration } from './create-generation';
import { type GenerationDeps } from './generation-deps';
import { createdGenerationView, generationView } from './generation-view';
import { parseBody } from './validation';

const generationId = idSchema('generation');

/** `/v1/generations`: create (202), read with presigned image URLs, cancel — always within the caller's tenant. */
export function generationRoutes(deps: GenerationDeps): Router {
  const router = Router({ caseSensitive: true });
  const json = express.json({ limit: '64kb' });

  router.post('/generations', json, async (req, res) => {
    const { tenantId } = principalOf(res);
    const request = parseBody(GenerationRequest, req.body);
    const idempotencyKey = header(req, 'idempotency-key');
    // Only a request with an Idempotency-Key is compared with an earlier one.
    const print = idempotencyKey === undefined ? '' : fingerprint('POST /v1/generations', JSON.stringify(request));
    const result = await deps.idempotency.run(tenantId, idempotencyKey, print, async () => {
      const { record, jobsAhead } = await createGeneration(deps, tenantId, request);
      return { status: 202, body: createdGenerationView(deps, record, jobsAhead) };
    });
    if (result.replayed) res.setHeader('idempotent-replayed', 'true');
    sendCreated(res, result.status, `/v1/generations/${result.body.id}`, result.body);
  });

  router.get('/generations/:id', async (req, res) => {
    const { tenantId } = principalOf(res);
    const id = String(req.params.id);
    if (!generationId.safeParse(id).success) throw notFound('Generation', id);
    // The job's rank is read alongside the record (one round trip) and used only while it is queued.
    const [record, rank] = await Promise.all([
      deps.generations.get(tenantId, id),
      prioritizedRank(deps.redis, deps.queue, id),
    ]);
    if (!record) throw notFound('Generation', id);
    res.json(await generationView(deps, record, record.jobId === id ? rank : undefined));
  });

  router.post('/generations/:id/cancel', async (req, res) => {
    const g = await own(req, res);
    const { applied, previous } = await deps.generations.transition(g.tenantId, g.id, 'canceled');
    if (!applied)
      throw conflict(
        'generation_finished',
        `Generation ${g.id} is ${previous}; only a queued or running generation can be canceled.`,
      );
    // A queued job is removed; a running one (locked) finishes and its result is discarded by the worker.
    if ((await deps.queue.remove(g.jobId)) === 1) await deps.demand.done(g.targetModel);
    res.json(await generationView(deps, (await deps.generations.get(g.tenantId, g.id))!));
  });

  async function own(req: Request, res: Response): Promise<GenerationRecord> {
    const { tenantId } = principalOf(res);
    const id = String(req.params.id);
    const record = generationId.safeParse(id).success ? await deps.generations.get(tenantId, id) : undefined;
    if (!record) throw notFound('Generation', id);
    return record;
  }

  return router;
}

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
