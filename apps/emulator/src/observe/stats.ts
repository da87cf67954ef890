/** Counters readable from `GET /_emulator/stats`. All maps are plain objects for JSON. */
export interface EmulatorStats {
  /** Invocations received per endpoint name (sync and async, including rejected ones). */
  invocations: Record<string, number>;
  /** Error answers per endpoint, by error name. */
  errors: Record<string, Record<string, number>>;
  /** MME batch sizes served: rows N → count. */
  batchSizes: Record<string, number>;
  /** MME invocations served per TargetModel. */
  modelInvocations: Record<string, number>;
  coldLoads: number;
  evictions: number;
  throttles: number;
  /** Accepted InvokeEndpointAsync calls. */
  asyncInvocations: number;
  trainings: { queued: number; running: number; completed: number; failed: number };
  /** S3 requests through the published endpoint, by operation. */
  s3Requests: Record<string, number>;
  /** Injected faults fired, keyed `op:error`. */
  faultsFired: Record<string, number>;
  /** MME inferences running now, over all instances. */
  inFlight: number;
  ledgerDropped: number;
  /** Each simulated MME instance: model_setup state and loaded models (least recently used first). */
  instances: InstanceStats[];
}

export interface InstanceStats {
  id: number;
  bootstrapped: boolean;
  models: string[];
  /** Inferences running on this instance, in all and per target model. */
  inFlight: number;
  inFlightByModel: Record<string, number>;
  /** Requests routed here that wait for their model's load. */
  waitingForLoad: number;
}

/** Mutable counters owned by the emulator; `snapshot()` copies them for callers. */
export class StatsRecorder {
  private data = emptyStats();

  invocation(endpoint: string): void {
    bump(this.data.invocations, endpoint);
  }

  error(endpoint: string, name: string): void {
    this.data.errors[endpoint] ??= {};
    bump(this.data.errors[endpoint], name);
    if (name === 'ThrottlingException') this.data.throttles += 1;
  }

  served(targetModel: string, batchSize: number): void {
    bump(this.data.modelInvocations, targetModel);
    bump(this.data.batchSizes, String(batchSize));
  }

  s3Request(op: string): void {
    bump(this.data.s3Requests, op);
  }

  coldLoad(): void {
    this.data.coldLoads += 1;
  }

  eviction(): void {
    this.data.evictions += 1;
  }

  asyncInvocation(): void {
    this.data.asyncInvocations += 1;
  }

  training(event: 'completed' | 'failed'): void {
    this.data.trainings[event] += 1;
  }

  snapshot(
    live: Pick<EmulatorStats, 'inFlight' | 'faultsFired' | 'ledgerDropped' | 'instances'> & {
      queued: number;
      running: number;
    },
  ): EmulatorStats {
    const copy = structuredClone(this.data);
    return {
      ...copy,
      trainings: { ...copy.trainings, queued: live.queued, running: live.running },
      inFlight: live.inFlight,
      faultsFired: live.faultsFired,
      ledgerDropped: live.ledgerDropped,
      instances: live.instances,
    };
  }

  reset(): void {
    this.data = emptyStats();
  }
}

function emptyStats(): EmulatorStats {
  return {
    invocations: {},
    errors: {},
    batchSizes: {},
    modelInvocations: {},
    coldLoads: 0,
    evictions: 0,
    throttles: 0,
    asyncInvocations: 0,
    trainings: { queued: 0, running: 0, completed: 0, failed: 0 },
    s3Requests: {},
    faultsFired: {},
    inFlight: 0,
    ledgerDropped: 0,
    instances: [],
  };
}

function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}
