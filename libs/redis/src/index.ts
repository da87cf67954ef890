export {
  createRedisConnection,
  redisOptionsFor,
  waitForReady,
  type RedisConnectionOptions,
  type RedisRole,
} from './create-redis-connection';
export { assertRedisFit } from './assert-redis-fit';
export { createKeySpace, type KeySpace } from './key-space';
export { Redis } from 'ioredis';
export {
  defineScripts,
  pipelineWithScripts,
  queueScript,
  runScript,
  scriptDefinitions,
  SCRIPT_DIR,
  type ScriptDefinition,
} from './redis-scripts';
export {
  BULLMQ_VERSION_CHECKED,
  jobKeys,
  prioritizedJobWriter,
  prioritizedRank,
  waitingCount,
  type PrioritizedJobWrite,
  updateJobDataIfLocked,
} from './bullmq-adapter';
export { releaseLock } from './release-lock';
