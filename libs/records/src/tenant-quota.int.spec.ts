import { isAppError, type AppError } from '@dreamqueue/errors';
import { runScript, type KeySpace } from '@dreamqueue/redis';
import { startRedisFixture, type RedisFixture } from '@dreamqueue/testing';
import { BatchStore, type ItemOutcome } from './batch.store';
import { EventLog } from './event-log';
import { GenerationStore } from './generation.store';
import { quotaScriptArgs, tenantQuotaKeys } from './tenant-quota';

/** The quota scripts against a real Redis: atomic admission under concurrency, exact release, the images window. */
describe('tenant quotas in the accept and end scripts (real Redis)', () => {
  let fx: RedisFixture;
  let keySpace: KeySpace;
  let batches: BatchStore;
  let generations: GenerationStore;
  let n = 0;
  beforeAll(async () => {
    fx = await startRedisFixture();
    keySpace = fx.keySpace();
    const events = new EventLog(fx.redis, keySpace);
    batches = new BatchStore(fx.redis, keySpace, events, { quotaDefaults: { queuedItems: 1000 } });
    generations = new GenerationStore(fx.redis, keySpace, events);
  });
  afterAll(async () => fx.close());

  const tenant = () => `t${++n}`;
  const setLimits = (tenantId: string, limits: Record<string, number>) =>
    fx.redis.hset(tenantQuotaKeys(keySpace, tenantId).limits, limits);
  const used = async (tenantId: string) =>
    Number((await fx.redis.hget(tenantQuotaKeys(keySpace, tenantId).usage, 'queuedItems')) ?? 0);
  const createBatch = (tenantId: string, id: string, total: number) =>
    batches.create({
      id,
      tenantId,
      modelId: 'mdl_a',
      targetModel: 't',
      artifactEtag: 'e',
      total,
      steps: 20,
      guidance: 7,
    });
  const refusal = async (promise: Promise<unknown>): Promise<AppError | undefined> =>
    promise.then(
      () => undefined,
      (err: unknown) => (isAppError(err) ? err : Promise.reject(err)),
    );
  const canceled = (index: number): ItemOutcome => ({ index, state: 'canceled', seed: index });
  const failed = (index: number): ItemOutcome => ({
    index,
    state: 'failed',
    seed: index,
    error: { code: 'model_error', message: 'x' },
    retry: { prompt: 'p', negativePrompt: '', seed: index },
  });

  it('admits concurrent creates up to the limit and not one item more (no early check, only the script)', async () => {
    const t = tenant();
    await setLimits(t, { queuedItems: 42 });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => refusal(createBatch(t, `bat_c${i}`, 5))));
    expect(results.filter((r) => r === undefined)).toHaveLength(8);
    expect(results.filter((r) => r?.code === 'queued_items_quota_exceeded')).toHaveLength(12);
    expect(await used(t)).toBe(40);
    const recorded = await Promise.all(Array.from({ length: 20 }, (_, i) => batches.get(t, `bat_c${i}`)));
    expect(recorded.filter(Boolean)).toHaveLength(8);
  });

  it('falls back to the operator default; a resumed create is not counted twice', async () => {
    const t = tenant();
    await createBatch(t, 'bat_d1', 600);
    expect((await createBatch(t, 'bat_d1', 600)).created).toBe(false);
    expect(await used(t)).toBe(600);
    const err = await refusal(createBatch(t, 'bat_d2', 401));
    expect(err?.details).toMatchObject({ quota: 'queuedItems', limit: 1000, usage: 600, requested: 401 });
  });

  it('gives each item back once, however often it is reported; retry-failed takes its items again', async () => {
    const t = tenant();
    await createBatch(t, 'bat_r', 4);
    await batches.recordItems(t, 'bat_r', [failed(0), failed(1)]);
    await batches.recordItems(t, 'bat_r', [failed(0), failed(1), canceled(1)]);
    expect(await used(t)).toBe(2);
    await batches.recordItems(t, 'bat_r', [canceled(2), canceled(3), canceled(3)]);
    expect(await used(t)).toBe(0);
    const record = (await batches.get(t, 'bat_r'))!;
    await batches.complete(record, { succeeded: 0, failed: 2, canceled: 2, total: 4 }, 'manifest');
    expect(await batches.reopenFailed(t, 'bat_r')).toEqual({ round: 1, items: 2 });
    expect(await used(t)).toBe(2);
    await batches.recordItems(t, 'bat_r', [{ index: 0, state: 'succeeded', seed: 0 }, failed(1)]);
    expect(await used(t)).toBe(0);
  });

  it('a generation gives its images back when it ends, once (a second terminal move does not apply)', async () => {
    const t = tenant();
    const usageKey = tenantQuotaKeys(keySpace, t).usage;
    await fx.redis.hset(usageKey, 'queuedItems', 10);
    const g = await generations.create({
      id: 'gen_q',
      tenantId: t,
      modelId: 'mdl_a',
      targetModel: 't',
      artifactEtag: 'e',
      prompt: 'p',
      negativePrompt: '',
      numImages: 4,
      steps: 20,
      guidance: 7,
      seed: 1,
      jobId: 'gen_q',
    });
    await generations.transition(t, g.id, 'running');
    expect(await used(t)).toBe(10);
    expect((await generations.transition(t, g.id, 'succeeded')).applied).toBe(true);
    expect((await generations.transition(t, g.id, 'canceled')).applied).toBe(false);
    expect(await used(t)).toBe(6);
  });

  it('the images window: Retry-After is the time until the oldest slots that free enough room leave it', async () => {
    const t = tenant();
    const k = tenantQuotaKeys(keySpace, t);
    const [seconds] = await fx.redis.time();
    const now = Number(seconds);
    // 5 images accepted 50 s ago, 5 images 20 s ago, and 5 images 70 s ago (out of the window: its slot is
    // the one "10 s ago" will reuse).
    await fx.redis.hset(k.images, {
      [(now - 50) % 60]: `${now - 50}:5`,
      [(now - 20) % 60]: `${now - 20}:5`,
      [(now - 70) % 60]: `${now - 70}:5`,
    });
    await setLimits(t, { imagesPerMinute: 12 });
    const check = (images: number) => {
      const q = quotaScriptArgs(keySpace, t);
      return runScript<unknown>(fx.redis, 'check-tenant-quota-3', q.keys, [...q.args, 0, 0, images]);
    };
    expect(await check(2)).toBe(0);
    // 3 more need the slot from 50 s ago to leave: in about 10 s.
    const [, , , usage, requested, waitMs] = (await check(3)) as number[];
    expect([usage, requested]).toEqual([10, 3]);
    expect(waitMs).toBeGreaterThan(8_000);
    expect(waitMs).toBeLessThanOrEqual(11_000);
    // 8 more need both slots to leave: the newer one leaves in about 40 s.
    const [, , , , , longer] = (await check(8)) as number[];
    expect(longer).toBeGreaterThan(38_000);
    expect(longer).toBeLessThanOrEqual(41_000);
    expect(((await check(13)) as number[])[5]).toBe(-1);
  });
});
