import { createKeySpace } from './key-space';

describe('createKeySpace', () => {
  it('joins the parts after the hash-tagged prefix', () => {
    const keys = createKeySpace('{dq}');
    expect(keys.key('model', 't1', 'mdl_x')).toBe('{dq}:model:t1:mdl_x');
    expect(keys.key('events')).toBe('{dq}:events');
    expect(keys.key()).toBe('{dq}');
    expect(keys.queuePrefix).toBe('{dq}');
  });

  it('refuses a prefix that is not a Redis hash tag', () => {
    expect(() => createKeySpace('dq')).toThrow(/hash tag/);
  });
});
