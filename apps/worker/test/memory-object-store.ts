import { createHash } from 'node:crypto';
import { type ObjectStore, type StoredObject } from '@dreamqueue/storage';

/** An in-memory ObjectStore for pure step tests (the AWS edge; integration tests use the emulator). */
export class MemoryObjectStore implements ObjectStore {
  readonly objects = new Map<string, Buffer>();
  constructor(readonly bucket = 'dreamqueue') {}

  async put(key: string, body: Buffer | string): Promise<StoredObject> {
    const data = Buffer.from(body);
    this.objects.set(key, data);
    return { etag: etag(data), size: data.length };
  }
  async get(key: string): Promise<Buffer> {
    const data = this.objects.get(key);
    if (!data) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
    return data;
  }
  async head(key: string): Promise<StoredObject | undefined> {
    const data = this.objects.get(key);
    return data && { etag: etag(data), size: data.length };
  }
  async copy(from: string, to: string): Promise<StoredObject> {
    return this.put(to, await this.get(from));
  }
  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }
  async presignGet(key: string) {
    return { url: `memory://${key}`, expiresAt: new Date().toISOString() };
  }
}

const etag = (data: Buffer) => createHash('md5').update(data).digest('hex');
