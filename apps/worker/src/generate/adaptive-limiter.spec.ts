import { AdaptiveLimiter } from './adaptive-limiter';

describe('AdaptiveLimiter (AIMD)', () => {
  it('halves on throttling once per round trip', async () => {
    const limiter = new AdaptiveLimiter({ initial: 8, max: 8 });
    const starts = await Promise.all([limiter.acquire(), limiter.acquire(), limiter.acquire()]);
    limiter.release(starts[0]!, 'throttled');
    expect(limiter.limit).toBe(4);
    // Calls that were already in flight when the limit dropped do not cut it again.
    limiter.release(starts[1]! - 1, 'throttled');
    limiter.release(starts[2]! - 1, 'throttled');
    expect(limiter.limit).toBe(4);
  });

  it('goes back to the concurrency the endpoint throttled at and probes above it ever less often while full', async () => {
    let clock = 1_000_000;
    const limiter = new AdaptiveLimiter({ initial: 5, max: 8, probeIntervalMs: 60_000, now: () => clock });
    const starts = await Promise.all(Array.from({ length: 5 }, () => limiter.acquire()));
    clock += 1;
    limiter.release(starts[4]!, 'throttled'); // the 5th concurrent call was refused: capacity 4
    expect(limiter.limit).toBe(4);
    for (const t of starts.slice(0, 4)) limiter.release(t - 1, 'success');
    for (let i = 0; i < 20; i++) limiter.release(await limiter.acquire(), 'success');
    expect(limiter.limit).toBe(4); // no saw-tooth above the capacity it found
    clock += 60_000;
    limiter.release(await limiter.acquire(), 'success');
    expect(limiter.limit).toBe(5); // one probe step after an interval
    clock += 1;
    const [a, b, c, d, e] = await Promise.all(Array.from({ length: 5 }, () => limiter.acquire()));
    limiter.release(e!, 'throttled'); // the probe failed
    for (const t of [a, b, c, d]) limiter.release(t!, 'neutral');
    expect(limiter.limit).toBe(4);
    clock += 60_000;
    limiter.release(await limiter.acquire(), 'success');
    expect(limiter.limit).toBe(4); // the next probe waits twice as long
    clock += 60_000;
    limiter.release(await limiter.acquire(), 'success');
    expect(limiter.limit).toBe(5);
  });

  it('grows by about one per round of successes up to max when never throttled', async () => {
    const limiter = new AdaptiveLimiter({ initial: 2, max: 3 });
    for (let i = 0; i < 50; i++) limiter.release(await limiter.acquire(), 'success');
    expect(limiter.limit).toBe(3);
  });

  it('never goes below min, and grows back after a throttle burst', async () => {
    const limiter = new AdaptiveLimiter({ initial: 2, min: 1, max: 3, probeIntervalMs: 0 });
    for (let i = 0; i < 5; i++) {
      const t = await limiter.acquire();
      await new Promise((r) => setTimeout(r, 2));
      limiter.release(t, 'throttled');
    }
    expect(limiter.limit).toBe(1);
    for (let i = 0; i < 50; i++) limiter.release(await limiter.acquire(), 'success');
    expect(limiter.limit).toBe(3);
  });

  it('lets urgent callers take a freed permit before batch callers waiting longer', async () => {
    const limiter = new AdaptiveLimiter({ initial: 1, max: 1 });
    const first = await limiter.acquire();
    const order: string[] = [];
    const batch = limiter.acquire().then((t) => (order.push('batch'), t));
    const urgent = limiter.acquire(true).then((t) => (order.push('urgent'), t));
    limiter.release(first, 'neutral');
    limiter.release(await urgent, 'neutral');
    limiter.release(await batch, 'neutral');
    expect(order).toEqual(['urgent', 'batch']);
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
