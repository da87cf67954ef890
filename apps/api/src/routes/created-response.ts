import { type Response } from 'express';

/** What `res.json` sets for a string body, with the charset Express adds. */
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * Answers a create request (`POST /v1/generations`, `POST /v1/batches`) with `status`, `Location: location` and
 * `body` as JSON: the headers `res.status(status).location(location).json(body)` sets, in the same order, but
 * no ETag. An entity tag on a POST's answer validates nothing (no client can make a POST conditional on it),
 * yet `res.json` hashes every body for one, and parses the content type it set to add the charset it
 * already has: microseconds on the API's busiest route. `location` is a path the API built from a
 * resource id (letters, digits, `_`), which `res.location` would leave as it is.
 */
export function sendCreated(res: Response, status: number, location: string, body: unknown): void {
  const json = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Location', location);
  res.setHeader('Content-Type', JSON_CONTENT_TYPE);
  res.setHeader('Content-Length', Buffer.byteLength(json));
  res.end(json);
}
