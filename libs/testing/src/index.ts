export { freePort } from './free-port';
export { startRedisServer, type RedisServer, type RedisServerOptions } from './redis-server';
export { installLeakGuard, openResources, track } from './leak-guard';
export { uniquePrefix } from './unique';
