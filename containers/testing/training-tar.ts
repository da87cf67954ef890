/**
 * Writes the training input tar exactly as the worker's prepare step writes it for a model (the photos and
 * config.json from `trainerConfig`), so the Python tests train on the very bytes SageMaker receives.
 *   node -r ./tools/swc-register.js containers/testing/training-tar.ts PHOTOS_DIR MODEL_JSON OUT_TAR
 * PHOTOS_DIR holds the photos (sorted by name); MODEL_JSON is the model record's token, subjectClass and
 * params (taken as given, so a test may ask for fewer steps than the API allows).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keys } from '@dreamqueue/storage';
import { prepareStep } from '../../apps/worker/src/train/steps/prepare.step';
import { type StepInput, type TrainStepDeps } from '../../apps/worker/src/train/train-context';

async function main(photosDir: string, modelJson: string, out: string): Promise<void> {
  const given = JSON.parse(readFileSync(modelJson, 'utf8')) as Pick<
    StepInput['model'],
    'token' | 'subjectClass' | 'params'
  >;
  const names = readdirSync(photosDir).sort();
  const model = { ...given, id: 'm-fixture', tenantId: 't-fixture', photoCount: names.length } as StepInput['model'];
  const photos = new Map(
    names.map((name, i) => [keys.trainingPhoto(model.tenantId, model.id, i), readFileSync(join(photosDir, name))]),
  );
  let tar: Buffer | undefined;
  const objects = {
    bucket: 'fixture',
    get: async (key: string) => photos.get(key) ?? Promise.reject(new Error(`no photo ${key}`)),
    put: async (_key: string, body: Buffer | string) => {
      tar = Buffer.from(body);
      return { etag: '"fixture"', size: tar.length };
    },
  };
  await prepareStep({ objects } as unknown as TrainStepDeps, { model } as StepInput);
  if (!tar) throw new Error('prepare wrote no training input');
  writeFileSync(out, tar);
}

const [photosDir, modelJson, out] = process.argv.slice(2);
main(photosDir, modelJson, out).catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
