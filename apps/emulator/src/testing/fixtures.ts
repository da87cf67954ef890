import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { InvokeEndpointCommand, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { SETUP_MODEL, setupRequestBody } from '@dreamqueue/contracts';
import sharp from 'sharp';
import { type RunningEmulator } from '../emulator';
import { type Rgb } from '../model/artifact';
import { packTar } from '../model/tar';

/** A small photo of one colour (with a little noise so it is a real image), as PNG or JPEG. */
export async function photo(rgb: Rgb, format: 'png' | 'jpeg' = 'png', size = 32): Promise<Buffer> {
  const image = sharp({
    create: { width: size, height: size, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } },
  });
  return format === 'png' ? image.png().toBuffer() : image.jpeg({ quality: 95, chromaSubsampling: '4:4:4' }).toBuffer();
}

/** A training tar with one photo per colour (alternating PNG/JPEG) and an optional config.json. */
export async function trainingTar(
  colours: Rgb[],
  options: { config?: unknown; extra?: { name: string; data: Buffer }[] } = {},
): Promise<Buffer> {
  const files = await Promise.all(
    colours.map(async (c, i) => ({
      name: `photo-${String(i).padStart(2, '0')}.${i % 2 ? 'jpg' : 'png'}`,
      data: await photo(c, i % 2 ? 'jpeg' : 'png'),
    })),
  );
  if (options.config !== undefined)
    files.push({ name: 'config.json', data: Buffer.from(JSON.stringify(options.config)) });
  return packTar([...files, ...(options.extra ?? [])]);
}

export async function putObject(
  s3: S3Client,
  emulator: RunningEmulator,
  key: string,
  body: Buffer | string,
): Promise<string> {
  await s3.send(new PutObjectCommand({ Bucket: emulator.bucket, Key: key, Body: body }));
  return `s3://${emulator.bucket}/${key}`;
}

/** Polls S3 until the object at an s3:// URI exists (as a worker would); fails after `timeoutMs`. */
export async function waitForObject(s3: S3Client, uri: string, timeoutMs = 10_000): Promise<Buffer> {
  const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri)!;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return Buffer.from(await out.Body!.transformToByteArray());
    } catch (err) {
      if ((err as Error).name !== 'NoSuchKey' || Date.now() > deadline) throw err;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Polls until `check` stops throwing (or returns true); fails with the last error after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface Row {
  prompt?: string;
  negativePrompt?: string;
  seed?: number;
  steps?: number;
  guidance?: number;
}

/** A KServe v2 generation body (docs/architecture.md, "The SageMaker contract") with defaults for omitted fields. */
export function generationBody(rows: Row[]): string {
  const n = rows.length;
  const tensor = (name: string, data: string[]) => ({ name, shape: [n, 1], datatype: 'BYTES', data });
  return JSON.stringify({
    inputs: [
      tensor(
        'prompt',
        rows.map((r) => r.prompt ?? 'photo of <<TOK>> as an astronaut'),
      ),
      tensor(
        'negative_prompt',
        rows.map((r) => r.negativePrompt ?? 'blurry'),
      ),
      tensor(
        'gen_args',
        rows.map((r) =>
          JSON.stringify({ num_inference_steps: r.steps ?? 50, guidance_scale: r.guidance ?? 7.5, seed: r.seed ?? 1 }),
        ),
      ),
    ],
  });
}

/** Invokes the MME and decodes the generated JPEGs. */
export async function generate(
  runtime: SageMakerRuntimeClient,
  emulator: RunningEmulator,
  targetModel: string,
  rows: Row[],
): Promise<Buffer[]> {
  const out = await runtime.send(
    new InvokeEndpointCommand({
      EndpointName: emulator.mmeEndpoint,
      TargetModel: targetModel,
      ContentType: 'application/octet-stream',
      Body: generationBody(rows),
    }),
  );
  const parsed = JSON.parse(Buffer.from(out.Body).toString('utf8')) as {
    outputs: { name: string; shape: number[]; data: string[] }[];
  };
  return parsed.outputs[0].data.map((b64) => Buffer.from(b64, 'base64'));
}

/** Invokes model_setup once per instance (round-robin routing reaches each). */
export async function bootstrap(
  runtime: SageMakerRuntimeClient,
  emulator: RunningEmulator,
  instances = 1,
): Promise<void> {
  for (let i = 0; i < instances; i++) {
    await runtime.send(
      new InvokeEndpointCommand({
        EndpointName: emulator.mmeEndpoint,
        TargetModel: SETUP_MODEL,
        Body: setupRequestBody(),
      }),
    );
  }
}

/** Runs `fn` and returns the error it throws (fails if it does not throw). */
export async function caught(
  fn: () => Promise<unknown>,
): Promise<Error & Record<string, unknown> & { $metadata: { httpStatusCode?: number } }> {
  try {
    await fn();
  } catch (err) {
    return err as Error & Record<string, unknown> & { $metadata: { httpStatusCode?: number } };
  }
  throw new Error('expected an error');
}

/** Whether two colours are within `tolerance` per channel (JPEG shifts colours slightly). */
export function near(a: Rgb, b: Rgb, tolerance = 6): boolean {
  return a.every((v, i) => Math.abs(v - b[i]) <= tolerance);
}
