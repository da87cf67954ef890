import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

export interface StoredObject {
  etag: string;
  size: number;
  /** For an object `copy` wrote: the source's ETag at the time of the copy. */
  copiedFrom?: string;
}

/** User metadata `copy` writes (S3 changes a multipart source's ETag on copy, so the ETag cannot tell). */
const COPIED_FROM = 'copied-from-etag';

export interface PresignedUrl {
  url: string;
  expiresAt: string;
}

/** The S3 operations dreamqueue needs, on one bucket. Keys come from `keys`. */
export interface ObjectStore {
  readonly bucket: string;
  put(key: string, body: Buffer | string, contentType?: string, signal?: AbortSignal): Promise<StoredObject>;
  get(key: string, signal?: AbortSignal): Promise<Buffer>;
  /** `undefined` when the object does not exist. */
  head(key: string, signal?: AbortSignal): Promise<StoredObject | undefined>;
  /** Copies and records the source's ETag on the copy (`copiedFrom`); fails when the source is missing. */
  copy(fromKey: string, toKey: string, signal?: AbortSignal): Promise<StoredObject>;
  delete(key: string): Promise<void>;
  /** A GET URL that stops working after `expiresInSeconds` (≤ 3600 by policy). */
  presignGet(key: string, expiresInSeconds: number): Promise<PresignedUrl>;
}

const MAX_PRESIGN_SECONDS = 3600;

export class S3ObjectStore implements ObjectStore {
  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
  ) {}

  async put(
    key: string,
    body: Buffer | string,
    contentType = 'application/octet-stream',
    signal?: AbortSignal,
  ): Promise<StoredObject> {
    const out = await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }),
      { abortSignal: signal },
    );
    return { etag: stripQuotes(out.ETag), size: Buffer.byteLength(body) };
  }

  async get(key: string, signal?: AbortSignal): Promise<Buffer> {
    const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }), {
      abortSignal: signal,
    });
    return Buffer.from(await out.Body!.transformToByteArray());
  }

  async head(key: string, signal?: AbortSignal): Promise<StoredObject | undefined> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }), {
        abortSignal: signal,
      });
      const copiedFrom = out.Metadata?.[COPIED_FROM];
      return { etag: stripQuotes(out.ETag), size: out.ContentLength ?? 0, ...(copiedFrom && { copiedFrom }) };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async copy(fromKey: string, toKey: string, signal?: AbortSignal): Promise<StoredObject> {
    const original = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: fromKey }), {
      abortSignal: signal,
    });
    const source = `${this.bucket}/${fromKey.split('/').map(encodeURIComponent).join('/')}`;
    await this.client.send(
      new CopyObjectCommand({
        Bucket: this.bucket,
        Key: toKey,
        CopySource: source,
        CopySourceIfMatch: original.ETag,
        MetadataDirective: 'REPLACE',
        ContentType: original.ContentType,
        Metadata: { ...original.Metadata, [COPIED_FROM]: stripQuotes(original.ETag) },
      }),
      { abortSignal: signal },
    );
    const stored = await this.head(toKey, signal);
    if (!stored) throw new Error(`Copy to ${toKey} reported success but the object is missing`);
    return stored;
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async presignGet(key: string, expiresInSeconds: number): Promise<PresignedUrl> {
    const expiresIn = Math.min(Math.max(1, Math.floor(expiresInSeconds)), MAX_PRESIGN_SECONDS);
    const url = await getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), { expiresIn });
    return { url, expiresAt: new Date(Date.now() + expiresIn * 1000).toISOString() };
  }
}

export function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}

const stripQuotes = (etag: string | undefined) => (etag ?? '').replace(/"/g, '');
