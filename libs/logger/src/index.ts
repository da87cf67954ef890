export { createLogger, redactUrl, REDACT_PATHS, type CreateLoggerOptions, type Logger } from './create-logger';
