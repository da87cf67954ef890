import { randomUUID } from 'node:crypto';

/** A BullMQ/key prefix no other test shares, as a Redis hash tag. */
export function uniquePrefix(label = 'test'): string {
  return `{${label}-${randomUUID().slice(0, 8)}}`;
}
