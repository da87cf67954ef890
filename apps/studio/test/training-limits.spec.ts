import { z } from 'zod';
import { GenerationRequest, MAX_SEED, MODEL_PHOTOS, TrainingParams } from '@dreamqueue/contracts';
import { BOOLEAN_PARAMS, GENERATION_LIMITS, NUMBER_PARAMS, PHOTOS } from '../src/training-limits';

/** The studio's copy of the API's limits must match the schemas the API validates with. */
describe('the studio’s limits match the API contracts', () => {
  const schema = z.toJSONSchema(TrainingParams, { io: 'input' }) as {
    properties: Record<string, { minimum?: number; maximum?: number; default?: unknown; type?: string }>;
  };

  it.each(NUMBER_PARAMS.map((p) => [p.key, p] as const))('%s: same range and default', (key, param) => {
    const property = schema.properties[key]!;
    expect(property).toBeDefined();
    expect([param.min, param.max]).toEqual([property.minimum, property.maximum]);
    expect(param.default).toEqual(property.default);
    expect(param.integer).toBe(property.type === 'integer');
  });

  it.each(BOOLEAN_PARAMS.map((p) => [p.key, p] as const))('%s: same default', (key, param) => {
    expect(schema.properties[key]!.default).toBe(param.default);
  });

  it('every tuning parameter the API takes has a control', () => {
    const covered = [...NUMBER_PARAMS, ...BOOLEAN_PARAMS].map((p) => p.key as string).concat('classPrompt');
    expect(covered.sort()).toEqual(Object.keys(schema.properties).sort());
  });

  it('photo count and generation limits', () => {
    expect(PHOTOS).toEqual(MODEL_PHOTOS);
    const generation = z.toJSONSchema(GenerationRequest, { io: 'input' }) as {
      properties: Record<string, { minimum?: number; maximum?: number; default?: unknown }>;
    };
    for (const key of ['steps', 'guidance', 'numImages'] as const) {
      const p = generation.properties[key]!;
      expect([GENERATION_LIMITS[key].min, GENERATION_LIMITS[key].max]).toEqual([p.minimum, p.maximum]);
    }
    expect(GENERATION_LIMITS.seed.max).toBe(MAX_SEED);
  });
});
