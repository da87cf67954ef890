import { Writable } from 'node:stream';
import { createLogger, redactUrl } from './index';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, destination };
}

describe('createLogger', () => {
  it('redacts authorization headers, API keys and URLs', () => {
    const { lines, destination } = capture();
    const log = createLogger({ name: 't', destination });
    log.info(
      {
        req: { headers: { authorization: 'Bearer dq_secret' } },
        apiKey: 'dq_secret',
        image: { url: 'https://x?X-Amz-Signature=abc' },
      },
      'hi',
    );
    expect(lines.join('')).not.toContain('dq_secret');
    expect(lines.join('')).not.toContain('X-Amz-Signature');
    expect(JSON.parse(lines[0]!).service).toBe('t');
  });

  it('serializes errors under err with their stack', () => {
    const { lines, destination } = capture();
    createLogger({ name: 't', destination }).error({ err: new Error('boom') }, 'failed');
    expect(JSON.parse(lines[0]!).err).toMatchObject({ type: 'Error', message: 'boom' });
  });
});

describe('redactUrl', () => {
  it('drops the query string', () => {
    expect(redactUrl('http://h/b/k.jpg?X-Amz-Signature=1')).toBe('http://h/b/k.jpg?[Redacted]');
    expect(redactUrl('http://h/b/k.jpg')).toBe('http://h/b/k.jpg');
  });
});
