import { isBlockedAddress, isLinkLocal } from './blocked-addresses';
import { checkAddress, checkWebhookUrl, invalidAllowHosts, type WebhookAddressPolicy } from './webhook-url-policy';

const production: WebhookAddressPolicy = { allowHttp: false, allowHosts: [] };
const local: WebhookAddressPolicy = { allowHttp: true, allowHosts: ['127.0.0.1:4000', 'localhost:4000', '[::1]:4000'] };

describe('the webhook address policy', () => {
  it.each([
    '169.254.169.254',
    '::ffff:169.254.169.254',
    '::ffff:a9fe:a9fe',
    '::a9fe:a9fe',
    '::169.254.169.254',
    '64:ff9b::a9fe:a9fe',
    '64:ff9b::169.254.169.254',
    '::ffff:127.0.0.1',
    '::7f00:1',
    '64:ff9b::a00:1',
    '64:ff9b:1::a00:1',
    '::1',
    '::',
    'fe80::1',
    'fd00::1',
    '127.0.0.1',
    '10.0.0.5',
    '0.0.0.0',
    'not-an-ip',
  ])('blocks %s', (address) => {
    expect(isBlockedAddress(address)).toBe(true);
  });

  it.each(['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946', '8.8.8.8'])('lets %s through', (address) => {
    expect(isBlockedAddress(address)).toBe(false);
  });

  it.each(['169.254.169.254', '::ffff:a9fe:a9fe', '::a9fe:a9fe', '64:ff9b::a9fe:a9fe', 'fe80::1', 'FEBF::1'])(
    'knows %s is link-local',
    (address) => expect(isLinkLocal(address)).toBe(true),
  );

  it.each([
    'https://[::ffff:169.254.169.254]/latest',
    'https://[::a9fe:a9fe]/latest',
    'https://[64:ff9b::a9fe:a9fe]/',
    'https://[::ffff:127.0.0.1]/',
    'https://[::7f00:1]/',
    'https://127.0.0.1/',
    'https://localhost/',
    'https://api.localhost/',
  ])('refuses %s', (url) => {
    expect(() => checkWebhookUrl(url, production)).toThrow(/link-local|private or loopback/);
    expect(() => checkWebhookUrl(url.replace('https:', 'http:'), local)).toThrow(/link-local|private/);
  });

  it('exempts allow-listed host:port targets only, and never link-local', () => {
    expect(checkWebhookUrl('http://127.0.0.1:4000/hook', local).allowListed).toBe(true);
    expect(checkWebhookUrl('http://localhost:4000/hook', local).allowListed).toBe(true);
    expect(checkWebhookUrl('http://[::1]:4000/hook', local).allowListed).toBe(true);
    // Another port on the same machine (Redis, the emulator's control port) stays refused.
    expect(() => checkWebhookUrl('http://127.0.0.1:6379/', local)).toThrow(/private or loopback/);
    expect(() => checkWebhookUrl('http://127.0.0.1/', local)).toThrow(/private or loopback/);
    const linkLocal = { allowHttp: true, allowHosts: ['169.254.169.254:80', '[::ffff:a9fe:a9fe]:80'] };
    expect(() => checkWebhookUrl('http://169.254.169.254/latest', linkLocal)).toThrow(/link-local/);
    expect(() => checkWebhookUrl('http://[::ffff:169.254.169.254]/latest', linkLocal)).toThrow(/link-local/);
    expect(() => checkAddress('169.254.169.254', { allowListed: true })).toThrow(/link-local/);
  });

  it('requires https in production, no credentials, and a parseable URL', () => {
    expect(checkWebhookUrl('https://hooks.example.com/dq', production).host).toBe('hooks.example.com');
    expect(() => checkWebhookUrl('http://hooks.example.com/', production)).toThrow(/must use https/);
    expect(() => checkWebhookUrl('https://u:p@hooks.example.com/', production)).toThrow(/credentials/);
    expect(() => checkWebhookUrl('nope', production)).toThrow(/not a valid URL/);
    expect(() => checkWebhookUrl('ftp://127.0.0.1:4000/', local)).toThrow(/http or https/);
  });

  it('accepts only host:port allow-list entries', () => {
    expect(invalidAllowHosts(['127.0.0.1:4000', 'localhost:8080', '[::1]:4000', 'hooks.internal:443'])).toEqual([]);
    expect(invalidAllowHosts(['127.0.0.1', 'localhost', '127.0.0.1:0', '127.0.0.1:70000', 'http://x:1'])).toEqual([
      '127.0.0.1',
      'localhost',
      '127.0.0.1:0',
      '127.0.0.1:70000',
      'http://x:1',
    ]);
  });
});
