/**
 * The LoRA model's KServe v2 JSON contract (docs/architecture.md, "The SageMaker contract"): three BYTES inputs of shape [N,1] — prompt,
 * negative_prompt and gen_args (a JSON string per row) — and one output `generated_image` of base64 JPEGs.
 */
export interface GenerationRow {
  prompt: string;
  negativePrompt: string;
  seed: number;
  steps: number;
  guidance: number;
}

interface KServeTensor {
  name: string;
  shape: number[];
  datatype: string;
  data: string[];
}

export function encodeGenerationRequest(rows: GenerationRow[]): Buffer {
  const n = rows.length;
  const tensor = (name: string, data: string[]): KServeTensor => ({ name, shape: [n, 1], datatype: 'BYTES', data });
  const body = {
    inputs: [
      tensor(
        'prompt',
        rows.map((r) => r.prompt),
      ),
      tensor(
        'negative_prompt',
        rows.map((r) => r.negativePrompt),
      ),
      tensor(
        'gen_args',
        rows.map((r) => JSON.stringify({ num_inference_steps: r.steps, guidance_scale: r.guidance, seed: r.seed })),
      ),
    ],
  };
  return Buffer.from(JSON.stringify(body));
}

/** Returns one JPEG per row, in row order; throws if the endpoint answered a different shape. */
export function decodeGenerationResponse(body: Buffer, expectedRows: number): Buffer[] {
  const parsed = JSON.parse(body.toString('utf8')) as { outputs?: KServeTensor[] };
  const images = parsed.outputs?.find((o) => o.name === 'generated_image');
  if (!images || !Array.isArray(images.data)) throw new Error('Response has no generated_image output');
  if (images.data.length !== expectedRows) {
    throw new Error(`Expected ${expectedRows} images, the endpoint returned ${images.data.length}`);
  }
  return images.data.map((b64) => Buffer.from(b64, 'base64'));
}
