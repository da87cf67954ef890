import {
  GetObjectCommand,
  HeadObjectCommand,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { type Ledger } from '../observe/ledger';

/**
 * The endpoint's own access to S3 (reading training input and artifacts, writing outputs). It talks to
 * s3rver directly, not through the published proxy, so client-facing S3 faults never break the
 * emulated SageMaker side; its writes still go to the ledger with `source: 'emulator'`.
 */
export class ObjectStore {
  private readonly client: S3Client;

  constructor(
    endpoint: string,
    readonly bucket: string,
    private readonly ledger: Ledger,
  ) {
    this.client = new S3Client({
      region: 'us-east-1',
      endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  /** The object's bytes and ETag, or undefined when it does not exist. */
  async get(bucket: string, key: string): Promise<{ data: Buffer; etag: string } | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const data = Buffer.from(await out.Body!.transformToByteArray());
      return { data, etag: out.ETag ?? '' };
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  /** The ETag, or undefined when the object does not exist. */
  async head(bucket: string, key: string): Promise<string | undefined> {
    try {
      return (await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ETag ?? '';
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async put(key: string, body: Buffer | string, contentType: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }),
    );
    this.ledger.record({ op: 'PutObject', source: 'emulator', bucket: this.bucket, key, outcome: 'ok', status: 200 });
  }

  close(): void {
    this.client.destroy();
  }
}

function isMissing(err: unknown): boolean {
  return (
    err instanceof NoSuchKey ||
    err instanceof NotFound ||
    (err as { name?: string }).name === 'NoSuchBucket' ||
    (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404
  );
}
