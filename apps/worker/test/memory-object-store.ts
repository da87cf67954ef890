import { createHash } from 'node:crypto';
import { type ObjectStore, type StoredObject } from '@dreamqueue/storage';

/** An in-memory ObjectStore for pure step tests (the AWS edge; integration tests use the emulator). */
export class MemoryObjectStore implements ObjectStore {
  readonly objects = new Map<string, Buffer>();
  readonly copiedFrom = new Map<string, string>();
  constructor(readonly bucket = 'dreamqueue') {}

  async put(key: string, body: Buffer | string): Promise<StoredObject> {
    const data = Buffer.from(body);
    this.objects.set(key, data);
    this.copiedFrom.delete(key);
    return { etag: etag(data), size: data.length };
  }
  async get(key: string): Promise<Buffer> {
    const data = this.objects.get(key);
    if (!data) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
    return data;
  }
  async head(key: string): Promise<StoredObject | undefined> {
    const data = this.objects.get(key);
    const copiedFrom = this.copiedFrom.get(key);
    return data && { etag: etag(data), size: data.length, ...(copiedFrom && { copiedFrom }) };
  }
  async copy(from: string, to: string): Promise<StoredObject> {
    const data = await this.get(from);
    await this.put(to, data);
    this.copiedFrom.set(to, etag(data));
    return (await this.head(to))!;
  }
  async delete(key: string): Promise<void> {
    this.objects.delete(key);
    this.copiedFrom.delete(key);
  }
  async presignGet(key: string) {
    return { url: `memory://${key}`, expiresAt: new Date().toISOString() };
  }
}

const etag = (data: Buffer) => createHash('md5').update(data).digest('hex');
