import { WebhookUrlRejected as OutboundUrlRejected, isBlockedAddress } from '@dreamqueue/webhook-address';
import { resolveTarget, type OutboundPolicy } from './outbound-address';

const production: OutboundPolicy = { allowHttp: false, allowHosts: [] };
const resolvesTo =
  (...addresses: string[]) =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('webhook URL guard (SSRF)', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.5.4',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '0.1.2.3',
    '::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    'fd00::1',
    'fe80::1',
    '224.0.0.1',
    '255.255.255.255',
    'not-an-ip',
  ])('blocks %s', (address) => {
    expect(isBlockedAddress(address)).toBe(true);
  });

  it.each(['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946', '8.8.8.8'])('allows public %s', (address) => {
    expect(isBlockedAddress(address)).toBe(false);
  });

  it('refuses loopback and IPv4-mapped literals, private names, http and credentials in production', async () => {
    for (const url of [
      'https://127.0.0.1/hook',
      'https://[::ffff:127.0.0.1]/hook',
      'https://169.254.169.254/latest/meta-data',
    ]) {
      await expect(resolveTarget(url, production)).rejects.toThrow(OutboundUrlRejected);
    }
    await expect(resolveTarget('https://hooks.example.com/x', production, resolvesTo('10.0.0.7'))).rejects.toThrow(
      /private/,
    );
    await expect(
      resolveTarget('https://hooks.example.com/x', production, resolvesTo('93.184.216.34', '10.0.0.7')),
    ).rejects.toThrow(/private/);
    await expect(resolveTarget('http://hooks.example.com/x', production, resolvesTo('93.184.216.34'))).rejects.toThrow(
      /https/,
    );
    await expect(
      resolveTarget('https://u:p@hooks.example.com/x', production, resolvesTo('93.184.216.34')),
    ).rejects.toThrow(/credentials/);
    await expect(resolveTarget('file:///etc/passwd', production)).rejects.toThrow(/https/);
  });

  it('pins the resolved public address', async () => {
    const target = await resolveTarget('https://hooks.example.com/x', production, resolvesTo('93.184.216.34'));
    expect(target).toMatchObject({ address: '93.184.216.34', family: 4 });
    expect(target.url.hostname).toBe('hooks.example.com');
  });

  it('lets an explicit local-development allow-list through: that host and port only, never link-local', async () => {
    const local: OutboundPolicy = { allowHttp: true, allowHosts: ['127.0.0.1:9999', 'localhost:9999'] };
    await expect(resolveTarget('http://127.0.0.1:9999/hook', local)).resolves.toMatchObject({ address: '127.0.0.1' });
    await expect(resolveTarget('http://localhost:9999/hook', local, resolvesTo('127.0.0.1'))).resolves.toMatchObject({
      address: '127.0.0.1',
    });
    await expect(resolveTarget('http://10.0.0.1/hook', local)).rejects.toThrow(OutboundUrlRejected);
    // Any other port on this machine (Redis, the emulator's control port) stays out of reach.
    await expect(resolveTarget('http://127.0.0.1:6379/', local)).rejects.toThrow(/private or loopback/);
    await expect(resolveTarget('http://localhost:6379/', local, resolvesTo('127.0.0.1'))).rejects.toThrow(/private/);
    const metadata: OutboundPolicy = { allowHttp: true, allowHosts: ['169.254.169.254:80'] };
    await expect(resolveTarget('http://169.254.169.254/latest', metadata)).rejects.toThrow(/link-local/);
  });

  it.each([
    'https://[::a9fe:a9fe]/latest',
    'https://[::ffff:169.254.169.254]/latest',
    'https://[64:ff9b::a9fe:a9fe]/latest',
    'https://[64:ff9b::7f00:1]/',
  ])('refuses the IPv6 spelling of an IPv4 address %s', async (url) => {
    await expect(resolveTarget(url, production)).rejects.toThrow(OutboundUrlRejected);
    const address = new URL(url).hostname.slice(1, -1);
    await expect(resolveTarget('https://hooks.example.com/', production, resolvesTo(address))).rejects.toThrow(
      OutboundUrlRejected,
    );
  });
});
