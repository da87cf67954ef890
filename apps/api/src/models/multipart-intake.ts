import busboy from 'busboy';
import { type Request } from 'express';
import { AppError, badRequest } from '@dreamqueue/errors';

/** Upload limits, enforced while the body streams in (not after buffering it). */
export interface UploadLimits {
  /** Bytes per photo. @defaultValue 15 MB */
  maxFileBytes: number;
  /** Bytes of all photos together. @defaultValue 100 MB */
  maxTotalBytes: number;
  /** Photos per request; one more is answered at once. @defaultValue 15 */
  maxFiles: number;
  /** Text fields. @defaultValue 8 */
  maxFields: number;
  /** Bytes per text field (the params JSON is the largest). @defaultValue 16 KiB */
  maxFieldBytes: number;
}

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = {
  maxFileBytes: 15 * 1024 * 1024,
  maxTotalBytes: 100 * 1024 * 1024,
  maxFiles: 15,
  maxFields: 8,
  maxFieldBytes: 16 * 1024,
};

export interface UploadedImage {
  /** Position in the request, from 0; reasons in `details` refer to it. */
  index: number;
  bytes: Buffer;
}

export interface ModelUpload {
  fields: Record<string, string>;
  images: UploadedImage[];
}

/** The multipart field that carries photos; any other file field is rejected. */
export const IMAGE_FIELD = 'images';

/**
 * Reads a multipart/form-data body with busboy. The first limit crossed ends the parse with a 413/400; the
 * rest of the body is drained and discarded (not buffered) so the client reads the answer instead of a
 * reset connection, and the response asks it to close the connection.
 */
export function readModelUpload(req: Request, limits: UploadLimits = DEFAULT_UPLOAD_LIMITS): Promise<ModelUpload> {
  const type = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data/i.test(type)) {
    return Promise.reject(
      new AppError('unsupported_media_type', 'Send the photos as multipart/form-data.', { status: 415 }),
    );
  }
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: req.headers,
        limits: {
          fileSize: limits.maxFileBytes,
          files: limits.maxFiles + 1,
          fields: limits.maxFields,
          parts: limits.maxFiles + limits.maxFields + 1,
          fieldSize: limits.maxFieldBytes,
        },
      });
    } catch (err) {
      return reject(badRequest('invalid_multipart', `The multipart body cannot be parsed: ${(err as Error).message}`));
    }
    const fields: Record<string, string> = {};
    const images: UploadedImage[] = [];
    let total = 0;
    let settled = false;
    const fail = (err: AppError) => {
      if (settled) return;
      settled = true;
      req.unpipe(bb);
      bb.removeAllListeners();
      bb.on('error', () => undefined);
      req.res?.setHeader('connection', 'close');
      req.resume(); // drain and discard what is left
      reject(err);
    };

    bb.on('file', (name, stream, info) => {
      if (name !== IMAGE_FIELD) {
        stream.resume();
        return fail(
          badRequest('unexpected_field', `Unexpected file field "${safeName(name)}"; send photos in "${IMAGE_FIELD}".`),
        );
      }
      const index = images.length;
      const chunks: Buffer[] = [];
      images.push({ index, bytes: Buffer.alloc(0) });
      stream.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (total > limits.maxTotalBytes) {
          return fail(
            new AppError('payload_too_large', `The photos exceed ${mb(limits.maxTotalBytes)} in total.`, {
              status: 413,
            }),
          );
        }
        chunks.push(chunk);
      });
      stream.on('limit', () =>
        fail(
          new AppError('image_too_large', `Photo ${index} exceeds ${mb(limits.maxFileBytes)}.`, {
            status: 413,
            details: [{ index, code: 'image_too_large', reason: `larger than ${mb(limits.maxFileBytes)}` }],
          }),
        ),
      );
      stream.on('end', () => {
        images[index] = { index, bytes: Buffer.concat(chunks) };
      });
      void info;
    });
    bb.on('field', (name, value, info) => {
      if (info.valueTruncated)
        return fail(
          badRequest('invalid_params', `Field "${safeName(name)}" is longer than ${limits.maxFieldBytes} bytes.`),
        );
      fields[name] = value;
    });
    bb.on('filesLimit', () =>
      fail(badRequest('image_count_out_of_range', `Send at most ${limits.maxFiles} photos.`, { max: limits.maxFiles })),
    );
    bb.on('fieldsLimit', () => fail(badRequest('too_many_parts', `Send at most ${limits.maxFields} text fields.`)));
    bb.on('partsLimit', () => fail(badRequest('too_many_parts', 'The request has too many parts.')));
    bb.on('error', (err: Error) =>
      fail(badRequest('invalid_multipart', `The multipart body cannot be parsed: ${err.message}`)),
    );
    bb.on('close', () => {
      if (settled) return;
      settled = true;
      resolve({ fields, images });
    });
    req.on('aborted', () => fail(badRequest('request_aborted', 'The upload was interrupted.')));
    req.pipe(bb);
  });
}

const mb = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
/** Field names are echoed in messages: printable ASCII, short. */
const safeName = (name: string) => name.replace(/[^\x20-\x7e]/g, '?').slice(0, 40);
