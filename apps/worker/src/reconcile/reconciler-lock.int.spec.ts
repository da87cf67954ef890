import { createLogger } from '@dreamqueue/logger';
import { GenerationStore, EventLog } from '@dreamqueue/records';
import { type KeySpace } from '@dreamqueue/redis';
import { startRedisFixture, type RedisFixture } from '@dreamqueue/testing';
import { MemoryObjectStore } from '../../test/memory-object-store';
import { type Repair } from './reconcile-deps';
import { Reconciler } from './reconciler';
import { createReconcileDeps } from './start-reconciler';

/** Reconcile wiring over the fixture's Redis; `repaired` sees each repair as it is made. */
function reconcileDeps(fx: RedisFixture, keySpace: KeySpace, repaired: (repair: Repair) => void) {
  return createReconcileDeps({
    redis: fx.redis,
    keySpace,
    objects: new MemoryObjectStore(),
    connection: { url: fx.server.url },
    logger: createLogger({ name: 'reconcile-lock-test', level: 'silent' }),
    mmePrefix: 'models/',
    progressIntervalMs: 50,
    repaired,
  });
}

/** A pending generation whose job is missing: the reconciler re-enqueues it. */
async function pendingGeneration(fx: RedisFixture, keySpace: KeySpace, id: string): Promise<void> {
  const generations = new GenerationStore(fx.redis, keySpace, new EventLog(fx.redis, keySpace));
  await generations.create({
    id,
    tenantId: 'acme',
    modelId: 'mdl_x',
    targetModel: 'acme/mdl_x/v1.tar.gz',
    artifactEtag: 'etag',
    prompt: 'a portrait',
    negativePrompt: '',
    numImages: 1,
    steps: 20,
    guidance: 7.5,
    seed: 1,
    jobId: id,
  });
}

/** The per-resource lock against a real Redis and real BullMQ queues. */
describe('reconciler per-resource lock', () => {
  let fx: RedisFixture;
  beforeAll(async () => {
    fx = await startRedisFixture();
  });
  afterAll(async () => fx.close());

  it('does not delete a lock that another run took after this run’s lock expired', async () => {
    const keySpace = fx.keySpace('lock');
    const lockKey = keySpace.key('reconcile', 'lock', 'generation', 'acme', 'gen_lockcase');
    const repairs: Repair[] = [];
    const deps = reconcileDeps(fx, keySpace, (repair) => {
      repairs.push(repair);
      // Mid-check, this run's lock lapses and another run takes the resource: queued on the same
      // connection, so Redis sees it before this run's release.
      void fx.redis.set(lockKey, 'other-run', 'PX', 60_000);
    });
    await pendingGeneration(fx, keySpace, 'gen_lockcase');
    const reconciler = new Reconciler(deps, { intervalMs: 60_000, graceMs: 0, holder: 'this-run' });
    try {
      await reconciler.runOnce();
      expect(repairs).toContainEqual(expect.objectContaining({ resourceId: 'gen_lockcase', action: 'reenqueued' }));
      expect(await fx.redis.get(lockKey)).toBe('other-run');
    } finally {
      await reconciler.stop();
      await deps.closeQueues();
    }
  });

  it('releases its own lock when the check ends', async () => {
    const keySpace = fx.keySpace('own');
    const deps = reconcileDeps(fx, keySpace, () => undefined);
    await pendingGeneration(fx, keySpace, 'gen_own');
    const reconciler = new Reconciler(deps, { intervalMs: 60_000, graceMs: 0, holder: 'this-run' });
    try {
      await reconciler.runOnce();
      expect(await fx.redis.exists(keySpace.key('reconcile', 'lock', 'generation', 'acme', 'gen_own'))).toBe(0);
    } finally {
      await reconciler.stop();
      await deps.closeQueues();
    }
  });
});
