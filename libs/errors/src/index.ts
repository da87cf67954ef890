export { AppError, isAppError, type AppErrorOptions } from './app-error';
export {
  badRequest,
  conflict,
  forbidden,
  notFound,
  serviceUnavailable,
  tooManyRequests,
  unauthorized,
} from './http-errors';
export { coerceError } from './coerce-error';
export { toHttpError, type HttpError, type HttpErrorBody } from './to-http-error';
