import { createLogger } from '@dreamqueue/logger';
import { eventually, startRedisFixture, type RedisFixture } from '@dreamqueue/testing';
import { AdaptiveLimiter } from '../adaptive-limiter';
import { DispatchState } from './dispatch-state';
import { ModelDispatcher } from './model-dispatcher';

describe('ModelDispatcher: the release step as one worker process runs it (real Redis)', () => {
  let fx: RedisFixture;
  beforeAll(async () => {
    fx = await startRedisFixture();
  });
  afterAll(async () => fx.close());

  function dispatcherFor(
    state: DispatchState,
    promoted: string[],
    processId = 'p1',
    options: { coldLoadPriorMs?: number; waiting?: () => Promise<number> } = {},
  ): ModelDispatcher {
    return new ModelDispatcher(
      {
        state,
        limiter: new AdaptiveLimiter({ initial: 4, max: 4 }),
        promote: async (jobId) => {
          promoted.push(jobId);
          return 'promoted';
        },
        warmUp: async () => undefined,
        waiting: options.waiting ?? (async () => 0),
        processId,
        logger: createLogger({ name: 'test', level: 'silent' }),
      },
      {
        lookahead: 0,
        modelSlots: 4,
        maxWaitMs: 600_000,
        holdPrior: 8,
        warmupAbortMs: 1_000,
        coldLoadPriorMs: options.coldLoadPriorMs ?? 0,
        tickMs: 60_000,
      },
    );
  }

  it('takes a stopping process out of the endpoint capacity at once', async () => {
    const state = new DispatchState(fx.redis, fx.keySpace());
    const capacitySeenByOther = async () => (await state.reportLimit('other', { limit: 4, max: 4 }, 15_000)).limit;
    expect(await capacitySeenByOther()).toBe(4);
    const dispatcher = dispatcherFor(state, []);
    dispatcher.pump(); // its release step reports its limit
    await eventually(async () => ((await capacitySeenByOther()) === 8 ? true : undefined), 5_000, 'p1 reported');
    dispatcher.stop();
    await eventually(async () => ((await capacitySeenByOther()) === 4 ? true : undefined), 5_000, 'p1 gone');
    dispatcher.pump(); // a stopped process runs no release step, so it does not report itself again
    await new Promise((r) => setTimeout(r, 200));
    expect(await capacitySeenByOther()).toBe(4);
  });

  it('ends a cold-start gather once nothing is left waiting in BullMQ to be admitted', async () => {
    const state = new DispatchState(fx.redis, fx.keySpace());
    const promoted: string[] = [];
    let waiting = 5;
    // A 600 s load prior: a 60 s gather, far beyond this test.
    const dispatcher = dispatcherFor(state, promoted, 'p1', { coldLoadPriorMs: 600_000, waiting: async () => waiting });
    for (let i = 0; i < 10; i++) await state.admit(`a:${i}`, 't', 'a', Date.now() + i);
    dispatcher.pump();
    await new Promise((r) => setTimeout(r, 200));
    dispatcher.pump();
    await new Promise((r) => setTimeout(r, 200));
    expect(promoted).toEqual([]); // still gathering: more work is to be admitted
    waiting = 0;
    dispatcher.pump();
    await eventually(async () => (promoted.length === 4 ? true : undefined), 5_000, 'released once admitted');
    dispatcher.stop();
  });

  it('releases batch work for one slot fewer while an interactive invocation runs on the lane', async () => {
    const state = new DispatchState(fx.redis, fx.keySpace());
    const promoted: string[] = [];
    const dispatcher = dispatcherFor(state, promoted);
    const now = Date.now();
    for (let i = 0; i < 10; i++) await state.admit(`a:${i}`, 't', 'a', now - 10_000 + i);
    await dispatcher.interactiveStarted('g:1', 'i');
    dispatcher.pump();
    await eventually(async () => (promoted.length === 3 ? true : undefined), 5_000, 'three released');
    await dispatcher.interactiveEnded('g:1'); // its slot is free again: the fourth goes to batch work
    await eventually(async () => (promoted.length === 4 ? true : undefined), 5_000, 'the fourth released');
    dispatcher.stop();
  });
});
