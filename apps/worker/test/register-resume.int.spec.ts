import { randomBytes } from 'node:crypto';
import { Upload } from '@aws-sdk/lib-storage';
import { readVector, TrainingParams } from '@dreamqueue/contracts';
import { type ModelRecord } from '@dreamqueue/records';
import { S3ObjectStore } from '@dreamqueue/storage';
import { s3ClientFor, startTestEmulator, type TestEmulator } from '@dreamqueue/testing';
import { registerStep } from '../src/train/steps/register.step';
import { type StepInput, type TrainStepDeps, type TrainSettings } from '../src/train/train-context';

/**
 * register against the emulator's S3, which gives multipart uploads S3's `<md5 of part md5s>-<parts>` ETag
 * and copies the plain MD5: an artifact boto3 uploaded in parts (above 8 MB) never has its copy's ETag.
 */
describe('register resumes after a copy of a multipart artifact', () => {
  let emulator: TestEmulator;
  let objects: S3ObjectStore;
  beforeAll(async () => {
    emulator = await startTestEmulator();
    objects = new S3ObjectStore(s3ClientFor(emulator), emulator.bucket);
  });
  afterAll(() => emulator.close());

  const model = {
    id: 'mdl_resume',
    tenantId: 'acme',
    params: TrainingParams.parse({}),
    version: 1,
  } as ModelRecord;
  const ports = () =>
    ({ objects, settings: { mmePrefix: emulator.mmePrefix } as TrainSettings }) as unknown as TrainStepDeps;
  const input = (trainedArtifact: string): StepInput => ({ model, checkpoint: { trainedArtifact }, jobId: model.id });

  /** What boto3's upload_file does with a 9 MB artifact: two 8 MB-chunk parts. */
  async function uploadInParts(key: string, data: Buffer): Promise<void> {
    const params = { Bucket: emulator.bucket, Key: key, Body: data };
    await new Upload({ client: s3ClientFor(emulator), params, partSize: 8 * 1024 * 1024, queueSize: 1 }).done();
  }

  it('accepts its own earlier copy (the worker died between the copy and the delete)', async () => {
    const source = `${emulator.mmePrefix}${readVector('training-output').artifactKey.split('/').pop()}`;
    await uploadInParts(source, randomBytes(9 * 1024 * 1024));
    expect((await objects.head(source))?.etag).toMatch(/-2$/);
    const target = `${emulator.mmePrefix}acme-mdl-resume-v1.tar.gz`;
    await objects.copy(source, target); // the first attempt's copy; then the worker was killed

    const out = await registerStep(ports(), input(source));
    expect(out).toMatchObject({ next: 'warm', patch: { targetModel: 'acme-mdl-resume-v1.tar.gz' } });
    expect(await objects.head(source)).toBeUndefined();
  });

  it('still refuses a target that holds other content', async () => {
    const source = `${emulator.mmePrefix}lora-00000000000000000002.tar.gz`;
    await uploadInParts(source, randomBytes(9 * 1024 * 1024));
    await uploadInParts(`${emulator.mmePrefix}acme-mdl-resume-v2.tar.gz`, randomBytes(9 * 1024 * 1024));
    const v2 = { ...model, version: 2 } as ModelRecord;
    await expect(
      registerStep(ports(), { model: v2, checkpoint: { trainedArtifact: source }, jobId: v2.id }),
    ).rejects.toThrow(/refusing to overwrite/);
  });
});
