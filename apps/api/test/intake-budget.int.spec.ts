import { once } from 'node:events';
import { type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { Router } from 'express';
import { IntakeBudget } from '../src/middleware/intake-budget';
import { startApiHarness, type ApiHarness } from './api-harness';

const MB = 1024 * 1024;

describe('intake memory ceiling (real HTTP, real Redis)', () => {
  let h: ApiHarness;
  let server: Server;
  let port: number;
  let key: string;
  const budget = new IntakeBudget(3 * MB, { '/uploads': 2 * MB });

  beforeAll(async () => {
    h = await startApiHarness();
    // A test-only upload route that reads its whole body, as the real intake routes do.
    const uploads = Router();
    uploads.post('/uploads', async (req, res) => {
      let bytes = 0;
      for await (const chunk of req as AsyncIterable<Buffer>) bytes += chunk.length;
      res.json({ bytes });
    });
    server = h.appWith({ intakeBudget: budget, v1Routers: [uploads] }).listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as { port: number }).port;
    key = await h.keyFor('acme');
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await h.close();
  });

  /** Starts an upload of `size` bytes and sends only its first KiB: it stays in flight until destroyed. */
  async function openUpload(size: number): Promise<Socket> {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    await once(socket, 'connect');
    socket.write(
      `POST /v1/uploads HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/x-ndjson\r\nContent-Length: ${size}\r\n\r\n`,
    );
    socket.write(Buffer.alloc(1024, 'a'));
    return socket;
  }

  async function post(size: number): Promise<Response> {
    return fetch(`http://127.0.0.1:${port}/v1/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' },
      body: Buffer.alloc(size, 'b'),
    });
  }

  it('concurrent uploads beyond the budget get 503 intake_busy with Retry-After, and the budget comes back', async () => {
    const held = [await openUpload(1.5 * MB), await openUpload(1.5 * MB)];
    const deadline = Date.now() + 10_000;
    while (budget.reservedBytes < 3 * MB && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(budget.reservedBytes).toBe(3 * MB);

    const refused = await post(MB);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('intake_busy');

    for (const socket of held) socket.destroy();
    while (budget.reservedBytes > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(budget.reservedBytes).toBe(0);
    const accepted = await post(MB);
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toEqual({ bytes: MB });
    expect(budget.reservedBytes).toBe(0);
  });
});
