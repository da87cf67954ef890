import { type Principal } from './api-key';

/**
 * Keys that authenticated recently, by their SHA-256, so most requests need no Redis read to authenticate.
 * An entry lives `ttlMs` from the read that made it, so a key revoked elsewhere (`npm run keys -- revoke`,
 * another API instance) is refused by this process at most `ttlMs` later; a revoke through this process's
 * store drops its entries at once. Only successes are kept: unknown and revoked keys always reach Redis (and
 * the failure limit), so the cache never grows with guesses. A ttl of 0 keeps nothing.
 */
export class PrincipalCache {
  private readonly entries = new Map<string, { principal: Principal; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    /** Keys remembered at most (oldest forgotten first). @defaultValue 10000 */
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(hash: string): Principal | undefined {
    const entry = this.entries.get(hash);
    if (!entry) return undefined;
    if (entry.expiresAt > this.now()) return entry.principal;
    this.entries.delete(hash);
    return undefined;
  }

  set(hash: string, principal: Principal): void {
    if (this.ttlMs <= 0) return;
    this.entries.delete(hash);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(hash, { principal, expiresAt: this.now() + this.ttlMs });
  }

  /** Forgets every entry of key `keyId` (it was revoked). */
  forgetKey(keyId: string): void {
    for (const [hash, entry] of this.entries) if (entry.principal.keyId === keyId) this.entries.delete(hash);
  }
}
