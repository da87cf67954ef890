import { type Redis } from 'ioredis';
import { runScript, type KeySpace } from '@dreamqueue/redis';
import {
  displayPrefix,
  generateApiKey,
  hashApiKey,
  isWellFormedApiKey,
  sameDigest,
  type Principal,
  type Role,
} from './api-key';
import { newId } from '@dreamqueue/contracts';
import { PrincipalCache } from './principal-cache';

export interface ApiKeyRecord {
  id: string;
  tenantId: string;
  role: Role;
  name: string;
  prefix: string;
  createdAt: string;
  revokedAt?: string;
}

export interface ApiKeyStoreOptions {
  /** How long a successful authentication is remembered in process (`API_KEY_CACHE_TTL`). @defaultValue 0 (never) */
  cacheTtlMs?: number;
  /** The clock the cache reads (tests). */
  now?: () => number;
}

/** API keys in Redis: `apikey:<sha256>` → key id, `apikeys:<id>` → record. The key itself is never stored. */
export class ApiKeyStore {
  private readonly cache: PrincipalCache;

  constructor(
    private readonly redis: Redis,
    private readonly keySpace: KeySpace,
    options: ApiKeyStoreOptions = {},
  ) {
    this.cache = new PrincipalCache(options.cacheTtlMs ?? 0, undefined, options.now);
  }

  /** Creates a key and returns it once; afterwards only its hash exists. */
  async create(input: {
    tenantId: string;
    role: Role;
    name: string;
    key?: string;
  }): Promise<{ key: string; record: ApiKeyRecord }> {
    const key = input.key ?? generateApiKey();
    if (!isWellFormedApiKey(key)) throw new Error('An API key must look like dq_ followed by 40 letters or digits');
    const record: ApiKeyRecord = {
      id: newId('apiKey'),
      tenantId: input.tenantId,
      role: input.role,
      name: input.name,
      prefix: displayPrefix(key),
      createdAt: new Date().toISOString(),
    };
    const hash = hashApiKey(key);
    const claimed = await this.redis.set(this.keySpace.key('apikey', hash), record.id, 'NX');
    if (claimed === null) {
      const existing = await this.findByKey(key);
      if (existing) return { key, record: existing };
    }
    await this.redis
      .multi()
      .hset(this.keySpace.key('apikeys', record.id), { ...record, hash })
      .zadd(this.keySpace.key('apikeys'), Date.now(), record.id)
      .exec();
    return { key, record };
  }

  /**
   * Resolves a presented key; `undefined` for unknown, malformed or revoked keys alike. A key that
   * authenticated within the cache TTL is answered from memory (see `PrincipalCache` for what that means
   * for revocation).
   */
  async authenticate(key: string): Promise<Principal | undefined> {
    if (!isWellFormedApiKey(key)) return undefined;
    const hash = hashApiKey(key);
    const cached = this.cache.get(hash);
    if (cached) return cached;
    const record = await this.findByKey(key);
    if (!record || record.revokedAt) return undefined;
    const principal: Principal = { keyId: record.id, tenantId: record.tenantId, role: record.role };
    this.cache.set(hash, principal);
    return principal;
  }

  /**
   * The principal of a key that authenticated within the cache TTL, answered without Redis and without a
   * promise (the authentication middleware's hot path); `undefined` when only `authenticate` can tell.
   */
  remembered(key: string): Principal | undefined {
    return isWellFormedApiKey(key) ? this.cache.get(hashApiKey(key)) : undefined;
  }

  async list(): Promise<ApiKeyRecord[]> {
    const ids = await this.redis.zrange(this.keySpace.key('apikeys'), 0, '-1');
    const records = await Promise.all(ids.map((id) => this.get(id)));
    return records.filter((r): r is ApiKeyRecord => r !== undefined);
  }

  async revoke(id: string): Promise<boolean> {
    const key = this.keySpace.key('apikeys', id);
    if (!(await this.redis.exists(key))) return false;
    await this.redis.hset(key, 'revokedAt', new Date().toISOString());
    this.cache.forgetKey(id);
    return true;
  }

  /** One round trip per request: the hash → id lookup and the record read run as one script. */
  private async findByKey(key: string): Promise<ApiKeyRecord | undefined> {
    if (!isWellFormedApiKey(key)) return undefined;
    const hash = hashApiKey(key);
    const flat = await runScript<string[]>(
      this.redis,
      'find-api-key-1',
      [this.keySpace.key('apikey', hash)],
      [this.keySpace.key('apikeys', '')],
    );
    const raw: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) raw[flat[i]!] = flat[i + 1]!;
    if (!raw.id || !raw.hash || !sameDigest(raw.hash, hash)) return undefined;
    return withoutHash(raw);
  }

  private async get(id: string): Promise<ApiKeyRecord | undefined> {
    const raw = await this.redis.hgetall(this.keySpace.key('apikeys', id));
    return raw.id ? withoutHash(raw) : undefined;
  }
}

function withoutHash(raw: Record<string, string>): ApiKeyRecord {
  const { hash: _hash, ...record } = raw;
  return record as unknown as ApiKeyRecord;
}
