import { startRedisFixture, type RedisFixture } from '@dreamqueue/testing';
import { EventLog } from './event-log';
import { GenerationStore, type NewGeneration } from './generation.store';

const gen = (id: string): NewGeneration => ({
  id,
  tenantId: 'acme',
  modelId: 'mdl_a',
  targetModel: 'acme-mdl-a-v1.tar.gz',
  artifactEtag: 'etag1',
  prompt: 'p',
  negativePrompt: '',
  numImages: 2,
  steps: 20,
  guidance: 7,
  seed: 42,
  jobId: id,
});

describe('GenerationStore (real Redis)', () => {
  let fx: RedisFixture;
  let store: GenerationStore;
  let events: EventLog;
  beforeAll(async () => {
    fx = await startRedisFixture();
    const keySpace = fx.keySpace();
    events = new EventLog(fx.redis, keySpace);
    store = new GenerationStore(fx.redis, keySpace, events);
  });
  afterAll(async () => fx.close());

  it('keeps a generation per tenant: another tenant reads nothing', async () => {
    await store.create(gen('gen_one'));
    expect(await store.get('acme', 'gen_one')).toMatchObject({ status: 'queued', seed: 42, images: [] });
    expect(await store.get('other', 'gen_one')).toBeUndefined();
  });

  it('moves queued → running → succeeded with one event per change, images recorded', async () => {
    await store.create(gen('gen_two'));
    expect((await store.transition('acme', 'gen_two', 'running')).applied).toBe(true);
    const images = [
      { index: 0, seed: 42, key: 'k0' },
      { index: 1, seed: 43, key: 'k1' },
    ];
    expect((await store.transition('acme', 'gen_two', 'succeeded', { images })).applied).toBe(true);
    expect(await store.get('acme', 'gen_two')).toMatchObject({ status: 'succeeded', images });
    const types = (await events.readAfter('acme')).filter((e) => e.resourceId === 'gen_two').map((e) => e.type);
    expect(types).toEqual(['generation.queued', 'generation.running', 'generation.succeeded']);
  });

  it('refuses to succeed a canceled generation and writes no event for the refused change', async () => {
    await store.create(gen('gen_three'));
    await store.transition('acme', 'gen_three', 'running');
    const [cancel, success] = await Promise.all([
      store.transition('acme', 'gen_three', 'canceled'),
      store.transition('acme', 'gen_three', 'succeeded', { images: [] }),
    ]);
    expect(cancel.applied).not.toBe(success.applied);
    const types = (await events.readAfter('acme')).filter((e) => e.resourceId === 'gen_three').map((e) => e.type);
    expect(types).toHaveLength(3);
    expect(
      (await store.transition('acme', 'gen_three', 'failed', { error: { code: 'x', message: 'y' } })).applied,
    ).toBe(false);
  });
});
