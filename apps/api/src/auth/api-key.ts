import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys: `dq_` + 40 base62 characters (~238 random bits). Only the SHA-256 is stored (a fast hash is
 * enough for high-entropy secrets); the first 10 characters are kept for display.
 */
export const ROLES = ['tenant', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who a request acts as: the authenticated key, its tenant and its role. */
export interface Principal {
  keyId: string;
  tenantId: string;
  role: Role;
}

const KEY_PATTERN = /^dq_[A-Za-z0-9]{40}$/;
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function generateApiKey(): string {
  let out = '';
  // Rejection sampling keeps the alphabet uniform.
  while (out.length < 40) {
    for (const byte of randomBytes(48)) {
      if (byte < 248 && out.length < 40) out += BASE62[byte % 62];
    }
  }
  return `dq_${out}`;
}

export const isWellFormedApiKey = (key: string) => KEY_PATTERN.test(key);

/**
 * The key's SHA-256 in hex. `crypto.hash` is the one-shot form: no Hash object per call (about 0.4 µs against
 * 1.2 µs), and every authenticated request hashes its key to look it up.
 */
export const hashApiKey = (key: string) => hash('sha256', key, 'hex');

export const displayPrefix = (key: string) => key.slice(0, 10);

/** Compares two hex digests in constant time. */
export function sameDigest(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Role order: admin can do what an operator can, an operator what a tenant can. */
export function hasRole(actual: Role, required: Role): boolean {
  return ROLES.indexOf(actual) >= ROLES.indexOf(required);
}
