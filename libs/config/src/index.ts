export { boolEnv, csvEnv, durationMs, intEnv, numberEnv, urlEnv } from './env-schemas';
export { loadConfig } from './load-config';
