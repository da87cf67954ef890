import request from 'supertest';
import { EventLog, JobIndex, type ResourceEvent } from '@dreamqueue/records';
import { startOperationsHarness, type OperationsHarness } from './admin-harness';

/** Appends to the durable log and indexes the stored event, as the worker's indexer does. */
async function record(h: OperationsHarness, tenantId: string, event: ResourceEvent): Promise<void> {
  const log = new EventLog(h.redis, h.keySpace);
  const id = (await log.append(tenantId, event))!;
  const [stored] = (await log.readAfter(tenantId, '0', 1000)).filter((e) => e.id === id);
  const [global] = await h.redis.xrevrange(log.globalStreamKey(), '+', '-', 'COUNT', 1);
  await new JobIndex(h.redis, h.keySpace).apply({ ...stored!, id: global![0] });
}

describe('GET /v1/admin/jobs (job and resource search)', () => {
  let h: OperationsHarness;
  let operator: string;
  beforeAll(async () => {
    h = await startOperationsHarness();
    operator = await h.keyFor('ops', 'operator');
    for (let i = 0; i < 12; i++) {
      const tenant = i % 3 === 0 ? 'acme' : 'globex';
      const status = i % 4 === 0 ? 'failed' : 'succeeded';
      await record(h, tenant, {
        type: `generation.${status}`,
        resource: 'generation',
        resourceId: `gen_${i}x`,
        status,
        data: { modelId: i < 6 ? 'mdl_m1' : 'mdl_m2' },
      });
    }
    await record(h, 'acme', { type: 'model.ready', resource: 'model', resourceId: 'mdl_m1', status: 'ready' });
  });
  afterAll(async () => h.close());

  it('O1: refuses tenant keys and anonymous callers', async () => {
    await request(h.app).get('/v1/admin/jobs').expect(401);
    await request(h.app)
      .get('/v1/admin/jobs')
      .set('authorization', `Bearer ${await h.keyFor('acme')}`)
      .expect(403);
  });

  it('finds entries by tenant, model and status, newest first, with links to the resource', async () => {
    const res = await request(h.app)
      .get('/v1/admin/jobs?tenant=acme&status=failed')
      .set('authorization', `Bearer ${operator}`)
      .expect(200);
    expect(res.body.data.map((e: { id: string }) => e.id)).toEqual(['gen_0x']);
    expect(res.body.data[0]).toMatchObject({
      kind: 'generation',
      tenantId: 'acme',
      modelId: 'mdl_m1',
      status: 'failed',
      links: { resource: '/v1/generations/gen_0x' },
    });

    const onModel = await request(h.app)
      .get('/v1/admin/jobs?model=mdl_m1&kind=generation')
      .set('authorization', `Bearer ${operator}`)
      .expect(200);
    expect(onModel.body.data.map((e: { id: string }) => e.id)).toEqual([
      'gen_5x',
      'gen_4x',
      'gen_3x',
      'gen_2x',
      'gen_1x',
      'gen_0x',
    ]);
    const models = await request(h.app)
      .get('/v1/admin/jobs?kind=model')
      .set('authorization', `Bearer ${operator}`)
      .expect(200);
    expect(models.body.data).toEqual([
      expect.objectContaining({ id: 'mdl_m1', links: { resource: '/v1/models/mdl_m1' } }),
    ]);
  });

  it('pages with a cursor until every match was returned once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/v1/admin/jobs?tenant=globex&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await request(h.app).get(url).set('authorization', `Bearer ${operator}`).expect(200);
      seen.push(...res.body.data.map((e: { id: string }) => e.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(8);
    expect(new Set(seen).size).toBe(8);
  });

  it('answers 400 with a stable code for bad parameters', async () => {
    const auth = { authorization: `Bearer ${operator}` };
    expect((await request(h.app).get('/v1/admin/jobs?kind=train').set(auth).expect(400)).body.error.code).toBe(
      'invalid_query',
    );
    expect((await request(h.app).get('/v1/admin/jobs?model=../x').set(auth).expect(400)).body.error.code).toBe(
      'invalid_query',
    );
    expect((await request(h.app).get('/v1/admin/jobs?since=yesterday').set(auth).expect(400)).body.error.code).toBe(
      'invalid_query',
    );
    expect((await request(h.app).get('/v1/admin/jobs?cursor=bogus').set(auth).expect(400)).body.error.code).toBe(
      'invalid_cursor',
    );
    expect((await request(h.app).get('/v1/admin/jobs?color=red').set(auth).expect(400)).body.error.code).toBe(
      'invalid_query',
    );
  });
});
