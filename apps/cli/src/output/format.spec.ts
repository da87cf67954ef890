import { gpuSecondsUsed } from './format';

describe('gpuSecondsUsed', () => {
  it('shows a tenth of a second below 100 s and whole seconds with separators above', () => {
    expect(gpuSecondsUsed(0)).toBe('used 0.0 GPU-seconds');
    expect(gpuSecondsUsed(12.345)).toBe('used 12.3 GPU-seconds');
    expect(gpuSecondsUsed(48_210.6)).toBe('used 48,211 GPU-seconds');
  });
});
