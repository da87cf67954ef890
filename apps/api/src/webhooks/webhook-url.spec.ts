import { validateWebhookUrl } from './webhook-url';

const strict = { allowHttp: false, allowHosts: [] };
const dev = { allowHttp: true, allowHosts: ['127.0.0.1:9000'] };

describe('validateWebhookUrl', () => {
  it('accepts public https URLs', () => {
    expect(validateWebhookUrl('https://hooks.example.com/dq?x=1', strict)).toBe('https://hooks.example.com/dq?x=1');
  });

  it.each([
    ['http://hooks.example.com/', 'https'],
    ['https://user:pw@hooks.example.com/', 'credentials'],
    ['https://127.0.0.1/', 'private or loopback'],
    ['https://localhost/', 'private or loopback'],
    ['https://10.1.2.3/', 'private or loopback'],
    ['https://[::ffff:127.0.0.1]/', 'private or loopback'],
    ['https://169.254.169.254/latest', 'link-local'],
    ['https://[::ffff:169.254.169.254]/latest', 'link-local'],
    ['https://[::a9fe:a9fe]/latest', 'link-local'],
    ['https://[64:ff9b::a9fe:a9fe]/latest', 'link-local'],
    ['https://[::7f00:1]/', 'private or loopback'],
    ['not a url', 'not a valid URL'],
    [`https://x.example.com/${'a'.repeat(3000)}`, 'not a valid URL'],
  ])('refuses %s in production (%s)', (url, reason) => {
    expect(() => validateWebhookUrl(url, strict)).toThrow(
      expect.objectContaining({ code: 'invalid_webhook_url', message: expect.stringContaining(reason) }),
    );
  });

  it('accepts http and an allow-listed host:port in local development, but no other local port and never link-local', () => {
    expect(validateWebhookUrl('http://127.0.0.1:9000/hook', dev)).toBe('http://127.0.0.1:9000/hook');
    expect(() => validateWebhookUrl('http://127.0.0.1:6379/', dev)).toThrow(/private or loopback/);
    expect(() => validateWebhookUrl('http://127.0.0.1:3001/', dev)).toThrow(/private or loopback/);
    expect(() => validateWebhookUrl('http://169.254.169.254/latest', dev)).toThrow(/link-local/);
    expect(() => validateWebhookUrl('http://[::ffff:169.254.169.254]/latest', dev)).toThrow(/link-local/);
    expect(() =>
      validateWebhookUrl('http://169.254.169.254:9000/latest', { ...dev, allowHosts: ['169.254.169.254:9000'] }),
    ).toThrow(/link-local/);
    expect(() => validateWebhookUrl('ftp://127.0.0.1/', dev)).toThrow(/https/);
  });
});
