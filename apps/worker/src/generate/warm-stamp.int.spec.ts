import { ModelDemand } from '@dreamqueue/records';
import { startRedisFixture, type RedisFixture } from '@dreamqueue/testing';
import { WarmStamp } from './warm-stamp';

describe('WarmStamp (real Redis)', () => {
  let fixture: RedisFixture;
  beforeAll(async () => {
    fixture = await startRedisFixture();
  });
  afterAll(async () => fixture.close());

  it('writes a model’s warm stamp at most once per interval, each model on its own', async () => {
    const demand = new ModelDemand(fixture.redis, fixture.keySpace());
    const stamp = new WarmStamp(demand, 1_000);
    await stamp.mark('a.tar.gz', 10_000);
    await stamp.mark('a.tar.gz', 10_500); // within the interval: no write
    await stamp.mark('b.tar.gz', 10_600);
    expect(await demand.warm(60_000, 10, 11_000)).toEqual(['b.tar.gz', 'a.tar.gz']);
    await stamp.mark('a.tar.gz', 11_000); // interval over: stamped again, now the most recent
    expect(await demand.warm(60_000, 10, 11_000)).toEqual(['a.tar.gz', 'b.tar.gz']);
    expect(await demand.warm(700, 10, 11_600)).toEqual(['a.tar.gz']);
  });

  it('forgets the least recently stamped model beyond its size, which is then stamped again', async () => {
    const demand = new ModelDemand(fixture.redis, fixture.keySpace());
    const stamp = new WarmStamp(demand, 60_000, 2);
    await stamp.mark('a', 1);
    await stamp.mark('b', 2);
    await stamp.mark('c', 3); // forgets a
    await stamp.mark('a', 4); // written again although within the interval
    expect(await demand.warm(60_000, 10, 5)).toEqual(['a', 'c', 'b']);
  });
});
