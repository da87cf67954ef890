import { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { s3ClientFor, startTestEmulator, type TestEmulator } from '@dreamqueue/testing';

/**
 * ListObjectsV2 with a delimiter, as S3 answers it: every key below the prefix that contains the
 * delimiter after the prefix rolls up into one common prefix, however deep the key lies
 * (`aws s3 ls s3://bucket/tenants/` lists `tenants/<id>/` for objects at `tenants/<id>/models/…`).
 */
describe('emulator S3 listing with a delimiter', () => {
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await startTestEmulator();
    const s3 = s3ClientFor(emulator);
    const keys = [
      'list/tenants/alpha/models/mdl_1/photos/0.jpg',
      'list/tenants/alpha/models/mdl_2/photos/0.jpg',
      'list/tenants/beta/batches/bat_1/specs/part-0.ndjson',
      'list/tenants/gamma/top.json',
      'list/tenants/readme.txt',
      'list/tenants-archive/old/x.json',
      'list/gone/deep/deleted.json',
    ];
    for (const Key of keys) await s3.send(new PutObjectCommand({ Bucket: emulator.bucket, Key, Body: Key }));
    await s3.send(new DeleteObjectCommand({ Bucket: emulator.bucket, Key: 'list/gone/deep/deleted.json' }));
  });
  afterAll(() => emulator.close());

  const list = (Prefix: string, StartAfter?: string) =>
    s3ClientFor(emulator).send(
      new ListObjectsV2Command({ Bucket: emulator.bucket, Prefix, Delimiter: '/', StartAfter }),
    );

  it('rolls keys two or more levels down into their common prefix', async () => {
    const page = await list('list/tenants/');
    expect(page.CommonPrefixes?.map((p) => p.Prefix)).toEqual([
      'list/tenants/alpha/',
      'list/tenants/beta/',
      'list/tenants/gamma/',
    ]);
    expect(page.Contents?.map((o) => o.Key)).toEqual(['list/tenants/readme.txt']);
  });

  it('works from a prefix that ends inside a name, and at the bucket root of the listing', async () => {
    const partial = await list('list/tenants');
    expect(partial.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['list/tenants-archive/', 'list/tenants/']);
    const root = await list('list/');
    // list/gone/ held only a deleted object: S3 has no folders, so it is not listed.
    expect(root.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['list/tenants-archive/', 'list/tenants/']);
  });

  it('leaves out prefixes whose keys all sort before StartAfter', async () => {
    const page = await list('list/tenants/', 'list/tenants/alpha/zzz');
    expect(page.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['list/tenants/beta/', 'list/tenants/gamma/']);
  });
});
