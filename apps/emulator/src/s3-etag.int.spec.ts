import { createHash, randomBytes } from 'node:crypto';
import { CopyObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { s3ClientFor, startTestEmulator, type TestEmulator } from '@dreamqueue/testing';

const md5 = (data: Buffer) => createHash('md5').update(data).digest();

/**
 * S3's ETags as AWS documents them ("Checking object integrity"): a single PUT gets the MD5 of the content;
 * a multipart upload gets the MD5 of the parts' binary MD5s plus `-<parts>`; CopyObject writes a new
 * single-part object whose ETag is the MD5 of the content, whatever the source's was. boto3's upload_file
 * (the training container's artifact upload) goes multipart above 8 MB, so the difference is real.
 */
describe('emulator S3 ETags', () => {
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await startTestEmulator();
  });
  afterAll(() => emulator.close());

  it('gives a multipart upload the multipart ETag, and its copy the plain MD5', async () => {
    const s3 = s3ClientFor(emulator);
    const partSize = 5 * 1024 * 1024;
    const data = randomBytes(2 * partSize + 1000);
    await new Upload({
      client: s3,
      params: { Bucket: emulator.bucket, Key: 'etag/multipart.bin', Body: data },
      partSize,
      queueSize: 1,
    }).done();
    const parts = [data.subarray(0, partSize), data.subarray(partSize, 2 * partSize), data.subarray(2 * partSize)];
    const multipart = `"${createHash('md5')
      .update(Buffer.concat(parts.map(md5)))
      .digest('hex')}-3"`;
    const head = await s3.send(new HeadObjectCommand({ Bucket: emulator.bucket, Key: 'etag/multipart.bin' }));
    expect(head.ETag).toBe(multipart);

    const copy = await s3.send(
      new CopyObjectCommand({
        Bucket: emulator.bucket,
        Key: 'etag/copy.bin',
        CopySource: `${emulator.bucket}/etag/multipart.bin`,
      }),
    );
    const plain = `"${md5(data).toString('hex')}"`;
    expect(copy.CopyObjectResult?.ETag).toBe(plain);
    const copied = await s3.send(new HeadObjectCommand({ Bucket: emulator.bucket, Key: 'etag/copy.bin' }));
    expect(copied.ETag).toBe(plain);
    expect(copied.ContentLength).toBe(data.length);
  });
});
