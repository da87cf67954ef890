import { type Node } from 'constructs';

/**
 * Everything a deployment may want to change, with the defaults the AWS guidance was sized for.
 * Read from CDK context (`cdk synth -c dreamqueue:mmeMaxInstances=4`, or `cdk.json`), never from the
 * environment, so a synth is reproducible.
 */
export interface DreamqueueSettings {
  /** ECR URI of the dreamqueue image (api, worker). Unset: built from the repository's Dockerfile at deploy time. */
  appImage?: string;
  /** DJL (LMI) image that runs `containers/training`. @defaultValue the us-east-1 DJL 0.29 LMI image */
  trainingImage: string;
  /** SageMaker Triton image for the MME. Its account differs per region (AWS docs: "Triton on SageMaker"). */
  tritonImage: string;
  /** Key of the training code tarball (`containers/training` packed as model.py + serving.properties). */
  trainingCodeKey: string;
  trainingEndpointName: string;
  mmeEndpointName: string;
  /** MME model prefix, relative to the bucket; `ModelDataUrl` points here. Must end with `/`. */
  mmePrefix: string;
  /** @defaultValue ml.g5.xlarge (1 × A10G, 24 GB), the size the guidance trains on */
  trainingInstanceType: string;
  /** @defaultValue 2 */
  trainingMaxInstances: number;
  /** Target backlog (queued async requests) per training instance. @defaultValue 2 */
  trainingBacklogPerInstance: number;
  /** @defaultValue ml.g5.xlarge */
  mmeInstanceType: string;
  /** A real-time endpoint cannot scale to zero, so the MME keeps at least one instance. @defaultValue 1 */
  mmeMinInstances: number;
  /** @defaultValue 4 */
  mmeMaxInstances: number;
  /**
   * Target `SageMakerVariantInvocationsPerInstance` (per minute). One invocation of 8 images at ~4 s each
   * takes ~35 s, so one GPU serves ~2 full invocations a minute; 4 leaves room for smaller ones.
   * @defaultValue 4
   */
  mmeInvocationsPerInstance: number;
  /** @defaultValue cache.r7g.large */
  redisNodeType: string;
  /** @defaultValue 2 */
  apiTasks: number;
  /** @defaultValue 1 */
  workerMinTasks: number;
  /** @defaultValue 10 */
  workerMaxTasks: number;
  /**
   * Public HTTPS base URL of the API (e.g. https://dreamqueue.example.com). SNS confirms HTTPS
   * subscriptions only against a CA-signed certificate, so without it no subscription is created.
   */
  apiBaseUrl?: string;
  /** ACM certificate for the public listener. Without it the ALB listens on HTTP 80 (for trials only). */
  certificateArn?: string;
  /** CIDRs (VPN, bastion) allowed to reach Bull Board and /v1/admin through the ALB; none by default. */
  adminAllowCidrs: string[];
  /** Days before generated images and manifests (objects tagged `dq-retention=generated`) expire. @defaultValue 90 */
  generatedRetentionDays: number;
}

export const DEFAULT_SETTINGS: DreamqueueSettings = {
  trainingImage: '763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.29.0-lmi11.0.0-cu124',
  tritonImage: '785573368785.dkr.ecr.us-east-1.amazonaws.com/sagemaker-tritonserver:25.09-py3',
  trainingCodeKey: 'code/training.tar.gz',
  trainingEndpointName: 'dreamqueue-training',
  mmeEndpointName: 'dreamqueue-mme',
  mmePrefix: 'mme-models/',
  trainingInstanceType: 'ml.g5.xlarge',
  trainingMaxInstances: 2,
  trainingBacklogPerInstance: 2,
  mmeInstanceType: 'ml.g5.xlarge',
  mmeMinInstances: 1,
  mmeMaxInstances: 4,
  mmeInvocationsPerInstance: 4,
  redisNodeType: 'cache.r7g.large',
  apiTasks: 2,
  workerMinTasks: 1,
  workerMaxTasks: 10,
  adminAllowCidrs: [],
  generatedRetentionDays: 90,
};

const CONTEXT_PREFIX = 'dreamqueue:';

/** Reads `dreamqueue:<setting>` context keys over the defaults; numbers and lists given as strings (-c) are coerced. */
export function settingsFromContext(node: Node, overrides: Partial<DreamqueueSettings> = {}): DreamqueueSettings {
  const settings: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  for (const key of [...Object.keys(DEFAULT_SETTINGS), 'appImage', 'apiBaseUrl', 'certificateArn']) {
    const raw: unknown = node.tryGetContext(`${CONTEXT_PREFIX}${key}`);
    if (raw === undefined) continue;
    settings[key] = coerce(key, raw, DEFAULT_SETTINGS[key as keyof DreamqueueSettings]);
  }
  return validateSettings({ ...(settings as unknown as DreamqueueSettings), ...overrides });
}

function coerce(key: string, raw: unknown, like: unknown): unknown {
  if (typeof like === 'number') {
    const n = Number(raw);
    if (!Number.isFinite(n))
      throw new Error(`Context ${CONTEXT_PREFIX}${key} must be a number, got ${JSON.stringify(raw)}`);
    return n;
  }
  if (Array.isArray(like))
    return Array.isArray(raw)
      ? raw.map(String)
      : String(raw)
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
  return String(raw);
}

export function validateSettings(s: DreamqueueSettings): DreamqueueSettings {
  const problems: string[] = [];
  if (!/^([a-z0-9-]+\/)+$/.test(s.mmePrefix))
    problems.push(`mmePrefix must be a key prefix ending in "/", got ${s.mmePrefix}`);
  if (s.mmeMinInstances < 1) problems.push('mmeMinInstances must be ≥ 1: a real-time endpoint cannot scale to zero');
  if (s.mmeMaxInstances < s.mmeMinInstances) problems.push('mmeMaxInstances must be ≥ mmeMinInstances');
  if (s.trainingMaxInstances < 1) problems.push('trainingMaxInstances must be ≥ 1');
  if (s.workerMaxTasks < s.workerMinTasks) problems.push('workerMaxTasks must be ≥ workerMinTasks');
  // An ALB rule holds at most 5 condition values; the admin rule already uses 2 path patterns.
  if (s.adminAllowCidrs.length > 3) problems.push('adminAllowCidrs holds at most 3 CIDRs (ALB rule condition limit)');
  if (s.apiBaseUrl !== undefined && !/^https:\/\/[^/]+$/.test(s.apiBaseUrl))
    problems.push('apiBaseUrl must be https://host (no path)');
  if (problems.length > 0) throw new Error(`Invalid dreamqueue settings:\n  ${problems.join('\n  ')}`);
  return s;
}
