import request from 'supertest';
import { startOperationsHarness, type OperationsHarness } from './admin-harness';

function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(' ').pop()) : undefined;
}

describe('/metrics on the API (prom-client, real queues)', () => {
  describe('local mode (no METRICS_TOKEN)', () => {
    let h: OperationsHarness;
    beforeAll(async () => {
      h = await startOperationsHarness();
    });
    afterAll(async () => h.close());

    it('reports queue depth and the oldest waiting age per queue and state, read on scrape', async () => {
      const train = h.queues.find((q) => q.name === 'train')!;
      await train.add('train', { tenantId: 'acme', modelId: 'mdl_a' }, { timestamp: Date.now() - 60_000 } as never);
      await train.add('train', { tenantId: 'acme', modelId: 'mdl_b' });
      const generate = h.queues.find((q) => q.name === 'generate')!;
      await generate.add('generate', { tenantId: 'acme' }, { priority: 5 });

      const res = await request(h.app).get('/metrics').expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(sample(res.text, 'dq_queue_jobs', 'queue="train",state="waiting"')).toBe(2);
      expect(sample(res.text, 'dq_queue_jobs', 'queue="generate",state="prioritized"')).toBe(1);
      expect(sample(res.text, 'dq_queue_jobs', 'queue="webhooks",state="failed"')).toBe(0);
      expect(sample(res.text, 'dq_queue_oldest_waiting_age_seconds', 'queue="train",state="waiting"')).toBeGreaterThan(
        0,
      );
      expect(sample(res.text, 'dq_queue_oldest_waiting_age_seconds', 'queue="webhooks",state="waiting"')).toBe(0);
    });

    it('times requests by route template, not by raw URL', async () => {
      const key = await h.keyFor('acme', 'operator');
      await request(h.app).get('/v1/admin/jobs?tenant=acme').set('authorization', `Bearer ${key}`).expect(200);
      await request(h.app).get('/v1/admin/webhooks/123-0').set('authorization', `Bearer ${key}`).expect(404);
      const res = await request(h.app).get('/metrics').expect(200);
      expect(
        sample(res.text, 'dq_http_request_duration_seconds_count', 'method="GET",route="/v1/admin/jobs",status="200"'),
      ).toBe(1);
      expect(
        sample(
          res.text,
          'dq_http_request_duration_seconds_count',
          'method="GET",route="/v1/admin/webhooks/:eventId",status="404"',
        ),
      ).toBe(1);
      expect(res.text).not.toContain('123-0');
    });
  });

  it('requires the bearer token when METRICS_TOKEN is set', async () => {
    const h = await startOperationsHarness({ METRICS_TOKEN: 'scrape-token-0123456789' });
    try {
      const denied = await request(h.app).get('/metrics').expect(401);
      expect(denied.body.error.code).toBe('unauthorized');
      await request(h.app).get('/metrics').set('authorization', 'Bearer wrong-token-0123456789').expect(401);
      await request(h.app).get('/metrics').set('authorization', 'Bearer scrape-token-0123456789').expect(200);
    } finally {
      await h.close();
    }
  });
});
