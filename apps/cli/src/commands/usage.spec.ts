import { describeUsage } from './usage';

const figures = (seconds: number, images: number, trainings: number) => ({
  gpuSeconds: seconds,
  generate: { gpuSeconds: seconds - trainings * 100, invocations: images, images },
  train: { gpuSeconds: trainings * 100, trainings },
});

describe('dreamqueue usage', () => {
  it('says the total, then a line per model and, for a range, per day', () => {
    const lines = describeUsage({
      tenant: 'acme',
      ...figures(312.25, 80, 1),
      models: [{ model: 'mdl_a', ...figures(312.25, 80, 1) }],
      days: [{ date: '2026-12-01', ...figures(312.25, 80, 1) }],
    });
    expect(lines).toEqual([
      'Tenant acme used 312 GPU-seconds: 212.3 for 80 images, 100.0 for 1 trainings.',
      '',
      'MODEL  GPU-SECONDS  IMAGES  TRAININGS',
      'mdl_a  312.3        80      1',
      '',
      'DAY (UTC)   GPU-SECONDS  IMAGES  TRAININGS',
      '2026-12-01  312.3        80      1',
    ]);
  });
});
