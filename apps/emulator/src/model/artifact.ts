import { z } from 'zod';
import { packTar, readTar } from './tar';

/** The single file inside an emulator LoRA artifact that describes the "trained" model. */
export const MODEL_FILE = 'model.json';
export const ARTIFACT_FORMAT = 'dreamqueue-emulator-lora/1';

const RgbSchema = z.tuple([
  z.number().int().min(0).max(255),
  z.number().int().min(0).max(255),
  z.number().int().min(0).max(255),
]);

export const ModelDescriptionSchema = z.object({
  format: z.literal(ARTIFACT_FORMAT),
  id: z.string().min(1),
  /** Mean colour of each training photo, in photo-name order: what generated images are painted with. */
  palette: z.array(RgbSchema).min(1).max(64),
  config: z.record(z.string(), z.unknown()).default({}),
  inferenceId: z.string().optional(),
  trainedAt: z.string().optional(),
});
export type ModelDescription = z.infer<typeof ModelDescriptionSchema>;

export type Rgb = [number, number, number];

/**
 * Builds a valid LoRA artifact tarball (gzip'd tar holding `model.json`), as the training endpoint writes
 * it; tests can place one in the MME prefix directly.
 */
export async function buildArtifact(model: {
  palette: Rgb[];
  id?: string;
  config?: Record<string, unknown>;
  inferenceId?: string;
}): Promise<Buffer> {
  const description: ModelDescription = ModelDescriptionSchema.parse({
    format: ARTIFACT_FORMAT,
    id: model.id ?? `model-${model.palette.flat().join('-')}`,
    palette: model.palette,
    config: model.config ?? {},
    inferenceId: model.inferenceId,
    trainedAt: new Date().toISOString(),
  });
  return packTar([{ name: MODEL_FILE, data: Buffer.from(JSON.stringify(description, null, 2)) }], true);
}

/** Reads an artifact; throws a readable reason when it is not a gzip'd tar with a valid `model.json`. */
export async function parseArtifact(data: Buffer): Promise<ModelDescription> {
  let entries;
  try {
    entries = await readTar(data);
  } catch (err) {
    throw new Error(`artifact is not a tar.gz archive (${(err as Error).message})`, { cause: err });
  }
  const file = entries.find((e) => e.name.replace(/^\.\//, '') === MODEL_FILE);
  if (!file) throw new Error(`artifact has no ${MODEL_FILE}`);
  let json: unknown;
  try {
    json = JSON.parse(file.data.toString('utf8'));
  } catch {
    throw new Error(`${MODEL_FILE} is not JSON`);
  }
  const parsed = ModelDescriptionSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${MODEL_FILE} is invalid: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
  return parsed.data;
}
