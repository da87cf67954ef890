import { keys, parseS3Uri, targetModelName, TARGET_MODEL_PATTERN } from './keys';

describe('S3 keys', () => {
  it('keep every tenant object under tenants/{tenant}/', () => {
    expect(keys.trainingInput('acme', 'mdl_abc')).toBe('tenants/acme/models/mdl_abc/input.tar');
    expect(keys.generationImage('acme', 'gen_x', 3)).toBe('tenants/acme/generations/gen_x/3.jpg');
    expect(keys.batchItems('acme', 'bat_x', 2)).toBe('tenants/acme/batches/bat_x/items/2.ndjson');
  });

  it('refuse ids that could escape the tenant prefix', () => {
    expect(() => keys.trainingInput('acme', '../other')).toThrow(/Unsafe model id/);
    expect(() => keys.trainingInput('../x', 'mdl_a')).toThrow(/Unsafe tenant id/);
  });

  it('build flat, versioned TargetModel names', () => {
    const name = targetModelName('acme', 'mdl_abc', 2);
    expect(name).toBe('acme-mdl-abc-v2.tar.gz');
    expect(TARGET_MODEL_PATTERN.test(name)).toBe(true);
    expect(() => targetModelName('acme', 'mdl_a/../b', 1)).toThrow();
  });

  it('parse s3 URIs', () => {
    expect(parseS3Uri('s3://bkt/a/b.out')).toEqual({ bucket: 'bkt', key: 'a/b.out' });
    expect(() => parseS3Uri('https://x')).toThrow();
  });
});
