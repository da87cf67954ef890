import { readVector } from '@dreamqueue/contracts';
import { decodeGenerationResponse, encodeGenerationRequest } from './kserve-codec';

describe('KServe v2 codec', () => {
  it('encodes rows as [N,1] BYTES tensors with per-row gen_args', () => {
    const body = JSON.parse(
      encodeGenerationRequest([
        { prompt: 'a', negativePrompt: '', seed: 1, steps: 30, guidance: 7.5 },
        { prompt: 'b', negativePrompt: 'blur', seed: 2, steps: 30, guidance: 7.5 },
      ]).toString(),
    );
    expect(body.inputs.map((t: { name: string }) => t.name)).toEqual(['prompt', 'negative_prompt', 'gen_args']);
    expect(body.inputs[0]).toEqual({ name: 'prompt', shape: [2, 1], datatype: 'BYTES', data: ['a', 'b'] });
    expect(JSON.parse(body.inputs[2].data[1])).toEqual({ num_inference_steps: 30, guidance_scale: 7.5, seed: 2 });
  });

  it('decodes base64 images and checks the row count', () => {
    const body = Buffer.from(
      JSON.stringify({
        outputs: [
          { name: 'generated_image', shape: [1, 1], datatype: 'BYTES', data: [Buffer.from('jpg').toString('base64')] },
        ],
      }),
    );
    expect(decodeGenerationResponse(body, 1)[0]!.toString()).toBe('jpg');
    expect(() => decodeGenerationResponse(body, 2)).toThrow(/Expected 2 images/);
  });

  it('writes exactly the vector request and decodes the vector response (kserve-generation.json)', () => {
    const vector = readVector('kserve-generation');
    expect(JSON.parse(encodeGenerationRequest(vector.rows).toString('utf8'))).toEqual(vector.request);
    const images = decodeGenerationResponse(Buffer.from(JSON.stringify(vector.response)), vector.rows.length);
    expect(images.map((i) => i.toString('base64'))).toEqual(vector.response.outputs[0].data);
    expect(images.every((i) => i.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff])))).toBe(true);
  });
});
