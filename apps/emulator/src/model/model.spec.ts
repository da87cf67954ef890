import { buildArtifact, parseArtifact, type Rgb } from './artifact';
import { dominantColour, renderImage, type RenderParams } from './render-image';
import { packTar } from './tar';

const params: RenderParams = {
  palette: [
    [200, 40, 60],
    [10, 200, 30],
  ],
  modelTag: 'm1',
  prompt: 'p',
  negativePrompt: 'n',
  seed: 1,
  steps: 30,
  guidance: 7.5,
};

describe('artifacts and images', () => {
  it('round-trips an artifact and rejects corrupt ones with a reason', async () => {
    const palette: Rgb[] = [[1, 2, 3]];
    await expect(parseArtifact(await buildArtifact({ palette, id: 'abc' }))).resolves.toMatchObject({
      id: 'abc',
      palette,
    });
    await expect(parseArtifact(Buffer.from('nope'))).rejects.toThrow(/not a tar.gz/);
    await expect(parseArtifact(await packTar([{ name: 'other.json', data: Buffer.from('{}') }], true))).rejects.toThrow(
      /no model.json/,
    );
    await expect(
      parseArtifact(await packTar([{ name: 'model.json', data: Buffer.from('{"format":"x"}') }], true)),
    ).rejects.toThrow(/model.json is invalid/);
  });

  it('renders a deterministic 64×64 JPEG whose top-left block is the first palette colour', async () => {
    const image = await renderImage(params);
    expect((await renderImage(params)).equals(image)).toBe(true);
    const colour = await dominantColour(image);
    colour.forEach((c, i) => expect(Math.abs(c - params.palette[0][i])).toBeLessThanOrEqual(6));
  });

  it.each([
    ['modelTag', { modelTag: 'm2' }],
    ['prompt', { prompt: 'q' }],
    ['negativePrompt', { negativePrompt: 'm' }],
    ['seed', { seed: 2 }],
    ['steps', { steps: 31 }],
    ['guidance', { guidance: 8 }],
    [
      'palette',
      {
        palette: [
          [200, 40, 60],
          [250, 250, 0],
        ] as Rgb[],
      },
    ],
  ])('changes pixels when %s changes', async (_name, change) => {
    expect((await renderImage({ ...params, ...change })).equals(await renderImage(params))).toBe(false);
  });
});
