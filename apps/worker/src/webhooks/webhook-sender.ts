import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type LookupFunction } from 'node:net';
import { type ResolvedTarget } from './outbound-address';

export interface SendOptions {
  target: ResolvedTarget;
  headers: Record<string, string>;
  body: string;
  /** Whole-request budget (connect, send, response headers and capped body). @defaultValue 10 000 */
  timeoutMs?: number;
  /** The receiver's answer is read up to this many bytes, then the connection is dropped. @defaultValue 65 536 */
  maxResponseBytes?: number;
}

export interface SendResult {
  status: number;
}

/**
 * POSTs to the pinned address of a checked target. Redirects are not followed (a 3xx is a failed
 * attempt), so a receiver cannot bounce the request to an internal address.
 */
export function sendWebhook({
  target,
  headers,
  body,
  timeoutMs = 10_000,
  maxResponseBytes = 65_536,
}: SendOptions): Promise<SendResult> {
  const pinned: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all)
      (callback as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [
        { address: target.address, family: target.family },
      ]);
    else callback(null, target.address, target.family);
  };
  const request = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      target.url,
      {
        method: 'POST',
        lookup: pinned,
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'dreamqueue-webhooks/1',
          ...headers,
        },
        signal: AbortSignal.timeout(timeoutMs),
      },
      (res: IncomingMessage) => {
        let received = 0;
        res.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > maxResponseBytes) res.destroy();
        });
        const done = () => resolve({ status: res.statusCode ?? 0 });
        res.on('end', done);
        res.on('close', done);
        res.on('error', done);
      },
    );
    req.on('error', (err) => reject(err));
    req.end(body);
  });
}
