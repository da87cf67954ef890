import { type GenerationRecord } from '@dreamqueue/records';
import { prioritizedRank } from '@dreamqueue/redis';
import { type GenerationView } from '../openapi/resource-schemas';
import { gpuSeconds } from '../usage/usage-view';
import { type GenerationDeps } from './generation-deps';

/**
 * The API shape of a generation. Presigned URLs are made here, at read time, for this response only: they
 * are never stored, queued or logged. `jobsAhead`: the queued generation's rank when the caller knows it
 * (the intake counted it, or it was read with the record; `null`: not waiting in the queue); otherwise it
 * is read from the queue.
 */
export async function generationView(
  deps: GenerationDeps,
  g: GenerationRecord,
  jobsAhead?: number | null,
): Promise<GenerationView> {
  const base = baseView(g);
  // `base` is this call's own object: the fields are added to it rather than spread into a copy, a literal
  // Node 20 runs on a slow path on every create (see `queuedGeneration` in @dreamqueue/records).
  if (g.status === 'queued') return Object.assign(base, await queueEstimate(deps, g.jobId, jobsAhead));
  if (g.status !== 'succeeded') return base;
  const images = await Promise.all(
    g.images.map(async (image) => {
      const { url, expiresAt } = await deps.objects.presignGet(image.key, deps.presignExpirySeconds);
      return {
        index: image.index,
        url,
        expiresAt,
        reproduction: {
          model: g.targetModel,
          modelEtag: g.artifactEtag,
          prompt: g.prompt,
          negativePrompt: g.negativePrompt,
          seed: image.seed,
          steps: g.steps,
          guidance: g.guidance,
        },
      };
    }),
  );
  return Object.assign(base, { images });
}

/**
 * `generationView` of a generation the intake just queued `jobsAhead` behind other jobs: nothing to read or
 * presign, so no promise (this answers every `POST /v1/generations`).
 */
export function createdGenerationView(deps: GenerationDeps, g: GenerationRecord, jobsAhead: number): GenerationView {
  return Object.assign(baseView(g), estimate(deps, jobsAhead));
}

function baseView(g: GenerationRecord) {
  return {
    id: g.id,
    object: 'generation' as const,
    status: g.status,
    model: g.modelId,
    prompt: g.prompt,
    negativePrompt: g.negativePrompt,
    numImages: g.numImages,
    steps: g.steps,
    guidance: g.guidance,
    seed: g.seed,
    createdAt: g.createdAt,
    ...(g.startedAt && { startedAt: g.startedAt }),
    ...(g.finishedAt && { finishedAt: g.finishedAt }),
    ...(g.deadlineAt !== undefined && { deadline: new Date(g.deadlineAt).toISOString() }),
    ...(g.error && { error: g.error }),
    links: { self: `/v1/generations/${g.id}`, cancel: `/v1/generations/${g.id}/cancel` },
    gpuSeconds: gpuSeconds(g.gpuMs),
  };
}

/** Position among waiting generate jobs (priority order) and a rough ETA. */
async function queueEstimate(
  deps: GenerationDeps,
  jobId: string,
  knownRank?: number | null,
): Promise<{ queuePosition?: number; etaSeconds?: number }> {
  const rank = knownRank !== undefined ? knownRank : await prioritizedRank(deps.redis, deps.queue, jobId);
  return rank === null ? {} : estimate(deps, rank);
}

function estimate(deps: GenerationDeps, rank: number): { queuePosition: number; etaSeconds: number } {
  const eta = deps.eta ?? { secondsPerInvocation: 6, parallelism: 4 };
  return { queuePosition: rank + 1, etaSeconds: Math.ceil(((rank + 1) * eta.secondsPerInvocation) / eta.parallelism) };
}
