import { Worker } from 'bullmq';
import request from 'supertest';
import { startOperationsHarness, type OperationsHarness } from './admin-harness';

const PRESIGNED =
  'https://dreamqueue.s3.amazonaws.com/t/acme/img.jpg?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20260101&X-Amz-Signature=deadbeefcafe';

describe('Bull Board: redaction and links to resources (O5)', () => {
  let h: OperationsHarness;
  let operator: string;
  beforeAll(async () => {
    h = await startOperationsHarness();
    operator = await h.keyFor('ops', 'operator');
  });
  afterAll(async () => h.close());

  it('masks anything secret-looking in job data, failure reasons and stack traces, and links each job to its resource', async () => {
    const generate = h.queues.find((q) => q.name === 'generate')!;
    const job = await generate.add(
      'generate',
      {
        tenantId: 'acme',
        modelId: 'mdl_abc',
        generationId: 'gen_abc',
        // Never put there by dreamqueue; planted to prove the board would not show it.
        note: `see ${PRESIGNED}`,
        apiKey: 'dq_' + 'A'.repeat(40),
        nested: { webhookSecret: 'whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0' },
      } as never,
      { attempts: 1 },
    );
    const worker = new Worker(
      'generate',
      async () => {
        throw new Error(`upload to ${PRESIGNED} failed`);
      },
      { connection: { url: h.redisServer.url }, prefix: h.keySpace.queuePrefix },
    );
    await new Promise((resolve) => worker.once('failed', resolve));
    await worker.close();
    expect(await job.getState()).toBe('failed');
    const train = h.queues.find((q) => q.name === 'train')!;
    await train.add('train', { tenantId: 'acme', modelId: 'mdl_xyz' } as never);

    const res = await request(h.app)
      .get('/admin/queues/api/queues?activeQueue=generate&status=latest&page=1')
      .auth('x', operator)
      .expect(200);
    const text = JSON.stringify(res.body);
    expect(text).not.toContain('X-Amz-Signature');
    expect(text).not.toContain('AKIAIOSFODNN7EXAMPLE');
    expect(text).not.toContain('A'.repeat(40));
    expect(text).not.toContain('c2VjcmV0');
    const shown = res.body.queues.find((q: { name: string }) => q.name === 'generate').jobs[0];
    expect(shown.data).toMatchObject({
      modelId: 'mdl_abc',
      note: 'see https://dreamqueue.s3.amazonaws.com/t/acme/img.jpg?[redacted]',
      apiKey: '[redacted]',
    });
    expect(shown.failedReason).toBe('upload to https://dreamqueue.s3.amazonaws.com/t/acme/img.jpg?[redacted] failed');
    expect(shown.stacktrace.join('\n')).toContain('?[redacted]');
    expect(shown.externalUrl).toEqual({ href: '/v1/generations/gen_abc', displayText: 'gen_abc' });

    const trains = await request(h.app)
      .get('/admin/queues/api/queues?activeQueue=train&status=latest&page=1')
      .auth('x', operator)
      .expect(200);
    expect(trains.body.queues.find((q: { name: string }) => q.name === 'train').jobs[0].externalUrl).toEqual({
      href: '/v1/models/mdl_xyz',
      displayText: 'mdl_xyz',
    });
  });
});
