import { ConsistentHashRing } from './consistent-hash';
import { MmeInstance } from './mme-instance';
import { assertSafeTargetModel } from './target-model';
import { type LoadedModel } from './mme-instance';

const model = {
  description: { format: 'dreamqueue-emulator-lora/1', id: 'x', palette: [[0, 0, 0]], config: {} },
  etag: 'e',
  readyAt: 0,
} as LoadedModel;

describe('MME routing and caching', () => {
  it('maps a model to the same instance every time and spreads models over all instances', () => {
    const ring = new ConsistentHashRing(3);
    const keys = Array.from({ length: 60 }, (_, i) => `model-${i}.tar.gz`);
    expect(keys.map((k) => ring.instanceFor(k))).toEqual(keys.map((k) => new ConsistentHashRing(3).instanceFor(k)));
    expect(new Set(keys.map((k) => ring.instanceFor(k)))).toEqual(new Set([0, 1, 2]));
  });

  it('evicts the least recently used model beyond capacity', () => {
    const instance = new MmeInstance(0);
    expect(instance.add('a', model, 2)).toBe(0);
    instance.add('b', model, 2);
    instance.use('a');
    expect(instance.add('c', model, 2)).toBe(1);
    expect(instance.loadedModels()).toEqual(['a', 'c']);
  });

  it.each(['../x.tar.gz', '/abs.tar.gz', 'a//b.tar.gz', 'a/./b', 'sp ace.tar.gz', 'semi;colon', '', 'ünï.tar.gz'])(
    'rejects the unsafe TargetModel %j',
    (target) => {
      expect(() => assertSafeTargetModel(target)).toThrow(target === '' ? /required/ : /Invalid TargetModel/);
    },
  );

  it('accepts plain keys, including sub-folders', () => {
    expect(assertSafeTargetModel('abc123.tar.gz')).toBe('abc123.tar.gz');
    expect(assertSafeTargetModel('tenant-1/abc_1.tar.gz')).toBe('tenant-1/abc_1.tar.gz');
  });
});
