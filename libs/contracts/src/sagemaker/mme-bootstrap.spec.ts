import { readVector } from './vectors';
import { CONDA_PACK_MISSING, isBaseModelMissing, SETUP_MODEL, setupRequestBody } from './mme-bootstrap';

describe('the MME bootstrap contract (vectors model-setup.json, base-model-missing.json)', () => {
  const setup = readVector('model-setup');
  const missing = readVector('base-model-missing');

  it('invokes the setup model with the request model_setup/config.pbtxt accepts', () => {
    expect(SETUP_MODEL).toBe(setup.targetModel);
    expect(JSON.parse(setupRequestBody().toString('utf8'))).toEqual(setup.request);
  });

  it.each(missing.missing.map((c) => [c.name, c.error] as const))('recognises %s', (_name, error) => {
    expect(isBaseModelMissing(error)).toBe(true);
  });

  it.each(missing.other.map((c) => [c.name, c.error] as const))('does not mistake %s for it', (_name, error) => {
    expect(isBaseModelMissing(error)).toBe(false);
  });

  it("names the conda pack the way Triton's python backend reports it", () => {
    expect(missing.missing[0].error.OriginalMessage).toContain(CONDA_PACK_MISSING);
    expect(CONDA_PACK_MISSING).toContain(missing.condaPackPath);
  });
});
