import { Writable } from 'node:stream';
import express from 'express';
import request from 'supertest';
import { createLogger } from '@dreamqueue/logger';
import { accessLog } from './access-log';

interface LogLine {
  msg?: string;
  req?: { headers?: Record<string, unknown> };
  res?: { headers?: Record<string, unknown> };
  [field: string]: unknown;
}

function appWithLog() {
  const lines: LogLine[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const app = express();
  app.use(accessLog(app, createLogger({ name: 't', destination })));
  app.get('/healthz', (_req, res) => res.json({ status: 'ok' }));
  app.get('/v1/things/:id', (req, res) => {
    res.locals.principal = { tenantId: 'acme' };
    res.setHeader('set-cookie', ['session=setcookiesecret']);
    req.log.info({ thing: req.params.id }, 'found');
    res.status(201).json({ id: req.params.id });
  });
  app.get('/v1/broken', (_req, res) => {
    res.status(502).json({ error: 'upstream' });
  });
  return { app, lines };
}

describe('accessLog', () => {
  it('writes one line per request with its id, tenant, status, headers and time, redacted', async () => {
    const { app, lines } = appWithLog();
    const res = await request(app)
      .get('/v1/things/t1?token=supersecret')
      .set('authorization', 'Bearer dq_secret')
      .set('x-request-id', 'req-12345678')
      .expect(201);
    expect(res.headers['x-request-id']).toBe('req-12345678');
    const access = lines.filter((l) => l.msg === 'request completed');
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({
      level: 30,
      service: 't',
      tenantId: 'acme',
      req: { id: 'req-12345678', method: 'GET', url: '[Redacted]', query: '[Redacted]' },
      res: { statusCode: 201, headers: { 'x-request-id': 'req-12345678' } },
      responseTime: expect.any(Number),
    });
    expect(access[0]!.req?.headers?.authorization).toBe('[Redacted]');
    expect(access[0]!.res?.headers?.['content-type']).toMatch(/json/);
    // A route's own line carries the request it was logged for.
    expect(lines.find((l) => l.msg === 'found')).toMatchObject({ thing: 't1', req: { id: 'req-12345678' } });
    const text = JSON.stringify(lines);
    expect(text).not.toContain('dq_secret');
    expect(text).not.toContain('supersecret');
  });

  it('redacts the line as the API logger redacts any line', async () => {
    const { app, lines } = appWithLog();
    await request(app)
      .get('/v1/things/t2?X-Amz-Signature=f00dfacecafe')
      .set('cookie', 'session=cookiesecret')
      .set('x-api-key', 'dq_headersecret')
      .set('authorization', 'Basic ZHFfc2VjcmV0')
      .expect(201);
    const line = lines.find((l) => l.msg === 'request completed')!;
    const { time: _time, ...fields } = line;
    // The same object through the logger's full redaction (every path, wildcards included).
    const full: LogLine[] = [];
    const logger = createLogger({
      name: 't',
      destination: new Writable({
        write(chunk: Buffer, _enc, done) {
          full.push(JSON.parse(chunk.toString('utf8')) as LogLine);
          done();
        },
      }),
    });
    logger.info({ ...fields, req: { ...line.req, url: '/v1/things/t2?X-Amz-Signature=f00dfacecafe' } }, 'again');
    const { time: _t, msg: _m, ...expected } = full[0]!;
    expect({ ...fields, msg: undefined }).toEqual({ ...expected, msg: undefined });
    expect(line.req?.headers).toMatchObject({
      cookie: '[Redacted]',
      'x-api-key': '[Redacted]',
      authorization: '[Redacted]',
    });
    expect(line.res?.headers?.['set-cookie']).toBe('[Redacted]');
    for (const secret of ['f00dfacecafe', 'cookiesecret', 'dq_headersecret', 'ZHFfc2VjcmV0', 'setcookiesecret']) {
      expect(JSON.stringify(lines)).not.toContain(secret);
    }
  });

  it('marks a 5xx response as errored and leaves the probes out', async () => {
    const { app, lines } = appWithLog();
    await request(app).get('/healthz').expect(200);
    const res = await request(app).get('/v1/broken').expect(502);
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      msg: 'request errored',
      req: { id: res.headers['x-request-id'] },
      res: { statusCode: 502 },
      err: { message: 'failed with status code 502' },
    });
  });
});
