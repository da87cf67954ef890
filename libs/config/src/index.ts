export { boolEnv, csvEnv, durationMs, intEnv, numberEnv, urlEnv } from './env-schemas';
export { loadConfig } from './load-config';
export { commonEnv, localCredentials } from './common-env';
