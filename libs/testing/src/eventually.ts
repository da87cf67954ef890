/**
 * Polls `check` every 25 ms until it returns a value other than undefined, and resolves with that value;
 * rejects with "Timed out waiting for <what>" once `timeoutMs` has passed. Use it instead of fixed sleeps.
 */
export async function eventually<T>(
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
