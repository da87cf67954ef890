import { Router, type Request, type Response } from 'express';
import { idSchema } from '@dreamqueue/contracts';
import { conflict, notFound } from '@dreamqueue/errors';
import { isRunning, type ModelRecord } from '@dreamqueue/records';
import { fingerprint, type IdempotencyStore } from '../idempotency/idempotency.store';
import { principalOf } from '../middleware/authenticate';
import { type TenantQuotas } from '../quotas/tenant-quotas';
import { createModel, type CreateModelDeps } from './create-model';
import { DEFAULT_IMAGE_RULES, type ImageRules } from './image-check';
import { modelView } from './model-view';
import { parseModelFields } from './model-request';
import { DEFAULT_UPLOAD_LIMITS, readModelUpload, type UploadLimits } from './multipart-intake';
import { removeModelArtifacts } from './remove-model-artifacts';
import { validatePhotos } from './validate-photos';

export interface ModelRoutesDeps extends CreateModelDeps {
  idempotency: IdempotencyStore;
  /** Asked before the upload is read, so a tenant at its concurrent-trainings quota uploads nothing. */
  quotas: Pick<TenantQuotas, 'precheck'>;
  /** The MME's model prefix, where registered artifacts live. */
  mmePrefix: string;
  uploadLimits?: UploadLimits;
  imageRules?: ImageRules;
}

const modelId = idSchema('model');

/** `/v1/models`: create from photos, list, read, cancel and delete — always within the caller's tenant. */
export function modelRoutes(deps: ModelRoutesDeps): Router {
  const router = Router({ caseSensitive: true });
  const limits = deps.uploadLimits ?? DEFAULT_UPLOAD_LIMITS;
  const rules = deps.imageRules ?? DEFAULT_IMAGE_RULES;

  router.post('/models', async (req, res) => {
    const { tenantId } = principalOf(res);
    const idempotencyKey = header(req, 'idempotency-key');
    // A retry of a request that was accepted must still get its stored answer, so it skips the early check.
    if (!(idempotencyKey && (await deps.idempotency.holds(tenantId, idempotencyKey))))
      await deps.quotas.precheck(tenantId, { trainings: 1 });
    const upload = await readModelUpload(req, limits);
    const fieldParts = Object.keys(upload.fields)
      .sort()
      .map((k) => `${k}=${upload.fields[k]}`);
    const print = fingerprint('POST /v1/models', ...fieldParts, ...upload.images.map((i) => i.bytes));
    const result = await deps.idempotency.run(tenantId, idempotencyKey, print, async () => {
      const request = parseModelFields(upload.fields);
      const photos = await validatePhotos(upload.images, rules);
      const record = await createModel(deps, tenantId, request, photos);
      return { status: 202, body: modelView(record) };
    });
    if (result.replayed) res.setHeader('idempotent-replayed', 'true');
    res.status(result.status).json(result.body);
  });

  router.get('/models', async (req, res) => {
    const { tenantId } = principalOf(res);
    const limit = Math.min(Math.max(Number.parseInt(String(req.query.limit ?? '20'), 10) || 20, 1), 100);
    const cursor =
      typeof req.query.cursor === 'string' && /^\d{1,9}$/.test(req.query.cursor) ? req.query.cursor : undefined;
    const page = await deps.models.list(tenantId, limit, cursor);
    res.json({
      object: 'list',
      data: page.items.map(modelView),
      ...(page.nextCursor && { nextCursor: page.nextCursor }),
    });
  });

  router.get('/models/:id', async (req, res) => {
    res.json(modelView(await ownModel(req, res, true)));
  });

  router.post('/models/:id/cancel', async (req, res) => {
    const model = await ownModel(req, res);
    if (!isRunning(model.status))
      throw conflict(
        'model_not_cancelable',
        `Model ${model.id} is ${model.status}; only a training in progress can be canceled.`,
      );
    const { record, changed } = await deps.models.transition(model.tenantId, model.id, 'canceled');
    if (!changed)
      throw conflict(
        'model_not_cancelable',
        `Model ${model.id} is ${record?.status}; only a training in progress can be canceled.`,
      );
    await wakeTrainJob(deps, model.id);
    res.json(modelView(record!));
  });

  router.delete('/models/:id', async (req, res) => {
    const model = await ownModel(req, res);
    const { record, changed } = await deps.models.transition(model.tenantId, model.id, 'deleted');
    if (!changed) throw notFound('Model', model.id);
    // A running training notices at its next step and discards its result; wake it so that happens now.
    await wakeTrainJob(deps, model.id);
    await removeModelArtifacts(deps, record!, req.log);
    res.json(modelView(record!));
  });

  async function ownModel(req: Request, res: Response, includeDeleted = false): Promise<ModelRecord> {
    const { tenantId } = principalOf(res);
    const id = String(req.params.id);
    // A malformed id is never used as (part of) a key.
    if (!modelId.safeParse(id).success) throw notFound('Model', undefined);
    const model = await deps.models.get(tenantId, id);
    if (!model || (model.status === 'deleted' && !includeDeleted)) throw notFound('Model', id);
    return model;
  }

  return router;
}

/** Moves a waiting (delayed) train job to the front so it sees a cancel or delete now, not at its next poll. */
async function wakeTrainJob(deps: ModelRoutesDeps, id: string): Promise<void> {
  const job = await deps.trainQueue.getJob(id).catch(() => undefined);
  if (job && (await job.isDelayed().catch(() => false))) await job.promote().catch(() => undefined);
}

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
