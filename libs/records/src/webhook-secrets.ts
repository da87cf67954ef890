import { randomBytes } from 'node:crypto';
import { type Redis } from 'ioredis';
import { runScript, type KeySpace } from '@dreamqueue/redis';

/**
 * A tenant's webhook signing secrets (Standard Webhooks: `whsec_<base64 of 32 random bytes>`).
 *
 * Rotation keeps two active secrets: the new one and the one before it, until `graceSeconds` after the
 * rotation. Every delivery in that window carries both signatures, so a receiver can switch secrets
 * without losing a webhook. Secrets are shown once (on creation and rotation) and never logged; they are
 * stored in clear text in Redis because signing needs them.
 */
export interface WebhookSecret {
  secret: string;
  createdAt: number;
}

export class WebhookSecrets {
  constructor(
    private readonly redis: Redis,
    private readonly keySpace: KeySpace,
    /** How long the previous secret keeps signing after a rotation. @defaultValue 24 h */
    private readonly graceSeconds = 24 * 3600,
  ) {}

  private key(tenantId: string): string {
    return this.keySpace.key('webhook-secrets', tenantId);
  }

  /** Makes a new current secret and returns it (the only time it is shown). */
  async rotate(tenantId: string): Promise<{ secret: string; previousValidUntil?: string }> {
    const secret = generateWebhookSecret();
    const entry: WebhookSecret = { secret, createdAt: Date.now() };
    const [[, previous]] = (await this.redis
      .multi()
      .lindex(this.key(tenantId), 0)
      .lpush(this.key(tenantId), JSON.stringify(entry))
      .ltrim(this.key(tenantId), 0, 1)
      .exec()) as [[null, string | null]];
    return previous
      ? { secret, previousValidUntil: new Date(entry.createdAt + this.graceSeconds * 1000).toISOString() }
      : { secret };
  }

  /** Creates the first secret if the tenant has none; returns it only when it was created now. */
  async ensure(tenantId: string): Promise<string | undefined> {
    const secret = generateWebhookSecret();
    const created = await runScript<number>(
      this.redis,
      'create-webhook-secret-1',
      [this.key(tenantId)],
      [JSON.stringify({ secret, createdAt: Date.now() } satisfies WebhookSecret)],
    );
    return created === 1 ? secret : undefined;
  }

  /** Whether the tenant has a signing secret (per-resource webhook URLs need one). */
  async exists(tenantId: string): Promise<boolean> {
    return (await this.redis.exists(this.key(tenantId))) === 1;
  }

  /** The secrets that sign a delivery now: the current one, and the previous one within its grace period. */
  async active(tenantId: string, now = Date.now()): Promise<string[]> {
    const rows = (await this.redis.lrange(this.key(tenantId), 0, 1)).map((r) => JSON.parse(r) as WebhookSecret);
    const [current, previous] = rows;
    if (!current) return [];
    const previousActive = previous && now < current.createdAt + this.graceSeconds * 1000;
    return previousActive ? [current.secret, previous.secret] : [current.secret];
  }
}

export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}
