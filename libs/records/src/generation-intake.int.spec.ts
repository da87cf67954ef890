import { QueueKeys } from 'bullmq';
import { startRedisFixture, type RedisFixture } from '@dreamqueue/testing';
import { prioritizedJobWriter, type KeySpace, type PrioritizedJobWrite } from '@dreamqueue/redis';
import { activeIndexKey } from './active-index';
import { EventLog } from './event-log';
import { GenerationIntake } from './generation-intake';
import { GenerationStore, type NewGeneration } from './generation.store';
import { ModelDemand } from './model-demand';
import { ModelStore } from './model.store';

const TARGET = 'acme-mdl-a-v1.tar.gz';
const PHRASE = 'photo of sks person';

const gen = (id: string, overrides: Partial<NewGeneration> = {}): NewGeneration => ({
  id,
  tenantId: 'acme',
  modelId: 'mdl_a',
  targetModel: TARGET,
  artifactEtag: 'etag1',
  prompt: `${PHRASE}, in Paris`,
  negativePrompt: '',
  numImages: 2,
  steps: 20,
  guidance: 7,
  seed: 42,
  jobId: id,
  ...overrides,
});

describe('GenerationIntake: model check, job, record, event and demand in one script (real Redis)', () => {
  let fx: RedisFixture;
  let keySpace: KeySpace;
  let events: EventLog;
  let generations: GenerationStore;
  let models: ModelStore;
  let demand: ModelDemand;
  let intake: GenerationIntake;
  beforeEach(async () => {
    fx ??= await startRedisFixture();
    keySpace = fx.keySpace();
    events = new EventLog(fx.redis, keySpace);
    generations = new GenerationStore(fx.redis, keySpace, events);
    models = new ModelStore(fx.redis, keySpace, events);
    demand = new ModelDemand(fx.redis, keySpace);
    intake = new GenerationIntake(fx.redis, keySpace, events, { generations, models, demand });
  });
  afterAll(async () => fx.close());

  /** The generation's job on a `generate` queue under the test's prefix (BullMQ's own key layout). */
  const queueKeys = () => new QueueKeys(keySpace.queuePrefix).getKeys('generate');
  const jobFor = (id: string, priority = 1): PrioritizedJobWrite =>
    prioritizedJobWriter({ keys: queueKeys(), defaultJobOptions: { attempts: 3 } }, 'generate', priority)(
      id,
      { generationId: id },
      1_700_000_000_000,
    );

  const storeModel = (fields: Record<string, unknown>) =>
    fx.redis.set(
      models.key('acme', 'mdl_a'),
      JSON.stringify({ id: 'mdl_a', tenantId: 'acme', status: 'ready', targetModel: TARGET, ...fields }),
    );
  /** Everything a creation writes, to show that a refused one wrote nothing. */
  const written = async () => ({
    records: (await fx.redis.keys(`${keySpace.key('generation')}:*`)).length,
    active: await fx.redis.zcard(activeIndexKey(keySpace, 'generation')),
    tenantEvents: await fx.redis.xlen(events.streamKey('acme')),
    allEvents: await fx.redis.xlen(events.globalStreamKey()),
    demand: await demand.pending([TARGET]),
    jobs: await fx.redis.zcard(queueKeys().prioritized!),
  });
  const nothing = { records: 0, active: 0, tenantEvents: 0, allEvents: 0, demand: [0], jobs: 0 };

  it('creates the job, the record, its active-index entry, generation.queued and one unit of demand at once', async () => {
    await storeModel({ artifactEtag: 'etag1', triggerPhrase: PHRASE });
    const result = await intake.create(gen('gen_1'), PHRASE, jobFor('gen_1'));
    expect(result).toMatchObject({ created: true, waitingAhead: 0, record: { id: 'gen_1', status: 'queued' } });
    expect(await generations.get('acme', 'gen_1')).toMatchObject({ status: 'queued', targetModel: TARGET, seed: 42 });
    expect(await written()).toEqual({ records: 1, active: 1, tenantEvents: 1, allEvents: 1, demand: [1], jobs: 1 });
    expect(await fx.redis.hmget(`${queueKeys()['']!}gen_1`, 'name', 'data', 'priority')).toEqual([
      'generate',
      '{"generationId":"gen_1"}',
      '1',
    ]);
    // The event is dated by the record it announces.
    expect((await events.readAfter('acme'))[0]).toMatchObject({
      type: 'generation.queued',
      resourceId: 'gen_1',
      at: result.created ? result.record.createdAt : 'not created',
    });
    expect(await fx.redis.ttl(generations.key('acme', 'gen_1'))).toBeGreaterThan(0);
  });

  it('stores the record as plain string arguments would (one JSON argument, lone surrogates as U+FFFD)', async () => {
    await storeModel({ artifactEtag: 'etag1' });
    const text = {
      prompt: 'a "quoted" \\ud800 back\\slash, \n tab\t, café 😀 and a lone \ud800 half',
      negativePrompt: 'low \udc00 end\ud83d',
      deadlineAt: 1_700_000_060_000,
    };
    await intake.create(gen('gen_1', text), '', jobFor('gen_1'));
    await generations.create(gen('gen_2', text));
    const stored = await fx.redis.hgetall(generations.key('acme', 'gen_1'));
    const plain = await fx.redis.hgetall(generations.key('acme', 'gen_2'));
    const comparable = (hash: Record<string, string>) => ({ ...hash, id: '', jobId: '', createdAt: '' });
    expect(comparable(stored)).toEqual(comparable(plain));
    expect(stored.prompt).toBe('a "quoted" \\ud800 back\\slash, \n tab\t, café 😀 and a lone \ufffd half');
    expect(stored.negativePrompt).toBe('low \ufffd end\ufffd');
    expect(Object.keys(stored)).toEqual(Object.keys(plain));
  });

  it("returns the job's rank among the prioritized jobs, also when Redis has forgotten the script", async () => {
    await storeModel({ artifactEtag: 'etag1', triggerPhrase: PHRASE });
    await intake.create(gen('gen_batch'), PHRASE, jobFor('gen_batch', 10));
    await intake.create(gen('gen_1'), PHRASE, jobFor('gen_1'));
    await fx.redis.script('FLUSH');
    expect(await intake.create(gen('gen_2'), PHRASE, jobFor('gen_2'))).toMatchObject({
      created: true,
      waitingAhead: 1,
    });
    expect(await fx.redis.zrange(queueKeys().prioritized!, '0', '-1')).toEqual(['gen_1', 'gen_2', 'gen_batch']);
  });

  it('writes neither the record nor its job when the job cannot be added (the queue counter is broken)', async () => {
    await storeModel({ artifactEtag: 'etag1', triggerPhrase: PHRASE });
    await fx.redis.set(queueKeys().id!, 'not-a-number');
    await expect(intake.create(gen('gen_1'), PHRASE, jobFor('gen_1'))).rejects.toThrow('not an integer');
    expect(await written()).toEqual(nothing);
    expect(await fx.redis.exists(`${queueKeys()['']!}gen_1`)).toBe(0);
  });

  it('writes nothing when the job is there already without its record', async () => {
    await storeModel({ artifactEtag: 'etag1', triggerPhrase: PHRASE });
    await fx.redis.hset(`${queueKeys()['']!}gen_1`, 'name', 'generate');
    await expect(intake.create(gen('gen_1'), PHRASE, jobFor('gen_1'))).rejects.toThrow('or its job already exists');
    expect(await written()).toEqual(nothing);
  });

  it('writes nothing for a missing model and says so', async () => {
    expect(await intake.create(gen('gen_1'), PHRASE, jobFor('gen_1'))).toEqual({ created: false, model: undefined });
    expect(await written()).toEqual(nothing);
  });

  it.each([
    ['still training', { status: 'training', artifactEtag: 'etag1', triggerPhrase: PHRASE }],
    ['deleted', { status: 'deleted', artifactEtag: 'etag1', triggerPhrase: PHRASE }],
    ['a different artifact ETag', { artifactEtag: 'etag2', triggerPhrase: PHRASE }],
    ['a different trigger phrase', { artifactEtag: 'etag1', triggerPhrase: 'photo of zwx dog' }],
    ['a different TargetModel', { targetModel: 'acme-mdl-a-v2.tar.gz', artifactEtag: 'etag1', triggerPhrase: PHRASE }],
  ])('writes nothing when the stored model is %s, and returns it', async (_case, fields) => {
    await storeModel(fields);
    const result = await intake.create(gen('gen_1'), PHRASE, jobFor('gen_1'));
    expect(result).toMatchObject({ created: false, model: { id: 'mdl_a', ...fields } });
    expect(await written()).toEqual(nothing);
  });

  it("accepts the caller's ETag for a model recorded without one (read from S3 by the caller)", async () => {
    await storeModel({ triggerPhrase: PHRASE });
    expect((await intake.create(gen('gen_1', { artifactEtag: 'etag-from-s3' }), PHRASE, jobFor('gen_1'))).created).toBe(
      true,
    );
    expect((await generations.get('acme', 'gen_1'))?.artifactEtag).toBe('etag-from-s3');
  });

  it('treats a model without a trigger phrase as the empty phrase', async () => {
    await storeModel({ artifactEtag: 'etag1' });
    expect((await intake.create(gen('gen_1', { prompt: 'in Paris' }), '', jobFor('gen_1'))).created).toBe(true);
    expect((await intake.create(gen('gen_2'), PHRASE, jobFor('gen_2'))).created).toBe(false);
  });

  it('refuses an id that exists, writing no second event and no second unit of demand', async () => {
    await storeModel({ artifactEtag: 'etag1', triggerPhrase: PHRASE });
    await intake.create(gen('gen_1'), PHRASE, jobFor('gen_1'));
    await expect(intake.create(gen('gen_1', { seed: 7 }), PHRASE, jobFor('gen_1'))).rejects.toThrow('already exists');
    expect(await written()).toEqual({ records: 1, active: 1, tenantEvents: 1, allEvents: 1, demand: [1], jobs: 1 });
    expect((await generations.get('acme', 'gen_1'))?.seed).toBe(42);
  });
});
