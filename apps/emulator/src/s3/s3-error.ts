import { randomBytes } from 'node:crypto';
import { type ServerResponse } from 'node:http';

const S3_ERRORS = {
  SlowDown: { status: 503, message: 'Please reduce your request rate.' },
  InternalError: { status: 500, message: 'We encountered an internal error. Please try again.' },
  ServiceUnavailable: { status: 503, message: 'Service is unable to handle request.' },
} as const;
export type S3ErrorCode = keyof typeof S3_ERRORS;

/**
 * Answers an S3 error as real S3 does: an XML `<Error>` body with Code, Message, Resource and RequestId.
 * HEAD responses cannot carry a body, so the SDK names those from the status alone.
 */
export function sendS3Error(res: ServerResponse, code: S3ErrorCode, resource: string, isHead: boolean): void {
  const { status, message } = S3_ERRORS[code];
  const requestId = randomBytes(8).toString('hex').toUpperCase();
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${code}</Code><Message>${message}</Message><Resource>${escapeXml(resource)}</Resource>` +
    `<RequestId>${requestId}</RequestId></Error>`;
  res.writeHead(status, {
    'Content-Type': 'application/xml',
    'x-amz-request-id': requestId,
    'Content-Length': isHead ? 0 : Buffer.byteLength(xml),
  });
  res.end(isHead ? undefined : xml);
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
