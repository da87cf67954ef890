import { emulatorOptionsFromEnv } from './config';

describe('emulatorOptionsFromEnv', () => {
  it('applies defaults for npm run emulator', () => {
    expect(emulatorOptionsFromEnv({})).toMatchObject({
      host: '127.0.0.1',
      s3Port: 4568,
      runtimePort: 4569,
      dataDir: '.data/emulator',
      bucket: 'dreamqueue',
      trainingEndpoint: 'dreamqueue-training',
      mmeEndpoint: 'dreamqueue-mme',
      mmePrefix: 'mme-models/',
      timeScale: 0.01,
      trainingSeconds: 1500,
      faults: [],
      seed: 1,
      notifyUrl: undefined,
    });
  });

  it('parses every variable', () => {
    const options = emulatorOptionsFromEnv({
      EMULATOR_S3_PORT: '0',
      EMULATOR_SAGEMAKER_PORT: '0',
      EMULATOR_TIME_SCALE: '0.5',
      EMULATOR_MME_INSTANCES: '3',
      EMULATOR_MME_CAPACITY: '16',
      EMULATOR_COLD_LOAD_SECONDS: '120',
      EMULATOR_FIXED_LATENCY_MS: '10',
      EMULATOR_PER_IMAGE_LATENCY_MS: '20',
      EMULATOR_FAULTS: '[{"op":"invoke","error":"ThrottlingException","rate":0.1}]',
      EMULATOR_SEED: '9',
      EMULATOR_NOTIFY_URL: 'http://127.0.0.1:9/sns',
      S3_BUCKET: 'my-bucket',
      MME_PREFIX: 'models/',
    });
    expect(options).toMatchObject({
      s3Port: 0,
      timeScale: 0.5,
      mmeInstances: 3,
      mmeCapacity: 16,
      coldLoadSeconds: 120,
      seed: 9,
      bucket: 'my-bucket',
      mmePrefix: 'models/',
    });
    expect(options.faults).toEqual([{ op: 'invoke', error: 'ThrottlingException', rate: 0.1 }]);
  });

  it('names every bad variable', () => {
    expect(() =>
      emulatorOptionsFromEnv({
        EMULATOR_FAULTS: '[{"op":"nope"}]',
        S3_BUCKET: 'ab',
        EMULATOR_TIME_SCALE: '0',
        MME_PREFIX: 'no-slash',
      }),
    ).toThrow(/S3_BUCKET[\s\S]*MME_PREFIX|EMULATOR_TIME_SCALE[\s\S]*EMULATOR_FAULTS/);
    expect(() => emulatorOptionsFromEnv({ EMULATOR_FAULTS: 'not json' })).toThrow(
      /EMULATOR_FAULTS must be a JSON array/,
    );
  });
});
