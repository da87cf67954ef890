import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/** Resource id prefixes. Ids are lowercase base32-ish so they are safe in S3 keys, job ids and `TargetModel`. */
export const ID_PREFIX = {
  model: 'mdl',
  generation: 'gen',
  batch: 'bat',
  tenant: 'ten',
  apiKey: 'key',
  event: 'evt',
} as const;
export type ResourceKind = keyof typeof ID_PREFIX;

const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

const ID_LENGTH = 20;
/**
 * Random bytes drawn for many ids at once: one call into the CSPRNG per 256 ids instead of one per id (the
 * same pooling Node uses for `randomUUID`). Each byte is used once.
 */
const POOL_BYTES = ID_LENGTH * 256;
let pool = Buffer.alloc(0);
let poolOffset = 0;

/** `newId('model')` → `mdl_k3v9…` (20 random characters, ~100 bits). */
export function newId(kind: ResourceKind): string {
  if (poolOffset + ID_LENGTH > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolOffset = 0;
  }
  let out = `${ID_PREFIX[kind]}_`;
  for (let i = poolOffset; i < poolOffset + ID_LENGTH; i++) out += ALPHABET[pool[i]! % ALPHABET.length];
  poolOffset += ID_LENGTH;
  return out;
}

/** A zod schema accepting only ids of one kind; anything else (e.g. `../x`) is rejected. */
export const idSchema = (kind: ResourceKind) =>
  z.string().regex(new RegExp(`^${ID_PREFIX[kind]}_[a-z0-9]{1,40}$`), `expected a ${kind} id (${ID_PREFIX[kind]}_…)`);

export const tenantIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'expected a tenant id');
