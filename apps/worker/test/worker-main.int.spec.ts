import { startRedisServer } from '@dreamqueue/testing';
import { main } from '../src/main';

const baseEnv = (redisUrl: string) => ({
  REDIS_URL: redisUrl,
  QUEUE_PREFIX: '{wmain}',
  LOG_LEVEL: 'silent',
  S3_ENDPOINT: 'http://127.0.0.1:9',
  SAGEMAKER_ENDPOINT: 'http://127.0.0.1:9',
  WORKER_HEALTH_PORT: '0',
});

describe('worker composition root (real Redis)', () => {
  it('refuses to start on a Redis that may evict keys (A7/R7)', async () => {
    const redis = await startRedisServer({ maxmemoryPolicy: 'allkeys-lru' });
    try {
      await expect(main(baseEnv(redis.url))).rejects.toMatchObject({ code: 'redis_eviction_policy' });
    } finally {
      await redis.stop();
    }
  });

  it('names the bad variable when configuration is invalid', async () => {
    await expect(main({ REDIS_URL: 'http://nope', TRAIN_CONCURRENCY: 'many' })).rejects.toThrow(
      /REDIS_URL[\s\S]*TRAIN_CONCURRENCY/,
    );
  });

  it('starts on a noeviction Redis and stops cleanly', async () => {
    const redis = await startRedisServer();
    try {
      const worker = await main(baseEnv(redis.url));
      await worker.stop();
    } finally {
      await redis.stop();
    }
  });
});
