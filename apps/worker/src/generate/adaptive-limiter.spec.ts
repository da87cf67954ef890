import { AdaptiveLimiter } from './adaptive-limiter';

describe('AdaptiveLimiter (AIMD)', () => {
  it('halves on throttling once per round trip and grows back by one per round of successes', async () => {
    const limiter = new AdaptiveLimiter({ initial: 8, max: 8 });
    const starts = await Promise.all([limiter.acquire(), limiter.acquire(), limiter.acquire()]);
    limiter.release(starts[0]!, 'throttled');
    expect(limiter.limit).toBe(4);
    // Calls that were already in flight when the limit dropped do not cut it again.
    limiter.release(starts[1]! - 1, 'throttled');
    limiter.release(starts[2]! - 1, 'throttled');
    expect(limiter.limit).toBe(4);

    for (let i = 0; i < 5; i++) limiter.release(await limiter.acquire(), 'success');
    expect(limiter.limit).toBe(5);
  });

  it('never goes below min or above max', async () => {
    const limiter = new AdaptiveLimiter({ initial: 2, min: 1, max: 3 });
    for (let i = 0; i < 5; i++) {
      const t = await limiter.acquire();
      await new Promise((r) => setTimeout(r, 2));
      limiter.release(t, 'throttled');
    }
    expect(limiter.limit).toBe(1);
    for (let i = 0; i < 50; i++) limiter.release(await limiter.acquire(), 'success');
    expect(limiter.limit).toBe(3);
  });

  it('makes callers wait for a permit and lets them in as permits free up', async () => {
    const limiter = new AdaptiveLimiter({ initial: 1, max: 4 });
    const first = await limiter.acquire();
    let secondIn = false;
    const second = limiter.acquire().then((t) => {
      secondIn = true;
      return t;
    });
    await new Promise((r) => setImmediate(r));
    expect(secondIn).toBe(false);
    limiter.release(first, 'neutral');
    limiter.release(await second, 'neutral');
    expect(secondIn).toBe(true);
    expect(limiter.inFlight).toBe(0);
  });
});
