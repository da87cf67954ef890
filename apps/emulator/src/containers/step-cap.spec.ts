import { packTar, readTar } from '../model/tar';
import { capTrainingSteps } from './step-cap';

const config = async (tar: Buffer) =>
  JSON.parse((await readTar(tar)).find((e) => e.name === 'config.json')!.data.toString('utf8')) as Record<
    string,
    unknown
  >;

describe('capTrainingSteps (the containers backend CPU budget)', () => {
  const photo = { name: '00.jpg', data: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]) };

  it('lowers n_steps (or the trainer default when absent) and keeps every other byte and key', async () => {
    const tar = await packTar([photo, { name: 'config.json', data: Buffer.from('{"n_steps":400,"lora_r":4}') }]);
    const capped = await capTrainingSteps(tar, 2);
    expect(await config(capped)).toEqual({ n_steps: 2, lora_r: 4 });
    expect((await readTar(capped)).find((e) => e.name === '00.jpg')!.data).toEqual(photo.data);
    expect(await config(await capTrainingSteps(await packTar([photo]), 3))).toEqual({ n_steps: 3 });
  });

  it('passes on unchanged what is already within budget or what the handler must refuse itself', async () => {
    const small = await packTar([photo, { name: 'config.json', data: Buffer.from('{"n_steps":1}') }]);
    expect(await capTrainingSteps(small, 2)).toBe(small);
    const notJson = await packTar([photo, { name: 'config.json', data: Buffer.from('{n_steps') }]);
    expect(await capTrainingSteps(notJson, 2)).toBe(notJson);
    const notTar = Buffer.from('not a tar archive at all, just text'.repeat(30));
    expect(await capTrainingSteps(notTar, 2)).toBe(notTar);
  });
});
