import { Router } from 'express';

/** A dependency the API needs to serve requests (Redis, S3, the SageMaker endpoints). */
export interface ReadinessCheck {
  name: string;
  check(signal: AbortSignal): Promise<void>;
}

const CHECK_TIMEOUT_MS = 2_000;

/**
 * `/healthz`: the process is up (liveness; never touches dependencies, so a Redis outage does not get
 * the API restarted). `/readyz`: every dependency answered within 2 s (readiness; take it out of rotation).
 */
export function healthRoutes(checks: ReadinessCheck[]): Router {
  const router = Router({ caseSensitive: true });
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const results = await Promise.all(checks.map(runCheck));
    const ready = results.every((r) => r.ok);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks: results });
  });
  return router;
}

async function runCheck({ name, check }: ReadinessCheck): Promise<{ name: string; ok: boolean; error?: string }> {
  const signal = AbortSignal.timeout(CHECK_TIMEOUT_MS);
  try {
    await Promise.race([
      check(signal),
      new Promise((_, reject) =>
        signal.addEventListener('abort', () => reject(new Error('timed out')), { once: true }),
      ),
    ]);
    return { name, ok: true };
  } catch (err) {
    // Names only: a dependency's raw error can carry hostnames or bucket names.
    return { name, ok: false, error: (err as Error).name === 'Error' ? (err as Error).message : (err as Error).name };
  }
}
