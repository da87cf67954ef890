import { TrainingParams } from '@dreamqueue/contracts';
import { type KeySpace } from '@dreamqueue/redis';
import { startRedisFixture, type RedisFixture } from '@dreamqueue/testing';
import { ActiveIndex } from './active-index';
import { BatchStore } from './batch.store';
import { EventLog } from './event-log';
import { GenerationStore } from './generation.store';
import { ModelStore, type ModelRecord } from './model.store';

/** The stores keep the active index in step with status changes, in the same atomic write. */
describe('ActiveIndex maintained by the stores (real Redis)', () => {
  let fx: RedisFixture;
  let keySpace: KeySpace;
  let index: ActiveIndex;
  let events: EventLog;
  beforeAll(async () => {
    fx = await startRedisFixture();
  });
  beforeEach(() => {
    keySpace = fx.keySpace('active');
    index = new ActiveIndex(fx.redis, keySpace);
    events = new EventLog(fx.redis, keySpace);
  });
  afterAll(async () => fx.close());

  const ids = async (kind: 'model' | 'generation' | 'batch') =>
    (await index.due(kind, Date.now() + 1, 100)).map((r) => `${r.tenantId}/${r.id}`);

  it('models: listed while running, removed when ready or failed, listed again when an operator retry revives a failed one', async () => {
    const models = new ModelStore(fx.redis, keySpace, events);
    const now = new Date().toISOString();
    const record: ModelRecord = {
      id: 'mdl_a',
      tenantId: 'acme',
      name: 'a',
      token: '<<a>>',
      subjectClass: 'person',
      triggerPhrase: 'photo of <<a>> person',
      params: TrainingParams.parse({}),
      photoCount: 10,
      status: 'queued',
      progress: 0,
      stages: { queued: now },
      createdAt: now,
      updatedAt: now,
      version: 1,
    };
    await models.create(record);
    await models.create({ ...record, id: 'mdl_b' });
    expect(await ids('model')).toEqual(expect.arrayContaining(['acme/mdl_a', 'acme/mdl_b']));
    await models.transition('acme', 'mdl_a', 'preparing');
    await models.transition('acme', 'mdl_a', 'ready', { targetModel: 't' });
    await models.transition('acme', 'mdl_b', 'failed', { failureReason: 'x' });
    expect(await ids('model')).toEqual([]);
    await models.transition('acme', 'mdl_b', 'preparing');
    expect(await ids('model')).toEqual(['acme/mdl_b']);
  });

  it('generations: listed from creation until a terminal status', async () => {
    const generations = new GenerationStore(fx.redis, keySpace, events);
    const base = {
      tenantId: 'acme',
      modelId: 'mdl_a',
      targetModel: 't',
      artifactEtag: 'e',
      prompt: 'p',
      negativePrompt: '',
      numImages: 1,
      steps: 1,
      guidance: 1,
      seed: 1,
    };
    await generations.create({ ...base, id: 'gen_a', jobId: 'gen_a' });
    await generations.create({ ...base, id: 'gen_b', jobId: 'gen_b' });
    await generations.transition('acme', 'gen_a', 'running');
    await generations.transition('acme', 'gen_b', 'canceled');
    expect(await ids('generation')).toEqual(['acme/gen_a']);
    await generations.transition('acme', 'gen_a', 'succeeded', { images: [] });
    expect(await ids('generation')).toEqual([]);
  });

  it('batches: re-scored by progress, removed on completion, listed again by retry-failed', async () => {
    const batches = new BatchStore(fx.redis, keySpace, events);
    const { record } = await batches.create({
      id: 'bat_a',
      tenantId: 'acme',
      modelId: 'mdl_a',
      targetModel: 't',
      artifactEtag: 'e',
      total: 2,
      steps: 1,
      guidance: 1,
    });
    const [before] = await index.due('batch', Date.now() + 1, 10);
    await batches.recordItems('acme', 'bat_a', [{ index: 0, state: 'succeeded', seed: 0 }]);
    const [after] = await index.due('batch', Date.now() + 1, 10);
    expect(after!.updatedAt).toBeGreaterThanOrEqual(before!.updatedAt);
    const failed = {
      index: 1,
      state: 'failed' as const,
      seed: 1,
      error: { code: 'e', message: 'm' },
      retry: { prompt: 'p', negativePrompt: '', seed: 1 },
    };
    const result = await batches.recordItems('acme', 'bat_a', [failed]);
    expect(result?.finalize).toBe(true);
    expect(await batches.complete({ ...record, status: 'running' }, result!.counts, 'manifest')).toBe(true);
    expect(await ids('batch')).toEqual([]);
    // A late duplicate report does not bring a completed batch back.
    await batches.recordItems('acme', 'bat_a', [{ index: 0, state: 'succeeded', seed: 0 }]);
    expect(await ids('batch')).toEqual([]);
    expect(await batches.reopenFailed('acme', 'bat_a')).toEqual({ round: 1, items: 1 });
    expect(await ids('batch')).toEqual(['acme/bat_a']);
  });
});
