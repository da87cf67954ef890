import { MmeInstance } from './mme-instance';
import { routeRequest } from './mme-router';
import { assertSafeTargetModel } from './target-model';
import { type LoadedModel } from './mme-instance';

const model = {
  description: { format: 'dreamqueue-emulator-lora/1', id: 'x', palette: [[0, 0, 0]], config: {} },
  etag: 'e',
  readyAt: 0,
} as LoadedModel;

describe('MME routing and caching', () => {
  const fleet = () => [new MmeInstance(0), new MmeInstance(1), new MmeInstance(2)];

  it('routes a model to an instance that holds it while that instance has a free slot', () => {
    const instances = fleet();
    instances[1].add('a', model, 8);
    instances[1].busy = 3;
    expect(routeRequest(instances, 'a', 4)?.id).toBe(1);
  });

  it('loads a model on a further instance when the instances holding it are busy', () => {
    const instances = fleet();
    instances[1].add('a', model, 8);
    instances[1].busy = 4;
    instances[0].busy = 2;
    expect(routeRequest(instances, 'a', 4)?.id).toBe(2);
  });

  it('places a model held nowhere on the least busy instance, then the one with most free memory', () => {
    const instances = fleet();
    instances[0].busy = 1;
    instances[1].add('x', model, 8);
    expect(routeRequest(instances, 'a', 4)?.id).toBe(2);
    // Every slot busy: the load still starts (it takes no slot), on the instance with least outstanding.
    for (const i of instances) i.busy = 4;
    instances[2].waitingForLoad = 1;
    expect(routeRequest(instances, 'a', 4)?.id).toBe(0);
  });

  it('sends concurrent first calls for one model to the instance the first was routed to', () => {
    const instances = fleet();
    const done = instances[2].routedHere('a'); // the first call is still checking the artifact
    instances[2].waitingForLoad = 1;
    expect(routeRequest(instances, 'a', 4)?.id).toBe(2);
    done();
    instances[2].waitingForLoad = 0;
    instances[0].busy = 1;
    instances[2].busy = 1;
    expect(routeRequest(instances, 'a', 4)?.id).toBe(1); // held nowhere again: the least busy instance
  });

  it('throttles when every instance that could serve a held model is busy', () => {
    const instances = fleet();
    instances[0].add('a', model, 8);
    for (const i of instances) i.busy = 4;
    expect(routeRequest(instances, 'a', 4)).toBeUndefined();
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
