export { freePort } from './free-port';
export { startRedisServer, type RedisServer, type RedisServerOptions } from './redis-server';
export { installLeakGuard, openResources, track } from './leak-guard';
export { uniquePrefix } from './unique';
export { eventually } from './eventually';
export { startRedisFixture, type RedisFixture } from './redis-fixture';
export {
  startTestEmulator,
  s3ClientFor,
  sageMakerRuntimeClientFor,
  sageMakerClientFor,
  TEST_EMULATOR_DEFAULTS,
  type TestEmulator,
} from './emulator';
export { recordReadyModel, type ReadyModel } from './ready-model';
