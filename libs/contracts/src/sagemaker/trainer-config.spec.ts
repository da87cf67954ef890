import { TrainingParams, trainerConfig } from '../api/models';
import { readVector } from './vectors';

describe('the training config.json contract (vector training-config.json)', () => {
  it.each(readVector('training-config').cases.map((c) => [c.name, c] as const))(
    'the API writes the vector config for %s',
    (_name, c) => {
      expect(trainerConfig(TrainingParams.parse(c.params), c.token, c.subjectClass)).toEqual(c.config);
    },
  );
});
