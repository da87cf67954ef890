import { AppError, badRequest, serviceUnavailable, toHttpError, tooManyRequests } from './index';

describe('toHttpError', () => {
  it('shows a client error with its code, message and details', () => {
    const out = toHttpError(badRequest('invalid_body', 'name is required', { field: 'name' }));
    expect(out).toEqual({
      status: 400,
      headers: {},
      body: { error: { code: 'invalid_body', message: 'name is required', details: { field: 'name' } } },
    });
  });

  it('hides the message of a server error', () => {
    const out = toHttpError(new AppError('s3_failed', 'bucket dreamqueue-prod denied', { status: 500 }));
    expect(out.status).toBe(500);
    expect(JSON.stringify(out.body)).not.toContain('dreamqueue-prod');
  });

  it('turns an unknown throw into a generic 500', () => {
    expect(toHttpError('boom')).toMatchObject({ status: 500, body: { error: { code: 'internal_error' } } });
  });

  it('answers 503 with Retry-After and keeps the stable code', () => {
    const out = toHttpError(serviceUnavailable('redis_unavailable', 'offline queue disabled'));
    expect(out.status).toBe(503);
    expect(out.headers['retry-after']).toBe('5');
    expect(out.body.error.code).toBe('redis_unavailable');
  });

  it('adds Retry-After to rate-limit answers', () => {
    expect(toHttpError(tooManyRequests('rate_limited', 'slow down', 2.2)).headers['retry-after']).toBe('3');
  });
});
