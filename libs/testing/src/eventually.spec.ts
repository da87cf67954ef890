import { eventually } from './eventually';

describe('eventually', () => {
  it('resolves with the first value that is not undefined', async () => {
    let calls = 0;
    await expect(eventually(() => (++calls >= 3 ? calls : undefined))).resolves.toBe(3);
  });

  it('keeps a falsy value other than undefined', async () => {
    await expect(eventually(async () => 0)).resolves.toBe(0);
  });

  it('rejects naming what it waited for once the timeout has passed', async () => {
    await expect(eventually(() => undefined, 50, 'the answer')).rejects.toThrow('Timed out waiting for the answer');
  });
});
