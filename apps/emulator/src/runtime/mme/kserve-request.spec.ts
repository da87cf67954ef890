import { readVector } from '@dreamqueue/contracts';
import { KServeInputError, parseGenerationRequest } from './kserve-request';

const tensor = (name: string, data: string[], shape = [data.length, 1], datatype = 'BYTES') => ({
  name,
  shape,
  datatype,
  data,
});
const args = (seed: number) => JSON.stringify({ num_inference_steps: 30, guidance_scale: 7.5, seed });
const body = (inputs: unknown[]) => Buffer.from(JSON.stringify({ inputs }));

describe('parseGenerationRequest', () => {
  it('reads [N,1] BYTES tensors into rows', () => {
    const rows = parseGenerationRequest(
      body([
        tensor('prompt', ['a', 'b']),
        tensor('negative_prompt', ['x', 'y']),
        tensor('gen_args', [args(1), args(2)]),
      ]),
    );
    expect(rows).toEqual([
      { prompt: 'a', negativePrompt: 'x', seed: 1, steps: 30, guidance: 7.5 },
      { prompt: 'b', negativePrompt: 'y', seed: 2, steps: 30, guidance: 7.5 },
    ]);
  });

  it.each([
    [
      'a wrong datatype',
      [tensor('prompt', ['a'], [1, 1], 'FP32'), tensor('negative_prompt', ['x']), tensor('gen_args', [args(1)])],
      /datatype BYTES/,
    ],
    [
      'a shape that does not match the data',
      [tensor('prompt', ['a'], [2, 1]), tensor('negative_prompt', ['x']), tensor('gen_args', [args(1)])],
      /shape \[N,1\]/,
    ],
    [
      'an extra input',
      [
        tensor('prompt', ['a']),
        tensor('negative_prompt', ['x']),
        tensor('gen_args', [args(1)]),
        tensor('width', ['512']),
      ],
      /unexpected input\(s\): width/,
    ],
    ['an empty batch', [tensor('prompt', []), tensor('negative_prompt', []), tensor('gen_args', [])], /at least 1/],
    [
      'unknown gen_args keys',
      [
        tensor('prompt', ['a']),
        tensor('negative_prompt', ['x']),
        tensor('gen_args', ['{"num_inference_steps":1,"guidance_scale":1,"seed":1,"eta":0}']),
      ],
      /unknown key\(s\) eta/,
    ],
    [
      'a fractional seed',
      [
        tensor('prompt', ['a']),
        tensor('negative_prompt', ['x']),
        tensor('gen_args', ['{"num_inference_steps":1,"guidance_scale":1,"seed":1.5}']),
      ],
      /seed/,
    ],
  ])('rejects %s', (_case, inputs, message) => {
    expect(() => parseGenerationRequest(body(inputs))).toThrow(KServeInputError);
    expect(() => parseGenerationRequest(body(inputs))).toThrow(message);
  });

  it('reads the rows of the vector request and refuses the vector rejections (kserve-generation.json)', () => {
    const vector = readVector('kserve-generation');
    expect(parseGenerationRequest(Buffer.from(JSON.stringify(vector.request)))).toEqual(vector.rows);
    for (const rejected of vector.rejected) {
      expect(() => parseGenerationRequest(Buffer.from(JSON.stringify(rejected.request)))).toThrow(KServeInputError);
    }
  });
});
