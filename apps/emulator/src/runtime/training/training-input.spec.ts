import { readVector, trainingFailed, vectorFileBytes } from '@dreamqueue/contracts';
import sharp from 'sharp';
import { packTar } from '../../model/tar';
import { parseTrainingConfig } from './training-config';
import { keySafeId, parseS3Uri } from './training-request';
import { readTrainingInput } from './training-input';

const png = (r: number) =>
  sharp({ create: { width: 8, height: 8, channels: 3, background: { r, g: 10, b: 20 } } })
    .png()
    .toBuffer();

describe('training input', () => {
  it('reads photos in name order, normalising ./ prefixes, and fills config defaults', async () => {
    const tar = await packTar([
      { name: './b.png', data: await png(100) },
      { name: './a.png', data: await png(50) },
      {
        name: 'c.webp',
        data: await sharp(await png(150))
          .webp({ lossless: true })
          .toBuffer(),
      },
      { name: 'config.json', data: Buffer.from('{"n_steps":500,"train_text_encoder":false}') },
    ]);
    const input = await readTrainingInput(tar);
    expect(input.imageNames).toEqual(['a.png', 'b.png', 'c.webp']);
    expect(input.palette.map((c) => c[0])).toEqual([50, 100, 150]);
    expect(input.config).toMatchObject({
      n_steps: 500,
      train_text_encoder: false,
      lora_r: 128,
      class_prompt: 'a photo of person',
    });
  });

  it.each([
    [{ learning_rate: 0 }, /learning_rate/],
    [{ lora_r: 0.5 }, /lora_r/],
    [{ with_prior_preservation: 'yes' }, /with_prior_preservation/],
    [{ class_prompt: '' }, /class_prompt/],
    [[1, 2], /config.json must be a JSON object/],
  ])('rejects config %j', async (config, message) => {
    const tar = await packTar([
      ...(await Promise.all([1, 2, 3].map(async (i) => ({ name: `${i}.png`, data: await png(i) })))),
      { name: 'config.json', data: Buffer.from(JSON.stringify(config)) },
    ]);
    await expect(readTrainingInput(tar)).rejects.toThrow(message);
  });

  it('rejects a .png that is not an image', async () => {
    const tar = await packTar([
      ...(await Promise.all([1, 2].map(async (i) => ({ name: `${i}.png`, data: await png(i) })))),
      { name: 'x.png', data: Buffer.from('GIF89a') },
    ]);
    await expect(readTrainingInput(tar)).rejects.toThrow('image x.png is not a PNG file (content does not match)');
  });

  it('rejects a .png with PNG magic bytes that does not decode', async () => {
    const tar = await packTar([
      ...(await Promise.all([1, 2].map(async (i) => ({ name: `${i}.png`, data: await png(i) })))),
      { name: 'x.png', data: Buffer.concat([(await png(3)).subarray(0, 8), Buffer.from('truncated')]) },
    ]);
    await expect(readTrainingInput(tar)).rejects.toThrow(/image x.png cannot be decoded/);
  });

  it.each(readVector('training-config').cases.map((c) => [c.name, c.config] as const))(
    'accepts the config the API writes (%s) unchanged, as the container does',
    (_name, config) => {
      expect(parseTrainingConfig(Buffer.from(JSON.stringify(config)))).toEqual(config);
    },
  );

  const failures = readVector('training-failure');
  it.each(failures.cases.map((c) => [c.name, c] as const))(
    'refuses %s with exactly the failure object the container writes',
    async (_name, c) => {
      const tar = await packTar(c.files.map((f) => ({ name: f.name, data: vectorFileBytes(f, failures.jpegs) })));
      const refusal = await readTrainingInput(tar).then(
        () => undefined,
        (err: Error) => trainingFailed(err.message),
      );
      expect(refusal).toEqual(c.failure);
    },
  );

  it('encodes inference ids for keys without collisions', () => {
    expect(keySafeId('train-abc-1')).toBe('train-abc-1');
    expect(keySafeId('job:1')).toBe('job_3a1');
    expect(keySafeId('job_3a1')).toBe('job_5f3a1');
    expect(parseS3Uri('s3://b/k/x.tar')).toEqual({ bucket: 'b', key: 'k/x.tar' });
    expect(parseS3Uri('https://b/k')).toBeUndefined();
  });
});
