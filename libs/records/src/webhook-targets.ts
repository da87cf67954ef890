import { type Redis } from 'ioredis';
import { type KeySpace } from '@dreamqueue/redis';

/**
 * Where a resource's completion webhook goes: the URL given with the resource, else the tenant's default.
 * Kept apart from job data (which is stored in clear text and shown in the dashboard) and from events.
 */
export class WebhookTargets {
  constructor(
    private readonly redis: Redis,
    private readonly keySpace: KeySpace,
    /** How long a per-resource URL is kept. @defaultValue 30 days */
    private readonly ttlSeconds = 30 * 24 * 3600,
  ) {}

  async setForResource(tenantId: string, resourceId: string, url: string): Promise<void> {
    await this.redis.set(this.keySpace.key('webhook-url', tenantId, resourceId), url, 'EX', this.ttlSeconds);
  }

  async removeForResource(tenantId: string, resourceId: string): Promise<void> {
    await this.redis.del(this.keySpace.key('webhook-url', tenantId, resourceId));
  }

  async setTenantDefault(tenantId: string, url: string | undefined): Promise<void> {
    const key = this.keySpace.key('webhook-url', tenantId, '_default');
    if (url) await this.redis.set(key, url);
    else await this.redis.del(key);
  }

  async resolve(tenantId: string, resourceId: string): Promise<string | undefined> {
    const [own, fallback] = await this.redis.mget(
      this.keySpace.key('webhook-url', tenantId, resourceId),
      this.keySpace.key('webhook-url', tenantId, '_default'),
    );
    return own ?? fallback ?? undefined;
  }
}
