import { Writable } from 'node:stream';
import request from 'supertest';
import { startOperationsHarness, type OperationsHarness } from './admin-harness';

const SIGNED_URL = 'https://hooks.example.com/dq?X-Amz-Signature=f00dfacecafe&token=supersecret123';

describe('structured API logs (captured, real requests)', () => {
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  let h: OperationsHarness;
  beforeAll(async () => {
    h = await startOperationsHarness({ WEBHOOK_ALLOW_HTTP: 'false' }, sink);
  });
  afterAll(async () => h.close());

  it('carries the request id and tenant on every request line and never the API key or a URL signature', async () => {
    const key = await h.keyFor('acme');
    const operator = await h.keyFor('ops', 'operator');
    await request(h.app)
      .put('/v1/webhooks/default')
      .set('authorization', `Bearer ${key}`)
      .send({ url: SIGNED_URL })
      .expect(200);
    await request(h.app)
      .get(`/v1/admin/jobs?tenant=acme&note=${encodeURIComponent(SIGNED_URL)}`)
      .set('authorization', `Bearer ${operator}`)
      .expect(400);
    await request(h.app).get('/v1/nothing?X-Amz-Signature=f00dfacecafe').auth('x', key).expect(404);

    const requestLines = lines.filter((l) => l.req !== undefined);
    expect(requestLines.length).toBeGreaterThanOrEqual(3);
    for (const line of requestLines) {
      expect(line.reqId ?? (line.req as { id?: string }).id).toEqual(expect.any(String));
      expect(line.tenantId).toEqual(expect.stringMatching(/^(acme|ops)$/));
    }
    const text = raw.join('\n');
    for (const secret of [key, operator, key.slice(3), 'f00dfacecafe', 'supersecret123']) {
      expect(text.split(secret).length - 1).toBe(0);
    }
  });
});
