import { idSchema, newId } from './ids';

describe('resource ids', () => {
  it('are prefixed, unique and accepted by their own schema only', () => {
    const a = newId('model');
    expect(a).toMatch(/^mdl_[a-z0-9]{20}$/);
    expect(newId('model')).not.toBe(a);
    expect(idSchema('model').safeParse(a).success).toBe(true);
    expect(idSchema('generation').safeParse(a).success).toBe(false);
  });

  it('stay unique and well formed across refills of the random pool', () => {
    const ids = Array.from({ length: 1000 }, () => newId('generation'));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^gen_[a-z0-9]{20}$/);
  });

  it('reject path tricks', () => {
    for (const bad of ['../mdl_x', 'mdl_../x', 'mdl_X', 'mdl_a/b', '']) {
      expect(idSchema('model').safeParse(bad).success).toBe(false);
    }
  });
});
