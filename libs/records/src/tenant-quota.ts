import { AppError } from '@dreamqueue/errors';
import { type KeySpace } from '@dreamqueue/redis';

/**
 * A tenant's quotas (Redis, `includes/tenant-quota.lua`): how many generation items may wait or run at once,
 * how many trainings may run at once, and how many images may be accepted per minute (a sliding window of
 * 60 one-second slots). Limits are set per tenant by admins; a tenant without its own value gets the
 * operator default, and no value at all means unlimited. The scripts that accept work check and take the
 * quotas in the same step; the scripts that end the work give the counted ones back.
 */
export const QUOTA_NAMES = ['queuedItems', 'concurrentTrainings', 'imagesPerMinute'] as const;
export type QuotaName = (typeof QUOTA_NAMES)[number];
export type QuotaLimits = Partial<Record<QuotaName, number>>;

/** Retry-After for a counted quota, whose room depends on work finishing (a guess, said as one). */
export const QUOTA_RETRY_AFTER_SECONDS: Record<'queuedItems' | 'concurrentTrainings', number> = {
  queuedItems: 10,
  concurrentTrainings: 60,
};

export interface TenantQuotaKeys {
  limits: string;
  usage: string;
  images: string;
}

export function tenantQuotaKeys(keySpace: KeySpace, tenantId: string): TenantQuotaKeys {
  const base = keySpace.key('quota', tenantId);
  return { limits: `${base}:limits`, usage: `${base}:usage`, images: `${base}:images` };
}

/** What a script that includes `tenant-quota` is given: the three keys and the operator defaults. */
export function quotaScriptArgs(
  keySpace: KeySpace,
  tenantId: string,
  defaults: QuotaLimits = {},
): { keys: [string, string, string]; args: [string, string, string] } {
  const k = tenantQuotaKeys(keySpace, tenantId);
  const arg = (name: QuotaName) => (defaults[name] === undefined ? '' : String(defaults[name]));
  return {
    keys: [k.limits, k.usage, k.images],
    args: [arg('queuedItems'), arg('concurrentTrainings'), arg('imagesPerMinute')],
  };
}

export interface QuotaRefusal {
  quota: QuotaName;
  limit: number;
  usage: number;
  requested: number;
  /** Milliseconds until the request fits; -1: it never fits under this limit; 0: unknown. */
  retryAfterMs: number;
}

/** The refusal a `tenant-quota` script answered with, or undefined for any other reply. */
export function quotaRefusalOf(reply: unknown): QuotaRefusal | undefined {
  if (!Array.isArray(reply) || reply[0] !== 'quota_exceeded') return undefined;
  const [, quota, limit, usage, requested, retryAfterMs] = reply as [string, QuotaName, number, number, number, number];
  return { quota, limit, usage, requested, retryAfterMs };
}

const WHAT: Record<QuotaName, { code: string; unit: string; usage: string }> = {
  queuedItems: { code: 'queued_items_quota_exceeded', unit: 'queued items', usage: 'queued or running' },
  concurrentTrainings: {
    code: 'concurrent_trainings_quota_exceeded',
    unit: 'concurrent trainings',
    usage: 'running',
  },
  imagesPerMinute: {
    code: 'images_per_minute_quota_exceeded',
    unit: 'images per minute',
    usage: 'accepted in the last minute',
  },
};

/**
 * 429 `<quota>_quota_exceeded` with Retry-After when waiting makes room; 422 `request_exceeds_quota` when
 * the request alone is larger than the limit (waiting never helps). Nothing was accepted either way.
 */
export function quotaExceeded(refusal: QuotaRefusal): AppError {
  const what = WHAT[refusal.quota];
  const details = { quota: refusal.quota, limit: refusal.limit, usage: refusal.usage, requested: refusal.requested };
  if (refusal.retryAfterMs < 0) {
    return new AppError(
      'request_exceeds_quota',
      `This request needs ${refusal.requested} of the ${refusal.limit} ${what.unit} your quota allows; nothing was accepted. Split it, or ask for a higher limit.`,
      { status: 422, details },
    );
  }
  const retryAfterSeconds =
    refusal.retryAfterMs > 0
      ? Math.ceil(refusal.retryAfterMs / 1000)
      : (QUOTA_RETRY_AFTER_SECONDS[refusal.quota as keyof typeof QUOTA_RETRY_AFTER_SECONDS] ?? 60);
  return new AppError(
    what.code,
    `Quota of ${refusal.limit} ${what.unit} reached: ${refusal.usage} ${what.usage}, this request needs ${refusal.requested}; nothing was accepted. Retry after ${retryAfterSeconds} s.`,
    { status: 429, retryable: true, details: { ...details, retryAfterSeconds } },
  );
}

/** Throws the quota error when a script reply is a refusal. */
export function throwIfQuotaRefused(reply: unknown): void {
  const refusal = quotaRefusalOf(reply);
  if (refusal) throw quotaExceeded(refusal);
}
