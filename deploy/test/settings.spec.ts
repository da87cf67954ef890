import { App } from 'aws-cdk-lib';
import { DEFAULT_SETTINGS, settingsFromContext, validateSettings } from '../src/settings';

describe('settings', () => {
  it('reads dreamqueue:* context over the defaults, coercing numbers and lists given as strings', () => {
    const app = new App({
      context: {
        'dreamqueue:mmeMaxInstances': '6',
        'dreamqueue:adminAllowCidrs': '10.0.0.0/8, 192.168.0.0/16',
        'dreamqueue:appImage': 'repo/dq:1',
      },
    });
    const settings = settingsFromContext(app.node);
    expect(settings).toMatchObject({
      mmeMaxInstances: 6,
      adminAllowCidrs: ['10.0.0.0/8', '192.168.0.0/16'],
      appImage: 'repo/dq:1',
    });
    expect(settings.trainingInstanceType).toBe('ml.g5.xlarge');
  });

  it('rejects a non-numeric number with the context key in the message', () => {
    const app = new App({ context: { 'dreamqueue:workerMaxTasks': 'many' } });
    expect(() => settingsFromContext(app.node)).toThrow('dreamqueue:workerMaxTasks must be a number');
  });

  it.each([
    [{ mmeMinInstances: 0 }, 'cannot scale to zero'],
    [{ mmePrefix: 'models' }, 'mmePrefix must be a key prefix'],
    [{ apiBaseUrl: 'http://insecure.example.com' }, 'apiBaseUrl must be https://host'],
    [{ adminAllowCidrs: ['1.0.0.0/8', '2.0.0.0/8', '3.0.0.0/8', '4.0.0.0/8'] }, 'at most 3 CIDRs'],
    [{ workerMinTasks: 5, workerMaxTasks: 2 }, 'workerMaxTasks must be ≥ workerMinTasks'],
  ])('rejects %j', (override, message) => {
    expect(() => validateSettings({ ...DEFAULT_SETTINGS, ...override })).toThrow(message);
  });
});
