/**
 * Defence in depth for the dashboard: job data should never carry secrets or presigned URLs (contracts
 * forbid it), but Bull Board shows data, return values, failure reasons and stack traces in clear text,
 * so anything that looks like a credential is masked before it is rendered.
 */
const SECRET_FIELD = /secret|password|passwd|token|api[-_]?key|authorization|signature|credential|cookie/i;
const SECRET_VALUE = [
  /dq_[A-Za-z0-9]{40}/g, // our API keys
  /whsec_[A-Za-z0-9+/=]{20,}/g, // webhook signing secrets
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, // AWS access key ids
  /\bBearer\s+[A-Za-z0-9._~+/-]+=*/gi,
];
// A URL's query string is where SigV4 presigned URLs (X-Amz-Signature, X-Amz-Credential…) and most
// tokens travel: keep scheme, host and path for the operator, drop the query.
const URL_WITH_QUERY = /\b(https?|s3):\/\/[^\s"'?#]+\?[^\s"'#]*/gi;

export const REDACTED = '[redacted]';

export function redactString(value: string): string {
  let out = value.replace(URL_WITH_QUERY, (url) => `${url.slice(0, url.indexOf('?'))}?${REDACTED}`);
  for (const pattern of SECRET_VALUE) out = out.replace(pattern, REDACTED);
  return out;
}

export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object' || depth > 20) return value;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [
      k,
      SECRET_FIELD.test(k) ? REDACTED : redactValue(v, depth + 1),
    ]),
  );
}

/** Job JSON as the board renders it, with data, return value, failure reason and stack trace masked. */
export function redactJobJson<
  T extends { data?: unknown; returnvalue?: unknown; failedReason?: string; stacktrace?: string[] | null },
>(json: T): T {
  return {
    ...json,
    data: redactValue(json.data),
    returnvalue: redactValue(json.returnvalue),
    ...(json.failedReason ? { failedReason: redactString(json.failedReason) } : {}),
    ...(json.stacktrace ? { stacktrace: json.stacktrace.map((s) => (s ? redactString(s) : s)) } : {}),
  };
}
