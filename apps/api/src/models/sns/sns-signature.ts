import { createVerify } from 'node:crypto';

/** The fields of an SNS HTTP(S) message that dreamqueue reads or verifies. */
export interface SnsMessage {
  Type: string;
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  Subject?: string;
  Token?: string;
  SubscribeURL?: string;
  SignatureVersion?: string;
  Signature?: string;
  SigningCertURL?: string;
}

/** Certificates are only ever fetched from SNS itself: `https://sns.<region>.amazonaws.com/…pem`. */
export const SNS_CERT_URL = /^https:\/\/sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/[^?#]+\.pem$/;

/** The canonical string SNS signs (AWS docs, "Verifying the signatures of Amazon SNS messages"). */
export function stringToSign(message: SnsMessage): string {
  const keys =
    message.Type === 'Notification'
      ? ['Message', 'MessageId', ...(message.Subject !== undefined ? ['Subject'] : []), 'Timestamp', 'TopicArn', 'Type']
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  return keys.map((k) => `${k}\n${String(message[k as keyof SnsMessage] ?? '')}\n`).join('');
}

/**
 * Verifies a SignatureVersion 2 (RSA-SHA256) signature with the certificate from `SigningCertURL`, which
 * must be an SNS host. `fetchCert` is injected (and cached by the caller) so tests need no network.
 */
export async function verifySnsSignature(
  message: SnsMessage,
  fetchCert: (url: string) => Promise<string>,
): Promise<boolean> {
  if (message.SignatureVersion !== '2' || !message.Signature || !message.SigningCertURL) return false;
  if (!SNS_CERT_URL.test(message.SigningCertURL)) return false;
  const cert = await fetchCert(message.SigningCertURL);
  const verifier = createVerify('RSA-SHA256');
  verifier.update(stringToSign(message), 'utf8');
  return verifier.verify(cert, message.Signature, 'base64');
}

/** Fetches and caches signing certificates (they rotate rarely). */
export function cachedCertFetcher(
  fetchText: (url: string) => Promise<string> = defaultFetch,
): (url: string) => Promise<string> {
  const cache = new Map<string, Promise<string>>();
  return (url) => {
    let cert = cache.get(url);
    if (!cert) {
      cert = fetchText(url).catch((err: unknown) => {
        cache.delete(url);
        throw err;
      });
      cache.set(url, cert);
    }
    return cert;
  };
}

async function defaultFetch(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000), redirect: 'error' });
  if (!res.ok) throw new Error(`certificate fetch answered ${res.status}`);
  return res.text();
}
