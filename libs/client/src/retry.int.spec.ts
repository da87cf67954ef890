import { createServer, type IncomingMessage, type Server } from 'node:http';
import { once } from 'node:events';
import { DreamqueueClient } from './dreamqueue-client';

/** A real HTTP server that answers from a script, to pin down the client's retry rules. */
async function scriptedServer(answers: Array<[number, object, Record<string, string>?]>) {
  const seen: IncomingMessage[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(req);
    const [status, body, headers] = answers[Math.min(seen.length - 1, answers.length - 1)]!;
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return { seen, baseUrl: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
}

const unavailable: [number, object, Record<string, string>] = [
  503,
  { error: { code: 'redis_unavailable', message: 'retry' } },
  { 'retry-after': '0' },
];

describe('DreamqueueClient retries', () => {
  it('retries a create on 503 with the same Idempotency-Key', async () => {
    const s = await scriptedServer([unavailable, unavailable, [202, { id: 'gen_a', status: 'queued' }]]);
    const client = new DreamqueueClient({ baseUrl: s.baseUrl, apiKey: 'dq_x' });
    await expect(client.createGeneration({ model: 'mdl_a', prompt: 'p' })).resolves.toMatchObject({ id: 'gen_a' });
    expect(s.seen).toHaveLength(3);
    expect(new Set(s.seen.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    await s.close();
  });

  it('gives up after maxRetries and surfaces the code', async () => {
    const s = await scriptedServer([unavailable]);
    const client = new DreamqueueClient({ baseUrl: s.baseUrl, apiKey: 'dq_x', maxRetries: 1 });
    await expect(client.getGeneration('gen_a')).rejects.toMatchObject({
      status: 503,
      code: 'redis_unavailable',
      retryable: true,
    });
    expect(s.seen).toHaveLength(2);
    await s.close();
  });

  it('does not retry a client error', async () => {
    const s = await scriptedServer([[404, { error: { code: 'not_found', message: 'no' } }]]);
    const client = new DreamqueueClient({ baseUrl: s.baseUrl, apiKey: 'dq_x' });
    await expect(client.getModel('mdl_a')).rejects.toMatchObject({ status: 404, code: 'not_found' });
    expect(s.seen).toHaveLength(1);
    await s.close();
  });
});
