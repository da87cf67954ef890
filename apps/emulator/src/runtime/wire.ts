import { type ServerResponse } from 'node:http';
import { sendJson } from '../http/http-util';
import { type RuntimeError } from './runtime-error';

/** Answers an error in the shape the AWS SDK v3 parses (its tests here prove it): always a JSON body. */
export function sendRuntimeError(res: ServerResponse, error: RuntimeError): void {
  sendJson(res, error.status, { message: error.message, ...error.fields }, { 'x-amzn-ErrorType': error.errorType });
}
