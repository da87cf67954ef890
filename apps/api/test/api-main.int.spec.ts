import { generateApiKey } from '../src/auth/api-key';
import { main } from '../src/main';
import { startRedisServer } from '@dreamqueue/testing';

describe('API composition root (real Redis, real HTTP)', () => {
  it('registers the bootstrap key, serves requests, and shuts down even with an event stream open', async () => {
    const redis = await startRedisServer();
    const key = generateApiKey();
    const api = await main({
      REDIS_URL: redis.url,
      QUEUE_PREFIX: '{apimain}',
      PORT: '0',
      LOG_LEVEL: 'silent',
      BOOTSTRAP_API_KEY: key,
      S3_ENDPOINT: 'http://127.0.0.1:9',
      SAGEMAKER_ENDPOINT: 'http://127.0.0.1:9',
      SHUTDOWN_GRACE: '200ms',
    });
    const base = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
    const models = await fetch(`${base}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
    expect(models.status).toBe(200);

    const stream = await fetch(`${base}/v1/events`, {
      headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' },
    });
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    const reader = stream.body!.getReader();
    const ended = (async () => {
      for (;;) if ((await reader.read().catch(() => ({ done: true }))).done) return true;
    })();

    await api.stop();
    await expect(ended).resolves.toBe(true);
    await redis.stop();
  });

  it('refuses to start with a readable message when a variable is invalid', async () => {
    await expect(main({ PORT: 'eighty', BOOTSTRAP_API_KEY: 'sk_short' })).rejects.toThrow(
      /PORT[\s\S]*BOOTSTRAP_API_KEY/,
    );
  });
});
