import { z } from 'zod';

/** Operations a fault rule can target. `s3:*` apply to client requests through the S3 endpoint. */
export const FAULT_OPS = [
  'invoke',
  'invokeAsync',
  'training',
  's3:PutObject',
  's3:GetObject',
  's3:HeadObject',
  's3:CopyObject',
  's3:DeleteObject',
] as const;
export type FaultOp = (typeof FAULT_OPS)[number];

/** Errors answered on the SageMaker Runtime wire (the names `runtime-error.ts` maps to HTTP statuses). */
export const RUNTIME_FAULTS = [
  'ThrottlingException',
  'ModelNotReadyException',
  'ModelError',
  'ServiceUnavailable',
  'InternalFailure',
  'InternalDependencyException',
  'ValidationError',
] as const;
/** Errors answered as S3 XML error bodies. */
export const S3_FAULTS = ['SlowDown', 'InternalError', 'ServiceUnavailable'] as const;
/** What a training can be made to do: write a failure object, or never write anything. */
export const TRAINING_FAULTS = ['TrainingFailed', 'NoOutput'] as const;

export const FAULT_ERRORS = [...RUNTIME_FAULTS, 'SlowDown', 'InternalError', ...TRAINING_FAULTS] as const;
export type FaultError = (typeof FAULT_ERRORS)[number];

const ALLOWED: Record<'runtime' | 's3' | 'training', readonly string[]> = {
  runtime: RUNTIME_FAULTS,
  s3: S3_FAULTS,
  training: TRAINING_FAULTS,
};

export function opFamily(op: FaultOp): keyof typeof ALLOWED {
  if (op === 'training') return 'training';
  return op.startsWith('s3:') ? 's3' : 'runtime';
}

/**
 * One fault rule. Each matching call draws from the seeded RNG and fires with probability `rate`, at most
 * `count` times. A rule without `error` only adds `latencyMs`.
 */
export const FaultRuleSchema = z
  .object({
    op: z.enum(FAULT_OPS),
    error: z.enum(FAULT_ERRORS).optional(),
    /** Probability (0..1) that a matching call is hit. */
    rate: z.number().min(0).max(1),
    /** For `ModelError`: the container's status. @defaultValue 500 */
    originalStatusCode: z.number().int().min(100).max(599).optional(),
    /** Extra latency (emulated ms, scaled) added when the rule fires. */
    latencyMs: z.number().min(0).optional(),
    /** Only calls for this TargetModel (`invoke`) match. */
    targetModel: z.string().min(1).optional(),
    /** Only S3 requests whose object key contains this text match (e.g. `/photos/03.jpg`: a failure midway). */
    keyContains: z.string().min(1).optional(),
    /** The rule fires at most this many times. */
    count: z.number().int().min(1).optional(),
  })
  .strict()
  .superRefine((rule, ctx) => {
    if (!rule.error) {
      if (rule.latencyMs === undefined) ctx.addIssue({ code: 'custom', message: 'a rule needs an error or latencyMs' });
      return;
    }
    const family = opFamily(rule.op);
    if (!ALLOWED[family].includes(rule.error)) {
      ctx.addIssue({
        code: 'custom',
        path: ['error'],
        message: `${rule.error} is not an error for ${rule.op}; use one of ${ALLOWED[family].join(', ')}`,
      });
    }
  });

export type FaultRule = z.infer<typeof FaultRuleSchema>;
export const FaultRulesSchema = z.array(FaultRuleSchema);

/** Parses rules from config or the control endpoint; the message lists every problem. */
export function parseFaultRules(input: unknown): FaultRule[] {
  const parsed = FaultRulesSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(rules)'}: ${i.message}`);
    throw new Error(`Invalid fault rules: ${problems.join('; ')}`);
  }
  return parsed.data;
}
