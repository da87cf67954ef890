import { FaultInjector } from './fault-injector';
import { parseFaultRules } from './fault-rule';

describe('FaultInjector', () => {
  const decisions = (injector: FaultInjector, n: number) =>
    Array.from({ length: n }, () => injector.decide('invoke')?.error ?? 'ok');

  it('replays the same decisions for the same seed, and differs for another seed', () => {
    const rules = [{ op: 'invoke' as const, error: 'ThrottlingException' as const, rate: 0.3 }];
    const first = decisions(new FaultInjector(7, rules), 50);
    expect(decisions(new FaultInjector(7, rules), 50)).toEqual(first);
    expect(decisions(new FaultInjector(8, rules), 50)).not.toEqual(first);
    expect(first.filter((d) => d !== 'ok').length).toBeGreaterThan(5);
  });

  it('fires at most count times and re-seeds when rules are replaced', () => {
    const injector = new FaultInjector(1, [
      { op: 'invoke', error: 'ModelError', rate: 1, count: 2, originalStatusCode: 507 },
    ]);
    expect(decisions(injector, 4)).toEqual(['ModelError', 'ModelError', 'ok', 'ok']);
    expect(injector.firedCounts()).toEqual({ 'invoke:ModelError': 2 });
    injector.setRules(injector.getRules());
    expect(injector.decide('invoke')).toEqual({ error: 'ModelError', originalStatusCode: 507, latencyMs: 0 });
  });

  it('matches op and targetModel, and adds latency-only rules', () => {
    const injector = new FaultInjector(1, [
      { op: 'invoke', rate: 1, latencyMs: 250 },
      { op: 'invoke', error: 'ModelError', rate: 1, targetModel: 'a.tar.gz' },
    ]);
    expect(injector.decide('invokeAsync')).toBeUndefined();
    expect(injector.decide('invoke', { targetModel: 'b.tar.gz' })).toEqual({ latencyMs: 250 });
    expect(injector.decide('invoke', { targetModel: 'a.tar.gz' })).toMatchObject({
      error: 'ModelError',
      latencyMs: 250,
    });
  });

  it('matches S3 rules by a part of the object key', () => {
    const injector = new FaultInjector(1, [
      { op: 's3:PutObject', error: 'InternalError', rate: 1, keyContains: '/photos/03.jpg' },
    ]);
    expect(injector.decide('s3:PutObject', { key: 'tenants/a/models/m/photos/02.jpg' })).toBeUndefined();
    expect(injector.decide('s3:PutObject', { key: 'tenants/a/models/m/photos/03.jpg' })).toMatchObject({
      error: 'InternalError',
    });
    expect(injector.decide('s3:PutObject')).toBeUndefined();
  });

  it('rejects rules whose error does not fit the operation, naming the allowed ones', () => {
    expect(() => parseFaultRules([{ op: 's3:GetObject', error: 'ModelError', rate: 1 }])).toThrow(
      /ModelError is not an error for s3:GetObject; use one of SlowDown, InternalError, ServiceUnavailable/,
    );
    expect(() => parseFaultRules([{ op: 'training', error: 'ThrottlingException', rate: 1 }])).toThrow(
      /TrainingFailed, NoOutput/,
    );
    expect(() => parseFaultRules([{ op: 'invoke', error: 'ModelError', rate: 2 }])).toThrow(/rate/);
    expect(() => parseFaultRules([{ op: 'invoke', rate: 1 }])).toThrow(/an error or latencyMs/);
    expect(() => parseFaultRules([{ op: 'invoke', error: 'ModelError', rate: 1, typo: true }])).toThrow(/typo/);
  });
});
