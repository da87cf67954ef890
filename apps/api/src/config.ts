import { z } from 'zod';
import { ALLOW_HOSTS_FORMAT, invalidAllowHosts } from '@dreamqueue/webhook-address';
import { boolEnv, commonEnv, csvEnv, durationMs, intEnv, loadConfig } from '@dreamqueue/config';

export const ApiEnv = z.object({
  ...commonEnv,
  PORT: intEnv(3000, 0, 65535),
  HOST: z.string().default('127.0.0.1'),
  /** Serve Bull Board and /v1/admin on this listener. Disable to run operator routes elsewhere. */
  ADMIN_ENABLED: boolEnv(true),
  /** Serve the web studio at `/` on this listener. */
  STUDIO_ENABLED: boolEnv(true),
  /** Folder of the built studio (index.html + assets/); apps/studio/dist of this checkout when unset. */
  STUDIO_DIR: z.string().min(1).optional(),
  /** Requests slower than this (headers included) are dropped: protects against slow uploads. */
  REQUEST_TIMEOUT: durationMs('120s'),
  HEADERS_TIMEOUT: durationMs('20s'),
  /** On SIGTERM, how long in-flight requests may finish before open connections (event streams) are cut. */
  SHUTDOWN_GRACE: durationMs('10s'),
  /**
   * Which peers may name the client in X-Forwarded-For (Express `trust proxy`): `false` (no proxy: the socket's
   * address), a hop count (`1` behind one load balancer), or addresses/subnets (`10.0.0.0/16`, `loopback`).
   */
  TRUST_PROXY: trustProxyEnv(),
  /** Failed authentications allowed per client IP per minute before answering 429. */
  AUTH_FAILURES_PER_MINUTE: intEnv(30, 1),
  /** How long a key that authenticated is remembered in process: the bound on how late a revocation takes effect. */
  API_KEY_CACHE_TTL: durationMs('5s'),
  /** Registers this key (admin role) at start-up: the local key `npm start` prints. Leave unset in production. */
  BOOTSTRAP_API_KEY: z
    .string()
    .regex(/^dq_[A-Za-z0-9]{40}$/, 'expected dq_ followed by 40 letters or digits')
    .optional(),
  BOOTSTRAP_TENANT: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,39}$/)
    .default('local'),
  /** Bearer token Prometheus must send to /metrics; unset leaves /metrics open (local mode). */
  METRICS_TOKEN: z.string().min(16, 'METRICS_TOKEN must be at least 16 characters').optional(),
  /** Open Server-Sent Events streams (`GET /v1/events`) allowed per tenant across all API instances. */
  SSE_MAX_PER_TENANT: intEnv(5, 1, 1000),
  /** Interval of `: ping` comments on event streams (keeps proxies from closing idle streams). */
  SSE_HEARTBEAT: durationMs('15s'),
  /** Accept http:// webhook URLs (local development only; the worker re-checks at send time). */
  WEBHOOK_ALLOW_HTTP: boolEnv(false),
  /** `host:port` webhook targets exempt from the private-address check (local development only), e.g. 127.0.0.1:4000. */
  WEBHOOK_ALLOW_HOSTS: csvEnv([]).refine((entries) => invalidAllowHosts(entries).length === 0, ALLOW_HOSTS_FORMAT),
  /** How long the previous webhook secret keeps signing after a rotation (reported by the rotate endpoint). */
  WEBHOOK_SECRET_GRACE: durationMs('24h'),
  /** Largest `POST /v1/batches` body (JSON) or stream (NDJSON), in bytes. */
  BATCH_MAX_BODY_BYTES: intEnv(64 * 1024 * 1024, 1024, 512 * 1024 * 1024),
  /**
   * Upload bytes (`POST /v1/models`, `POST /v1/batches`) the process receives at once; beyond it uploads get
   * 503 intake_busy with Retry-After. Intake holds what it reads in memory: keep this well under the task's.
   */
  INTAKE_MAX_BYTES_IN_FLIGHT: intEnv(512 * 1024 * 1024, 1024 * 1024, 64 * 1024 * 1024 * 1024),
  /** Largest training photo accepted (bytes); checked while the upload streams. */
  MODEL_MAX_PHOTO_BYTES: intEnv(15 * 1024 * 1024, 1024, 100 * 1024 * 1024),
  /** Largest total of all photos in one `POST /v1/models` (bytes). */
  MODEL_MAX_UPLOAD_BYTES: intEnv(100 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
  /** Pixel cap per photo, read from the image header before decoding (pixel bombs). */
  MODEL_MAX_PIXELS: intEnv(40_000_000, 1_000_000, 268_402_689),
  /** Shortest side a training photo may have, in pixels. */
  MODEL_MIN_SIDE: intEnv(256, 64, 4096),
  /**
   * Operator-wide quotas for tenants without their own limits (`PUT /v1/admin/tenants/{id}/quotas`); unset
   * is unlimited. Generation items (images) queued or running per tenant at once.
   */
  QUOTA_DEFAULT_QUEUED_ITEMS: optionalLimit(),
  /** Trainings running per tenant at once (queued to registering). */
  QUOTA_DEFAULT_CONCURRENT_TRAININGS: optionalLimit(),
  /** Images accepted per tenant in any 60 seconds (generations and batch items). */
  QUOTA_DEFAULT_IMAGES_PER_MINUTE: optionalLimit(),
  /** SNS topic ARNs (comma-separated) whose signed notifications wake waiting trainings; unset = local mode (unsigned, e.g. the emulator). */
  SNS_TOPIC_ARNS: csvEnv([]),
  /** Accept unsigned SNS messages even with topics configured (local testing only). */
  SNS_ALLOW_UNSIGNED: boolEnv(false),
});

export type ApiConfig = z.output<typeof ApiEnv>;
export type TrustProxy = ApiConfig['TRUST_PROXY'];

function optionalLimit() {
  return z.coerce.number().int().min(0).max(1_000_000_000).optional();
}

function trustProxyEnv() {
  return z
    .string()
    .default('false')
    .transform((raw, ctx): boolean | number | string[] => {
      const value = raw.trim();
      if (value === 'false' || value === '') return false;
      if (/^\d{1,2}$/.test(value)) return Number(value);
      const entries = value.split(',').map((e) => e.trim());
      if (
        value === 'true' ||
        entries.some((e) => !/^[0-9a-fA-F:.]+(\/\d{1,3})?$|^(loopback|linklocal|uniquelocal)$/.test(e))
      ) {
        ctx.addIssue({
          code: 'custom',
          message: 'expected false, a hop count, or proxy addresses/subnets (true would trust any client)',
        });
        return z.NEVER;
      }
      return entries;
    });
}

export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): Readonly<ApiConfig> {
  return loadConfig(ApiEnv, env);
}
