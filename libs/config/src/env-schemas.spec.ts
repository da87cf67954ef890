import { z } from 'zod';
import { boolEnv, csvEnv, durationMs, intEnv, loadConfig } from './index';

const schema = z.object({
  FLAG: boolEnv(false),
  LIST: csvEnv(['a']),
  TIMEOUT: durationMs('30s'),
  PORT: intEnv(3000, 0, 65535),
});

describe('loadConfig', () => {
  it('applies defaults and coerces values', () => {
    expect(loadConfig(schema, {})).toEqual({ FLAG: false, LIST: ['a'], TIMEOUT: 30_000, PORT: 3000 });
    expect(loadConfig(schema, { FLAG: 'yes', LIST: 'x, y,,', TIMEOUT: '5m', PORT: '8080' })).toEqual({
      FLAG: true,
      LIST: ['x', 'y'],
      TIMEOUT: 300_000,
      PORT: 8080,
    });
  });

  it('returns a frozen object', () => {
    expect(Object.isFrozen(loadConfig(schema, {}))).toBe(true);
  });

  it('names every bad variable in one error', () => {
    expect(() => loadConfig(schema, { FLAG: 'maybe', TIMEOUT: 'soon', PORT: '70000' })).toThrow(
      /FLAG: expected true or false[\s\S]*TIMEOUT: expected a duration[\s\S]*PORT:/,
    );
  });
});
