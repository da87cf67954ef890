import { Gauge, Registry } from 'prom-client';
import { startHealthServer, type HealthServer } from './health-server';

/** The probe server over real HTTP. */
describe('worker health server', () => {
  let server: HealthServer | undefined;
  afterEach(async () => server?.close());

  const start = async (registry: Registry, onError: (err: unknown) => void) => {
    server = await startHealthServer({
      port: 0,
      host: '127.0.0.1',
      canaryAge: () => 0,
      redisConnected: () => true,
      readyMaxAgeMs: 1_000,
      liveMaxAgeMs: 1_000,
      registry,
      onError,
    });
    return `http://127.0.0.1:${server.port}`;
  };

  it('answers 500 and reports the error when a metric collector throws, with no unhandled rejection', async () => {
    const registry = new Registry();
    new Gauge({
      name: 'dq_test_broken',
      help: 'A collector that fails.',
      registers: [registry],
      collect() {
        throw new Error('collector broke');
      },
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const reported: unknown[] = [];
    try {
      const base = await start(registry, (err) => reported.push(err));
      const res = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(5_000) });
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ error: { code: 'internal_error', message: expect.any(String) } });
      expect(reported).toEqual([expect.objectContaining({ message: 'collector broke' })]);
      // The server keeps answering.
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      await new Promise((r) => setImmediate(r));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
