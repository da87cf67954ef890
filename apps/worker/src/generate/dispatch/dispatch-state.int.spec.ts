import { startRedisFixture, type RedisFixture } from '@dreamqueue/testing';
import { DispatchState, type ReleaseRequest } from './dispatch-state';

describe('DispatchState: the order model-aware dispatch releases batch work in (real Redis)', () => {
  let fx: RedisFixture;
  beforeAll(async () => {
    fx = await startRedisFixture();
  });
  afterAll(async () => fx.close());

  const base: ReleaseRequest = {
    now: 1_000_000,
    capacity: 4,
    lookahead: 0,
    modelSlots: 4,
    maxWaitMs: 600_000,
    prewarmAt: 0,
    holdPrior: 8,
    loadingMs: 60_000,
    placeMs: 100,
    placeWaitMs: 20_000,
    coldLoadMs: 20_000,
  };

  /** Two lanes of four slots, 20 s cold loads. */
  const LANES2 = { modelSlots: 4, lanes: 2, coldLoadMs: 20_000 };

  /** Admits `n` jobs `<model>:<i>` of `tenant`, one ms apart from `at`. */
  async function admit(state: DispatchState, tenant: string, model: string, n: number, at = 990_000) {
    for (let i = 0; i < n; i++) {
      expect(await state.admit(`${tenant}:${model}:${i}`, tenant, model, at + i)).toBe('queued');
    }
  }
  const modelOf = (jobId: string) => jobId.split(':')[1];

  /** Runs every released job to the end, one release step at a time; returns the models in release order. */
  async function drain(state: DispatchState, request: ReleaseRequest = base): Promise<string[]> {
    const order: string[] = [];
    for (let step = 0; step < 1_000; step++) {
      const { jobIds } = await state.release(request);
      if (jobIds.length === 0) return order;
      for (const id of jobIds) {
        order.push(id);
        const lanes = request.capacity / request.modelSlots;
        expect(await state.start(id, modelOf(id)!, request.modelSlots, lanes, request.now)).toBe(true);
        await state.finish(id, modelOf(id)!, 'done', { cold: false, now: request.now });
      }
    }
    throw new Error('never drained');
  }

  it('drains one model in full before switching, and is idempotent per job', async () => {
    const state = new DispatchState(fx.redis, fx.keySpace());
    await admit(state, 't', 'a', 6);
    await admit(state, 't', 'b', 6, 989_500); // b's work is older, but a is running once chosen
    expect(await state.admit('t:a:0', 't', 'a', 9_999)).toBe('queued'); // a second delivery adds nothing
    const first = await state.release(base);
    expect(first.jobIds.map(modelOf)).toEqual(['b', 'b', 'b', 'b']);
    expect(await state.admit('t:b:0', 't', 'b')).toBe('released');
    for (const id of first.jobIds) await state.start(id, 'b', 4, 1, base.now);
    expect(await state.admit('t:b:0', 't', 'b')).toBe('inflight');
    // One b finishes: its slot goes to b again while b has work, not to a.
    await state.finish(first.jobIds[0]!, 'b', 'done', { cold: false, now: base.now });
    expect((await state.release(base)).jobIds.map(modelOf)).toEqual(['b']);
    for (const id of first.jobIds.slice(1)) await state.finish(id, 'b', 'done', { cold: false, now: base.now });
    const rest = await drain(state);
    expect(rest.map(modelOf)).toEqual(['b', 'a', 'a', 'a', 'a', 'a', 'a']);
    expect(await state.backlog()).toEqual({});
  });

  it('counts an interactive invocation on the lane the router sends it to: batch work leaves it its slot', async () => {
    const keySpace = fx.keySpace();
    const state = new DispatchState(fx.redis, keySpace);
    const lanes = async () => fx.redis.hgetall(keySpace.key('dispatch', 'lanes'));
    // Held nowhere: the router loads it on the least busy instance (lane 0 of two idle ones). Started one
    // cold load ago, it runs now.
    await state.interactiveStarted('g:1', 'i', LANES2, base.now - 20_000);
    expect(await lanes()).toEqual({ i: '0' });
    // A new batch model starts only on an idle lane: lane 1, not the one serving the interactive request.
    await admit(state, 't', 'a', 10);
    const first = await state.release({ ...base, capacity: 8 });
    expect(first.jobIds.map(modelOf)).toEqual(['a', 'a', 'a', 'a']);
    expect(await lanes()).toEqual({ i: '0', a: '1' });
    for (const id of first.jobIds) expect(await state.start(id, 'a', 4, 2, base.now)).toBe(true);
    // A second model on the interactive request's lane gets the three slots it leaves.
    await admit(state, 'u', 'b', 10);
    await state.interactiveEnded('g:1');
    await state.interactiveStarted('g:2', 'i', LANES2, base.now);
    const second = await state.release({ ...base, capacity: 8 });
    expect(second.jobIds.map(modelOf)).toEqual(['b', 'b', 'b']);
    for (const id of second.jobIds) expect(await state.start(id, 'b', 4, 2, base.now)).toBe(true);
    // Both lanes full: the next interactive request is routed to neither holder; its lane is lane 0, held.
    await state.interactiveStarted('g:3', 'i', LANES2, base.now);
    expect((await lanes()).i).toBe('0');
    // b has work left but no slot on lane 0 while g:2 and g:3 run; once they end, its fourth.
    expect((await state.release({ ...base, capacity: 8 })).jobIds).toEqual([]);
    await state.interactiveEnded('g:3');
    await state.interactiveEnded('g:2');
    expect((await state.release({ ...base, capacity: 8 })).jobIds.map(modelOf)).toEqual(['b']);
  });

  it('counts an interactive request in the capacity from its start, its model’s load included', async () => {
    const state = new DispatchState(fx.redis, fx.keySpace());
    await state.interactiveStarted('g:1', 'i', { ...LANES2, lanes: 1 }, base.now);
    await admit(state, 't', 'a', 10);
    expect((await state.release(base)).jobIds).toHaveLength(3);
  });

  it('takes no lane slot from batch work while an interactive request’s model loads', async () => {
    const state = new DispatchState(fx.redis, fx.keySpace());
    await admit(state, 'a', 'a', 10);
    await admit(state, 'b', 'b', 10);
    const first = await state.release({ ...base, capacity: 8 });
    const [aLast, ...aJobs] = first.jobIds.filter((id) => modelOf(id) === 'a').reverse();
    for (const id of first.jobIds)
      if (id !== aLast) expect(await state.start(id, modelOf(id)!, 4, 2, base.now)).toBe(true);
    // The least busy lane is a's (three running): the request's model loads there, taking no slot yet.
    await state.interactiveStarted('g:1', 'i', LANES2, base.now);
    expect(aJobs).toHaveLength(3);
    expect(await state.start(aLast!, 'a', 4, 2, base.now)).toBe(true);
  });

  it('records an interactive request on a further lane when every lane holding its model is full', async () => {
    const keySpace = fx.keySpace();
    const state = new DispatchState(fx.redis, keySpace);
    const lanes = async () => fx.redis.hgetall(keySpace.key('dispatch', 'lanes'));
    await admit(state, 't', 'a', 10);
    const first = await state.release({ ...base, capacity: 8 });
    for (const id of first.jobIds) expect(await state.start(id, 'a', 4, 2, base.now)).toBe(true);
    expect(await lanes()).toEqual({ a: '0' });
    // Model a's lane is full: a request for a, sent interactively, is loaded on lane 1 as well.
    await state.interactiveStarted('g:1', 'a', LANES2, base.now);
    expect(await lanes()).toEqual({ a: '0,1' });
  });

  it('gives a model at most one instance’s slots and starts another model in the rest', async () => {
    const state = new DispatchState(fx.redis, fx.keySpace());
    await admit(state, 't', 'a', 10);
    await admit(state, 't', 'b', 10, 992_000);
    const { jobIds } = await state.release({ ...base, capacity: 8 });
    expect(jobIds.map(modelOf)).toEqual(['a', 'a', 'a', 'a', 'b', 'b', 'b', 'b']);
    // Lookahead releases more of the running models (two per lane), never a new model.
    await admit(state, 't', 'c', 3, 990_100);
    const ahead = await state.release({ ...base, capacity: 8, lookahead: 2 });
    expect(ahead.jobIds.map(modelOf).sort()).toEqual(['a', 'a', 'b', 'b']);
    // A released job does not start while its lane (instance) already runs `modelSlots` invocations.
    for (const id of jobIds) await state.start(id, modelOf(id)!, 4, 2, base.now);
    expect(await state.start(ahead.jobIds[0]!, modelOf(ahead.jobIds[0]!)!, 4, 2, base.now)).toBe(false);
  });

  it('keeps the endpoint’s lanes when the capacity drops below them (a throttle lowered the AIMD limits)', async () => {
    const state = new DispatchState(fx.redis, fx.keySpace());
    await admit(state, 't', 'a', 10);
    await admit(state, 't', 'b', 10, 992_000);
    // Capacity 6 of two 4-slot instances: still two lanes, so b starts on the other instance.
    const { jobIds } = await state.release({ ...base, capacity: 6, lanes: 2 });
    expect(jobIds.map(modelOf)).toEqual(['a', 'a', 'a', 'a', 'b', 'b']);
    for (const id of jobIds) expect(await state.start(id, modelOf(id)!, 4, 2, base.now)).toBe(true);
  });

  it('starts a new model on a drained lane while busy lanes hold lookahead, and a cold one only on an idle lane', async () => {
    const state = new DispatchState(fx.redis, fx.keySpace());
    await admit(state, 't', 'a', 20);
    await admit(state, 't', 'b', 20, 991_000);
    await admit(state, 't', 'c', 6, 992_000);
    const three = { ...base, capacity: 12, lanes: 3, lookahead: 2 };
    const first = await state.release(three);
    expect(first.jobIds.map(modelOf)).toEqual(['a', 'a', 'a', 'a', 'b', 'b', 'b', 'b', 'c', 'c', 'c', 'c']);
    // Every slot is taken: a and b get their lookahead, c's last two are left for its lane.
    expect((await state.release(three)).jobIds.map(modelOf).sort()).toEqual(['a', 'a', 'b', 'b', 'c', 'c']);
    for (const id of first.jobIds) await state.start(id, modelOf(id)!, 4, 3, three.now);
    for (const id of first.jobIds.filter((id) => modelOf(id) === 'c'))
      await state.finish(id, 'c', 'done', { cold: false, now: three.now });
    for (const i of [4, 5]) expect(await state.start(`t:c:${i}`, 'c', 4, 3, three.now)).toBe(true);
    await admit(state, 't', 'd', 10, 993_000);
    // c's lane runs c's last two: d, held nowhere, is not started there (the endpoint could load it on another
    // instance); it is warmed up, since c's lane runs two fewer invocations than every other lane.
    expect(await state.release(three)).toEqual({ jobIds: [], warmups: ['d'], held: ['c'] });
    for (const i of [4, 5]) await state.finish(`t:c:${i}`, 'c', 'done', { cold: false, now: three.now });
    // c's lane drained; a's and b's lookahead fill the capacity, but take no slot there: d starts (with its
    // own lookahead).
    const later = { ...three, now: three.now + three.placeMs };
    expect((await state.release(later)).jobIds.map(modelOf)).toEqual(['d', 'd', 'd', 'd', 'd', 'd']);
  });

  it('places a lane’s next model only while that lane is the least busy one, holding it below its slots', async () => {
    const state = new DispatchState(fx.redis, fx.keySpace());
    await admit(state, 't', 'a', 10);
    await admit(state, 't', 'b', 10, 992_000);
    await admit(state, 't', 'c', 10, 993_000);
    const two = { ...base, capacity: 8, prewarmAt: 7 };
    const first = await state.release(two);
    expect(first.jobIds.map(modelOf)).toEqual(['a', 'a', 'a', 'a', 'b', 'b', 'b', 'b']);
    expect(first.warmups).toEqual([]); // c's lane is chosen, but every lane is equally busy
    await admit(state, 't', 'd', 10, 994_000);
    // One placement at a time: b's lane, as near its end as a's, waits for c's to be routed.
    expect((await state.release(two)).warmups).toEqual([]);
    const started = [];
    for (const id of first.jobIds) started.push(await state.start(id, modelOf(id)!, 4, 2, two.now));
    // a's lane is held two below its slots: a's last two jobs wait, and a's workers hand no slot over.
    expect(started).toEqual([true, true, false, false, true, true, true, true]);
    // a's lane now runs fewer invocations than b's: the warm-up goes out, routed where c is meant to run.
    expect(await state.release(two)).toEqual({ jobIds: [], warmups: ['c'], held: ['a'] });
    expect(await state.release(two)).toEqual({ jobIds: [], warmups: [], held: ['a'] });
    // Once the warm-up had time to be routed, a's lane is free again and b's is placed next, for d.
    const later = { ...two, now: two.now + two.placeMs };
    expect(await state.release(later)).toEqual({ jobIds: [], warmups: [], held: ['b'] });
    expect(await state.start(first.jobIds[2]!, 'a', 4, 2, later.now)).toBe(true);
  });

  it('places a newcomer’s cold model on the lane of the tenant holding most when no lane is idle', async () => {
    const state = new DispatchState(fx.redis, fx.keySpace());
    await state.setWeight('tb', 2); // b's four slots are a smaller part for its weight than a's four
    await admit(state, 'ta', 'a', 40);
    await admit(state, 'tb', 'b', 40, 990_100);
    const two = { ...base, capacity: 8, lanes: 2, prewarmAt: 7 };
    const first = await state.release(two);
    expect(first.jobIds.map(modelOf).sort()).toEqual(['a', 'a', 'a', 'a', 'b', 'b', 'b', 'b']);
    for (const id of first.jobIds) expect(await state.start(id, modelOf(id)!, 4, 2, two.now)).toBe(true);
    // c arrives: no lane is idle and neither is near its end. Its model is placed on a's lane, held for it.
    await admit(state, 'tc', 'c', 10, 995_000);
    expect((await state.release(two)).jobIds).toEqual([]);
    const ofA = first.jobIds.filter((id) => modelOf(id) === 'a');
    for (const id of ofA.slice(0, 2)) await state.finish(id, 'a', 'done', { cold: false, now: two.now });
    // a's lane now runs two fewer than b's: the warm-up goes out (a keeps to two slots meanwhile).
    expect(await state.release(two)).toMatchObject({ jobIds: [], warmups: ['c'] });
    // Once it is routed, c, holding nothing, gets that lane's free slots.
    const later = { ...two, now: two.now + two.placeMs };
    expect((await state.release(later)).jobIds.map(modelOf)).toEqual(['c', 'c']);
  });

  it('gives a tenant whose lanes are full a further lane where the tenant holding most runs', async () => {
    const keySpace = fx.keySpace();
    const state = new DispatchState(fx.redis, keySpace);
    const hash = (name: string) => fx.redis.hgetall(keySpace.key('dispatch', name));
    await admit(state, 'ta', 'a', 60);
    await admit(state, 'tb', 'b', 60, 990_100);
    const two = { ...base, capacity: 8, lanes: 2, prewarmAt: 7 };
    const running = new Set<string>();
    const startAll = async (ids: string[], now: number) => {
      for (const id of ids) {
        expect(await state.start(id, modelOf(id)!, 4, 2, now)).toBe(true);
        running.add(id);
      }
    };
    const finish = async (model: string, n: number, now: number) => {
      for (const id of [...running].filter((j) => modelOf(j) === model).slice(0, n)) {
        running.delete(id);
        await state.finish(id, model, 'done', { cold: false, now });
      }
    };
    await startAll((await state.release(two)).jobIds, two.now);
    // c arrives and is placed on one big tenant's lane ("shared"), where it gets two slots.
    await admit(state, 'tc', 'c', 60, 995_000);
    expect(await state.release(two)).toMatchObject({ jobIds: [], warmups: [] });
    const lanes = await hash('lanes');
    const [cLane] = Object.keys(await hash('placing'));
    const shared = lanes.a === cLane ? 'a' : 'b';
    const rich = shared === 'a' ? 'b' : 'a';
    await finish(shared, 2, two.now);
    expect(await state.release(two)).toMatchObject({ warmups: ['c'] });
    let now = two.now + two.placeMs;
    const cJobs = (await state.release({ ...two, now })).jobIds;
    expect(cJobs.map(modelOf)).toEqual(['c', 'c']);
    await startAll(cJobs, now);
    // c and the shared tenant hold two slots each, the rich one four, and lanes are per model: the shared
    // tenant's model is placed on the rich tenant's lane as well. That lane is held below its slots (the
    // rich model hands no slot over) while the shared model's lane stays full, so the router loads it there.
    const held = await state.release({ ...two, now });
    expect(held).toMatchObject({ jobIds: [], warmups: [], held: [rich] });
    expect(await hash('placing')).toEqual({ [lanes[rich]!]: `+${shared}|${now}|0` });
    await finish(rich, 2, now);
    expect(await state.release({ ...two, now })).toMatchObject({ warmups: [shared] });
    expect((await hash('lanes'))[shared]).toBe(`${lanes[shared]},${lanes[rich]}`);
    // Once routed, the rich lane's free slots go to the tenants holding least: both run there now.
    now += two.placeMs;
    const next = (await state.release({ ...two, now })).jobIds;
    expect(next.map(modelOf).sort()).toEqual([shared, rich].sort());
    await startAll(next, now);
    expect(await hash('job-lanes')).toEqual({ [next.find((id) => modelOf(id) === shared)!]: lanes[rich] });
  });

  it('gives a further lane back once the confinement that made it has ended', async () => {
    // a was given b's lane (1) as a further lane while c shared a's lane (0) with it.
    const lanesOfA = async (withC: boolean) => {
      const keySpace = fx.keySpace();
      const state = new DispatchState(fx.redis, keySpace);
      const key = (name: string) => keySpace.key('dispatch', name);
      const tenants = withC ? ['a', 'b', 'c'] : ['a', 'b'];
      await fx.redis.hset(key('lanes'), 'a', '0,1', 'b', '1', 'c', '0');
      for (const m of tenants) {
        await fx.redis.hset(key('jobs'), `${m}-running`, `t${m}|${m}`);
        await fx.redis.zadd(key('inflight'), base.now, `${m}-running`);
        await fx.redis.zadd(key('recency'), base.now, m);
        await admit(state, `t${m}`, m, 20);
      }
      await state.release({ ...base, capacity: 8, lanes: 2 });
      return (await fx.redis.hget(key('lanes'), 'a'))!;
    };
    // c still has work: a and c confined to lane 0 would need more than its four slots.
    expect(await lanesOfA(true)).toBe('0,1');
    // c is done: a alone fits lane 0, and lane 1's freed slots are b's again.
    expect(await lanesOfA(false)).toBe('0');
  });

  it('counts a job of a model on two lanes on the one the router picks, on both when they are level and shared', async () => {
    const keySpace = fx.keySpace();
    const state = new DispatchState(fx.redis, keySpace);
    const key = (name: string) => keySpace.key('dispatch', name);
    await fx.redis.hset(key('lanes'), 'x', '0', 'z', '0,1');
    const job = async (id: string, model: string, set: 'released' | 'inflight') => {
      await fx.redis.hset(key('jobs'), id, `t|${model}`);
      await fx.redis.zadd(key(set), base.now, id);
    };
    for (let i = 0; i < 3; i++) await job(`x${i}`, 'x', 'inflight');
    for (let i = 0; i < 4; i++) await job(`z${i}`, 'z', 'released');
    await job('x3', 'x', 'released');
    for (let i = 0; i < 3; i++) expect(await state.start(`z${i}`, 'z', 4, 2, base.now)).toBe(true);
    expect(await fx.redis.hgetall(key('job-lanes'))).toEqual({ z0: '1', z1: '1', z2: '1' });
    // Three on each lane: the router may pick either, so z3 holds a slot on both until it ends.
    expect(await state.start('z3', 'z', 4, 2, base.now)).toBe(true);
    expect(await fx.redis.hget(key('job-lanes'), 'z3')).toBe('0,1');
    expect(await state.start('x3', 'x', 4, 2, base.now)).toBe(false);
    await state.finish('z3', 'z', 'done', { cold: false, now: base.now });
    expect(await state.start('x3', 'x', 4, 2, base.now)).toBe(true);
    expect(await fx.redis.hget(key('job-lanes'), 'z3')).toBeNull();

    // Lanes running no other model are alike: a job level between them counts on one.
    await fx.redis.hset(key('lanes'), 'w', '2,3');
    await job('w0', 'w', 'released');
    expect(await state.start('w0', 'w', 4, 4, base.now)).toBe(true);
    expect(await fx.redis.hget(key('job-lanes'), 'w0')).toBe('2');
  });

  it('sends a warm-up only while its lane runs two invocations fewer than every other lane', async () => {
    const state = new DispatchState(fx.redis, fx.keySpace());
    await admit(state, 't', 'a', 10);
    await admit(state, 't', 'b', 10, 992_000);
    await admit(state, 't', 'c', 10, 993_000);
    const two = { ...base, capacity: 8, prewarmAt: 7 };
    const first = await state.release(two);
    for (const id of first.jobIds) await state.start(id, modelOf(id)!, 4, 2, two.now);
    // a's lane is held at two; one of b's invocations ends: b's instance has a slot free, so the router
    // could load c there as well as on a's.
    await state.finish(first.jobIds[4]!, 'b', 'done', { cold: false, now: two.now });
    expect((await state.release(two)).warmups).toEqual([]);
    // b's next job starts: a's lane runs two fewer than b's, and c is warmed up there.
    const [next] = (await state.release({ ...two, lookahead: 1 })).jobIds;
    expect(modelOf(next!)).toBe('b');
    expect(await state.start(next!, 'b', 4, 2, two.now)).toBe(true);
    expect((await state.release(two)).warmups).toEqual(['c']);
  });

  it('never starves a waiting model: work older than the max wait goes first', async () => {
    const state = new DispatchState(fx.redis, fx.keySpace());
    await state.admit('t:a:warm', 't', 'a', 0);
    expect((await state.release({ ...base, now: 2_500 })).jobIds).toEqual(['t:a:warm']);
    await state.finish('t:a:warm', 'a', 'done', { cold: false, now: 2_500 }); // a is warm on the endpoint
    await admit(state, 't', 'z', 1, 2_000); // z waits longest, but is cold
    await admit(state, 't', 'a', 20, 3_000);
    const one = { ...base, capacity: 1, modelSlots: 1 };
    const first = await state.release({ ...one, now: 4_000 });
    expect(first.jobIds.map(modelOf)).toEqual(['a']);
    await state.finish(first.jobIds[0]!, 'a', 'done', { cold: false, now: 4_000 });
    expect((await state.release({ ...one, now: 5_000 })).jobIds.map(modelOf)).toEqual(['a']);
    await state.finish('t:a:1', 'a', 'done', { cold: false, now: 5_000 });
    // a keeps its slot while it has work, until z has waited longer than the max wait.
    const late = await state.release({ ...one, now: 2_000 + base.maxWaitMs + 1 });
    expect(late.jobIds.map(modelOf)).toEqual(['z']);
  });

  it('keeps weighted shares between running backlogs older than the max wait (only an idle model goes first)', async () => {
    const state = new DispatchState(fx.redis, fx.keySpace());
    await state.setWeight('heavy', 2);
    // Both tenants' big batches were admitted long ago; heavy's a little earlier, so its head is the oldest.
    await admit(state, 'heavy', 'h', 40, 1_000);
    await admit(state, 'light', 'l', 40, 2_000);
    const late = { ...base, capacity: 1, modelSlots: 1, now: 2_000 + base.maxWaitMs + 1 };
    const tenants = (await drain(state, late)).map((id) => id.split(':')[0]);
    const first30 = tenants.slice(0, 30);
    expect(first30.filter((t) => t === 'heavy')).toHaveLength(20);
    expect(first30.filter((t) => t === 'light')).toHaveLength(10);
  });

  it('shares slots between tenants in proportion to their weights, a newcomer from its arrival on', async () => {
    const state = new DispatchState(fx.redis, fx.keySpace());
    await state.setWeight('heavy', 2);
    await admit(state, 'heavy', 'h', 60);
    await admit(state, 'light', 'l', 60);
    const order = await drain(state, { ...base, capacity: 1, modelSlots: 1 });
    const first30 = order.slice(0, 30).map((id) => id.split(':')[0]);
    expect(first30.filter((t) => t === 'heavy')).toHaveLength(20);
    expect(first30.filter((t) => t === 'light')).toHaveLength(10);

    const fresh = new DispatchState(fx.redis, fx.keySpace());
    await admit(fresh, 'big', 'b', 40);
    const head = await drain(fresh, { ...base, capacity: 1, modelSlots: 1, now: 1_000_000 }).then((o) => o);
    expect(head).toHaveLength(40);
    // A tenant arriving while another has served for long starts level with it, not 40 turns ahead.
    await admit(fresh, 'big', 'b2', 10, 995_000);
    await admit(fresh, 'small', 's', 5, 995_000);
    const mixed = (await drain(fresh, { ...base, capacity: 1, modelSlots: 1 })).map((id) => id.split(':')[0]);
    expect(mixed.slice(0, 10).filter((t) => t === 'small')).toHaveLength(5);
    expect(mixed.slice(0, 4)).toContain('big');
  });

  it('gives a free slot to the tenant holding the smallest part of the endpoint, before virtual time', async () => {
    const state = new DispatchState(fx.redis, fx.keySpace());
    await admit(state, 'ta', 'a', 10);
    const first = await state.release(base); // nobody else waits: a takes every slot
    expect(first.jobIds.map(modelOf)).toEqual(['a', 'a', 'a', 'a']);
    for (const id of first.jobIds) await state.start(id, 'a', 4, 1, base.now);
    await admit(state, 'tb', 'b', 10); // starts level with a in virtual time (4 served)
    await state.finish(first.jobIds[0]!, 'a', 'done', { cold: false, now: base.now });
    expect((await state.release(base)).jobIds.map(modelOf)).toEqual(['b']);
    await state.finish(first.jobIds[1]!, 'a', 'done', { cold: false, now: base.now });
    // a runs 2 and b 1: b gets the slot, though a (4 served) is behind b (5) in virtual time.
    expect((await state.release(base)).jobIds.map(modelOf)).toEqual(['b']);
  });

  it('at a cold start waits a little for work arriving together, so two tenants start side by side', async () => {
    const state = new DispatchState(fx.redis, fx.keySpace());
    const gather = { ...base, coldStartGatherMs: 2_000, prewarmAt: 3 };
    // An interactive request already running is no batch work: the cold start still gathers.
    await state.interactiveStarted('g:1', 'i', { ...LANES2, lanes: 1 }, base.now - 200);
    await admit(state, 'ta', 'a', 10, base.now - 100);
    const early = await state.release(gather);
    expect(early).toEqual({ jobIds: [], warmups: [], held: [], gatherEndsInMs: 1_900 });
    await admit(state, 'tb', 'b', 10, base.now - 50); // admitted just after: the first would have taken every slot
    await state.interactiveEnded('g:1');
    const { jobIds, gatherEndsInMs } = await state.release({ ...gather, now: base.now + 1_900 });
    expect(gatherEndsInMs).toBeUndefined();
    expect(jobIds.map(modelOf).sort()).toEqual(['a', 'a', 'b', 'b']);

    // A warm model is not held back: it pays no load.
    const warm = new DispatchState(fx.redis, fx.keySpace());
    await admit(warm, 't', 'w', 1);
    await drain(warm);
    await admit(warm, 't', 'w', 6, base.now);
    expect((await warm.release(gather)).jobIds.map(modelOf)).toEqual(['w', 'w', 'w', 'w']);
  });

  it('suggests warming the next model when the running ones are nearly drained, one load per lane', async () => {
    const state = new DispatchState(fx.redis, fx.keySpace());
    await admit(state, 't', 'a', 10);
    await admit(state, 't', 'b', 10, 992_000);
    await admit(state, 't', 'c', 10, 993_000);
    const early = await state.release({ ...base, prewarmAt: 3 });
    expect(early.jobIds.map(modelOf)).toEqual(['a', 'a', 'a', 'a']);
    expect(early.warmups).toEqual([]); // a still has 6 jobs left
    for (const id of early.jobIds) await state.finish(id, 'a', 'done', { cold: false, now: base.now });
    await state.release(base); // 4 more of a: 2 left
    const late = await state.release({ ...base, prewarmAt: 3 });
    expect(late.warmups).toEqual(['b']);
    expect((await state.release({ ...base, prewarmAt: 3 })).warmups).toEqual([]); // b is loading
  });

  it('learns how many models the endpoint keeps from a model that loaded cold again', async () => {
    const state = new DispatchState(fx.redis, fx.keySpace());
    for (const [i, model] of ['a', 'b', 'c', 'd'].entries()) {
      await state.admit(`j${i}`, 't', model, i);
      await state.finish(`j${i}`, model, 'done', { cold: true, now: 100 + i });
    }
    expect(await state.learnedHold()).toBeUndefined();
    await state.admit('again', 't', 'b', 10);
    await state.finish('again', 'b', 'done', { cold: true, now: 200 }); // b was evicted after c and d: it keeps 2
    expect(await state.learnedHold()).toBe(2);
  });
});
