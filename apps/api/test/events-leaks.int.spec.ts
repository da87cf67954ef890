import { once } from 'node:events';
import { get, type IncomingMessage, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { createLogger } from '@dreamqueue/logger';
import { EventLog } from '@dreamqueue/records';
import { createApp } from '../src/app';
import { type Principal } from '../src/auth/api-key';
import { ApiKeyStore } from '../src/auth/api-key.store';
import { eventsRoutes } from '../src/events/events.routes';
import { SseSlots } from '../src/events/sse-slots';
import { startApiHarness, type ApiHarness } from './api-harness';

/** The real key store, whose answers wait until the test opens the gate (the client leaves meanwhile). */
class GatedKeys extends ApiKeyStore {
  gate: Promise<void> = Promise.resolve();
  answered = 0;
  override async authenticate(key: string): Promise<Principal | undefined> {
    await this.gate;
    const principal = await super.authenticate(key);
    this.answered += 1;
    return principal;
  }
}

const clientCount = async (h: ApiHarness) =>
  String(await h.redis.client('LIST'))
    .trim()
    .split('\n').length;

async function waitUntil(what: string, test: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('GET /v1/events: nothing outlives the client', () => {
  let h: ApiHarness;
  let keys: GatedKeys;
  let server: Server;
  let port: number;
  let slots: SseSlots;
  const serverSockets = new Set<Socket>();

  beforeAll(async () => {
    h = await startApiHarness();
    keys = new GatedKeys(h.redis, h.keySpace);
    slots = new SseSlots(h.redis, h.keySpace, 1, 300);
    const app = createApp({
      logger: createLogger({ name: 'api-test', level: 'silent' }),
      redis: h.redis,
      keySpace: h.keySpace,
      apiKeys: keys,
      queues: h.queues,
      readiness: [],
      v1Routers: [
        eventsRoutes({
          redis: h.redis,
          events: new EventLog(h.redis, h.keySpace),
          slots,
          heartbeatMs: 50,
          blockMs: 200,
        }),
      ],
    });
    server = app.listen(0, '127.0.0.1');
    server.on('connection', (socket) => {
      serverSockets.add(socket);
      socket.once('close', () => serverSockets.delete(socket));
    });
    await once(server, 'listening');
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await h.close();
  });

  it('a client that resets during authentication leaves no Redis connection, XREAD loop or slot behind', async () => {
    const key = await h.keyFor('reset-tenant');
    const baseline = await clientCount(h);
    let open!: () => void;
    keys.gate = new Promise<void>((r) => (open = r));
    const answeredBefore = keys.answered;

    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    await once(socket, 'connect');
    socket.write(
      `GET /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nAccept: text/event-stream\r\n\r\n`,
    );
    // The server has the request (it is waiting in authentication); the client now resets the connection.
    await waitUntil('the request reaches authentication', async () => serverSockets.size > 0);
    socket.resetAndDestroy();
    await waitUntil('the server sees the reset', async () => serverSockets.size === 0);
    open();
    await waitUntil('authentication answered', async () => keys.answered > answeredBefore);
    // The route's Redis commands go over this same connection, in order: once PING answers, whatever the
    // handler sent right after authentication (a slot acquire) has been applied.
    await h.redis.ping();

    // With the only slot leaked, a well-behaved client would be refused (429) for as long as the leak lives.
    const res = await new Promise<IncomingMessage>((resolve, reject) =>
      get(`http://127.0.0.1:${port}/v1/events`, { headers: { authorization: `Bearer ${key}` } }, resolve).on(
        'error',
        reject,
      ),
    );
    expect(res.statusCode).toBe(200);
    res.destroy();
    await waitUntil('Redis clients return to the baseline', async () => (await clientCount(h)) === baseline);
    await waitUntil(
      'no slot is held',
      async () => (await h.redis.zcard(h.keySpace.key('sse-slots', 'reset-tenant'))) === 0,
    );
  });

  it('a long-lived stream keeps its slot: the per-tenant limit still holds after the slot TTL has passed', async () => {
    const key = await h.keyFor('long-tenant');
    const first = await new Promise<IncomingMessage>((resolve) =>
      get(`http://127.0.0.1:${port}/v1/events`, { headers: { authorization: `Bearer ${key}` } }, resolve),
    );
    expect(first.statusCode).toBe(200);
    first.resume();
    const slotKey = h.keySpace.key('sse-slots', 'long-tenant');
    // Heartbeats (50 ms) keep the slot alive well past its 300 ms TTL.
    const started = Date.now();
    await waitUntil('several slot TTLs have passed', async () => Date.now() - started > 1_000);
    expect(await h.redis.exists(slotKey)).toBe(1);
    const second = await new Promise<IncomingMessage>((resolve) =>
      get(`http://127.0.0.1:${port}/v1/events`, { headers: { authorization: `Bearer ${key}` } }, resolve),
    );
    expect(second.statusCode).toBe(429);
    second.resume();
    first.destroy();
    await waitUntil('the slot is released', async () => (await h.redis.zcard(slotKey)) === 0);
  });

  it('refresh extends the slot key itself, not only the member', async () => {
    const tenant = 'refresh-tenant';
    const longSlots = new SseSlots(h.redis, h.keySpace, 5, 60_000);
    const slotKey = h.keySpace.key('sse-slots', tenant);
    expect(await longSlots.acquire(tenant, 'c1')).toBe(true);
    await h.redis.pexpire(slotKey, 1_000); // as if most of the TTL had passed since the acquire
    await longSlots.refresh(tenant, 'c1');
    expect(await h.redis.pttl(slotKey)).toBeGreaterThan(30_000);
    await longSlots.release(tenant, 'c1');
  });
});
