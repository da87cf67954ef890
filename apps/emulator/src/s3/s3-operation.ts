import { type IncomingMessage } from 'node:http';

/** An S3 request as the ledger and fault rules see it. */
export interface S3Operation {
  /** e.g. PutObject, GetObject, ListObjectsV2, CreateBucket, UploadPart. */
  name: string;
  bucket?: string;
  key?: string;
}

/** Names a path-style S3 request (`/bucket/key?query`), the only style the emulator's clients use. */
export function classifyS3Request(req: IncomingMessage): S3Operation {
  const url = new URL(req.url ?? '/', 'http://local');
  const [, bucketPart = '', ...keyParts] = url.pathname.split('/');
  const bucket = bucketPart ? decodeURIComponent(bucketPart) : undefined;
  const key = keyParts.length > 0 && keyParts.join('/') !== '' ? decodeURIComponent(keyParts.join('/')) : undefined;
  const q = url.searchParams;
  const method = req.method ?? 'GET';
  if (!bucket) return { name: 'ListBuckets' };
  if (!key) return { name: bucketOperation(method, q), bucket };
  return { name: objectOperation(method, q, req.headers['x-amz-copy-source'] !== undefined), bucket, key };
}

function bucketOperation(method: string, q: URLSearchParams): string {
  if (method === 'PUT') return 'CreateBucket';
  if (method === 'DELETE') return 'DeleteBucket';
  if (method === 'HEAD') return 'HeadBucket';
  if (method === 'POST' && q.has('delete')) return 'DeleteObjects';
  if (method === 'GET') return q.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects';
  return `${method}Bucket`;
}

function objectOperation(method: string, q: URLSearchParams, isCopy: boolean): string {
  switch (method) {
    case 'PUT':
      if (q.has('partNumber')) return 'UploadPart';
      return isCopy ? 'CopyObject' : 'PutObject';
    case 'GET':
      return 'GetObject';
    case 'HEAD':
      return 'HeadObject';
    case 'DELETE':
      return q.has('uploadId') ? 'AbortMultipartUpload' : 'DeleteObject';
    case 'POST':
      if (q.has('uploads')) return 'CreateMultipartUpload';
      return q.has('uploadId') ? 'CompleteMultipartUpload' : 'PostObject';
    default:
      return `${method}Object`;
  }
}
