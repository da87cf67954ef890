import { RateMeter, renderProgress } from './progress-bar';

describe('renderProgress', () => {
  it('shows finished over total, failures, rate and ETA', () => {
    const line = renderProgress({ total: 20, succeeded: 9, failed: 1, canceled: 0, rate: 2 }, 100);
    expect(line).toMatch(/^\[█+░+\] 10\/20 done · 1 failed · 2\.0\/s · ETA 5s$/);
    expect(line.match(/█/g)).toHaveLength(line.match(/░/g)!.length);
  });

  it('says it does not know the rate or ETA yet, and fills the bar when done', () => {
    expect(renderProgress({ total: 4, succeeded: 0, failed: 0, canceled: 0 }, 80)).toContain('–/s · ETA ?');
    const done = renderProgress({ total: 4, succeeded: 3, failed: 0, canceled: 1, rate: 4 }, 80);
    expect(done).not.toContain('░');
    expect(done).toContain('4/4 done · 0 failed · 1 canceled · 4.0/s · ETA 0s');
  });

  it('fits a narrow terminal', () => {
    expect(renderProgress({ total: 100_000, succeeded: 5, failed: 0, canceled: 0, rate: 120 }, 40)).toMatch(
      /^\[[█░]{10}\] /,
    );
  });
});

describe('RateMeter', () => {
  it('measures items per second from its first observation', () => {
    let now = 0;
    const meter = new RateMeter(() => now);
    expect(meter.observe(3)).toBeUndefined();
    now = 500;
    expect(meter.observe(5)).toBeUndefined();
    now = 2000;
    expect(meter.observe(11)).toBe(4);
  });
});
