import { startRedisFixture, type RedisFixture } from '@dreamqueue/testing';
import { fingerprint, IdempotencyStore } from './idempotency.store';

describe('IdempotencyStore (real Redis)', () => {
  let fixture: RedisFixture;
  let store: IdempotencyStore;
  beforeAll(async () => {
    fixture = await startRedisFixture({ role: 'producer' });
  });
  beforeEach(() => {
    store = new IdempotencyStore(fixture.redis, fixture.keySpace());
  });
  afterAll(async () => fixture.close());

  it('runs once and replays the first answer for the same request', async () => {
    let runs = 0;
    const create = async () => ({ status: 202, body: { id: `mdl_${++runs}` } });
    const first = await store.run('acme', 'k1', fingerprint('a'), create);
    const second = await store.run('acme', 'k1', fingerprint('a'), create);
    expect(first).toEqual({ status: 202, body: { id: 'mdl_1' }, replayed: false });
    expect(second).toEqual({ status: 202, body: { id: 'mdl_1' }, replayed: true });
    expect(runs).toBe(1);
  });

  it('rejects the same key with a different request', async () => {
    await store.run('acme', 'k1', fingerprint('a'), async () => ({ status: 202, body: {} }));
    await expect(
      store.run('acme', 'k1', fingerprint('b'), async () => ({ status: 202, body: {} })),
    ).rejects.toMatchObject({
      code: 'idempotency_key_reused',
      status: 422,
    });
  });

  it('keeps tenants apart', async () => {
    await store.run('acme', 'k1', fingerprint('a'), async () => ({ status: 202, body: { t: 'acme' } }));
    const other = await store.run('other', 'k1', fingerprint('b'), async () => ({ status: 202, body: { t: 'other' } }));
    expect(other).toMatchObject({ body: { t: 'other' }, replayed: false });
  });

  it('answers 409 to a duplicate while the first is still running', async () => {
    let release!: () => void;
    const slow = store.run(
      'acme',
      'k1',
      fingerprint('a'),
      () => new Promise<{ status: number; body: object }>((r) => (release = () => r({ status: 202, body: {} }))),
    );
    await expect(
      store.run('acme', 'k1', fingerprint('a'), async () => ({ status: 202, body: {} })),
    ).rejects.toMatchObject({
      code: 'idempotency_in_progress',
    });
    release();
    await slow;
  });

  it('frees the key when the first request fails', async () => {
    await expect(
      store.run('acme', 'k1', fingerprint('a'), async () => Promise.reject(new Error('invalid'))),
    ).rejects.toThrow('invalid');
    await expect(
      store.run('acme', 'k1', fingerprint('a'), async () => ({ status: 202, body: { ok: true } })),
    ).resolves.toMatchObject({ replayed: false });
  });

  it('keeps a created resource’s key when its answer cannot be stored, so a retry does not create a second one', async () => {
    const unrecorded: unknown[] = [];
    store = new IdempotencyStore(fixture.redis, fixture.keySpace(), {
      recordRetryDelaysMs: [10],
      onUnrecorded: (err) => unrecorded.push(err),
    });
    let runs = 0;
    const create = async () => {
      runs++;
      // The resource is written, then Redis refuses writes (out of memory) before the answer is stored.
      await fixture.redis.config('SET', 'maxmemory', '1');
      return { status: 202, body: { id: `gen_${runs}` } };
    };
    try {
      const first = await store.run('acme', 'k-unrecorded', fingerprint('a'), create);
      expect(first).toEqual({ status: 202, body: { id: 'gen_1' }, replayed: false });
      expect(unrecorded).toEqual([expect.objectContaining({ message: expect.stringContaining('OOM') })]);
    } finally {
      await fixture.redis.config('SET', 'maxmemory', '0');
    }
    await expect(store.run('acme', 'k-unrecorded', fingerprint('a'), create)).rejects.toMatchObject({
      code: 'idempotency_in_progress',
    });
    expect(runs).toBe(1);
  });

  it('works without a key', async () => {
    await expect(store.run('acme', undefined, 'x', async () => ({ status: 201, body: 1 }))).resolves.toEqual({
      status: 201,
      body: 1,
      replayed: false,
    });
  });
});
