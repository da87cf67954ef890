import { type FaultError, type FaultOp, type FaultRule, parseFaultRules } from './fault-rule';
import { seededRng } from './seeded-rng';

/** What a fired rule asks the caller to do. */
export interface FaultDecision {
  error?: FaultError;
  originalStatusCode?: number;
  latencyMs: number;
}

export interface FaultContext {
  targetModel?: string;
  /** The object key of an S3 request. */
  key?: string;
}

/**
 * Decides, per call, whether a configured fault fires. Every matching rule draws once from the seeded RNG,
 * in rule order, so the decisions depend only on the seed, the rules and the order of calls. Replacing
 * the rules (or a reset) re-seeds, so a scenario replays from its start.
 */
export class FaultInjector {
  private rules: FaultRule[] = [];
  private fired: number[] = [];
  private rng: () => number;
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly seed: number,
    rules: FaultRule[] = [],
  ) {
    this.rng = seededRng(seed);
    this.setRules(rules);
  }

  setRules(rules: FaultRule[]): void {
    this.rules = parseFaultRules(rules);
    this.fired = this.rules.map(() => 0);
    this.rng = seededRng(this.seed);
  }

  getRules(): FaultRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  /** Faults fired so far, keyed `op:error`. */
  firedCounts(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  reset(): void {
    this.setRules([]);
    this.counts.clear();
  }

  /** Returns the first fired error (latencies of all fired rules add up), or undefined if none fired. */
  decide(op: FaultOp, context: FaultContext = {}): FaultDecision | undefined {
    let decision: FaultDecision | undefined;
    this.rules.forEach((rule, index) => {
      if (rule.op !== op) return;
      if (rule.targetModel !== undefined && rule.targetModel !== context.targetModel) return;
      if (rule.keyContains !== undefined && !context.key?.includes(rule.keyContains)) return;
      if (rule.count !== undefined && this.fired[index] >= rule.count) return;
      if (this.rng() >= rule.rate) return;
      this.fired[index] += 1;
      decision ??= { latencyMs: 0 };
      decision.latencyMs += rule.latencyMs ?? 0;
      if (rule.error && !decision.error) {
        decision.error = rule.error;
        decision.originalStatusCode = rule.originalStatusCode;
        const key = `${op}:${rule.error}`;
        this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
      }
    });
    return decision;
  }
}
