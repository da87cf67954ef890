import { type TunableSettings } from './options';

/**
 * Emulated time. Every AWS limit and configured duration is in emulated units; `timeScale` (real seconds
 * per emulated second) turns them into real waits, read at each use so `configure()` applies at once.
 */
export class Clock {
  constructor(private readonly settings: Pick<TunableSettings, 'timeScale'>) {}

  /** Real milliseconds for an emulated duration in milliseconds. */
  realMs(emulatedMs: number): number {
    return emulatedMs * this.settings.timeScale;
  }

  /** Emulated milliseconds elapsed for a real duration. */
  emulatedMs(realMs: number): number {
    return realMs / this.settings.timeScale;
  }

  /**
   * Waits until the wall clock reaches `realAt` (a `Date.now()` value), for a state whose deadline others
   * compare with `Date.now()`: a timer counts from the event loop's cached time, so on a busy loop it can
   * fire before `Date.now()` gets there, and an answer sent then would contradict the state it reports.
   */
  async sleepUntil(realAt: number): Promise<void> {
    for (let left = realAt - Date.now(); left > 0; left = realAt - Date.now()) {
      await new Promise((resolve) => setTimeout(resolve, left));
    }
  }

  /** Waits an emulated duration; an aborted signal ends the wait early (resolves false). */
  sleep(emulatedMs: number, signal?: AbortSignal): Promise<boolean> {
    const ms = this.realMs(emulatedMs);
    if (signal?.aborted) return Promise.resolve(false);
    if (ms <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
