import { type Redis } from 'ioredis';
import { type AsyncInference, type MultiModelInference } from '@dreamqueue/aws';
import { type Logger } from '@dreamqueue/logger';
import { type EventLog } from '@dreamqueue/records';
import { type KeySpace } from '@dreamqueue/redis';
import { type ObjectStore } from '@dreamqueue/storage';
import { type WorkerConfig } from './config';
import { type WorkerMetrics } from './observability/worker-metrics';

/** Everything processors need, built once in main.ts and passed in (tests build it against real services). */
export interface WorkerDeps {
  config: Readonly<WorkerConfig>;
  logger: Logger;
  /** A worker-role connection for resource records and claims (not BullMQ's own). */
  redis: Redis;
  keySpace: KeySpace;
  objects: ObjectStore;
  asyncInference: AsyncInference;
  mme: MultiModelInference;
  events: EventLog;
  /** Prometheus metrics (served on the health port); absent in tests that do not read them. */
  metrics?: WorkerMetrics;
}
