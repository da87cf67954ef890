import sharp from 'sharp';
import { type Rgb } from '../../model/artifact';
import { meanColour } from '../../model/render-image';
import { readTar, type TarEntry } from '../../model/tar';
import { parseTrainingConfig, TRAINING_DEFAULTS, type TrainingConfig } from './training-config';

export const MIN_IMAGES = 3;
export const MAX_IMAGES = 20;
const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp'];
const DECODABLE_FORMATS = ['jpeg', 'png', 'webp'];
const JPEG_MAGIC = Buffer.from([0xff, 0xd8, 0xff]);
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface TrainingInput {
  /** Mean colour of each photo, in name order. */
  palette: Rgb[];
  config: TrainingConfig;
  imageNames: string[];
}

/** A reason the training container would refuse its input; written to the FailureLocation. */
export class TrainingInputError extends Error {
  override readonly name = 'TrainingInputError';
}

/**
 * Validates a training tar as the container would (containers/training/tar_input.py, same checks in the
 * same order, same messages): 3–20 images at the root whose content matches their extension, an optional
 * valid config.json, and nothing else (an unexpected file is reported, not skipped). The emulator also
 * decodes each image, which the container leaves to the trainer.
 */
export async function readTrainingInput(data: Buffer): Promise<TrainingInput> {
  let entries: TarEntry[];
  try {
    entries = await readTar(data);
  } catch (err) {
    throw new TrainingInputError(`input is not a readable tar archive: ${(err as Error).message}`);
  }
  const files = rootFiles(entries);
  const images = files.filter((f) => IMAGE_EXTENSIONS.some((ext) => f.name.toLowerCase().endsWith(ext)));
  const configFile = files.find((f) => f.name === 'config.json');
  const unexpected = files.filter((f) => f !== configFile && !images.includes(f));
  if (unexpected.length > 0) {
    throw new TrainingInputError(
      `unexpected file(s) in input: ${unexpected.map((f) => f.name).join(', ')}; only .jpg/.jpeg/.png/.webp images and config.json are allowed`,
    );
  }
  if (images.length < MIN_IMAGES || images.length > MAX_IMAGES) {
    throw new TrainingInputError(`expected ${MIN_IMAGES}-${MAX_IMAGES} images at the tar root, found ${images.length}`);
  }
  for (const image of images) checkMagic(image);
  images.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)); // code-point order, as Python's sorted()
  const config = configFile ? parseConfig(configFile.data) : TRAINING_DEFAULTS;
  const palette = await Promise.all(images.map((image) => decodeImage(image)));
  return { palette, config, imageNames: images.map((i) => i.name) };
}

/** Regular files at the root; './' prefixes are normalised, nested paths and links are errors. */
function rootFiles(entries: TarEntry[]): TarEntry[] {
  const files: TarEntry[] = [];
  for (const entry of entries) {
    const name = entry.name.replace(/^\.\//, '');
    if (entry.type === 'directory' && (name === '' || name === '.')) continue;
    if (entry.type !== 'file') throw new TrainingInputError(`unsupported tar entry ${entry.name} (${entry.type})`);
    if (name.includes('/')) throw new TrainingInputError(`images must be at the tar root, found ${entry.name}`);
    files.push({ ...entry, name });
  }
  return files;
}

function parseConfig(data: Buffer): TrainingConfig {
  try {
    return parseTrainingConfig(data);
  } catch (err) {
    throw new TrainingInputError((err as Error).message);
  }
}

/** The content, not the extension, decides: the magic bytes must match the extension's format. */
function checkMagic(image: TarEntry): void {
  const lower = image.name.toLowerCase();
  const body = image.data;
  let ok: boolean;
  if (lower.endsWith('.jpg') || lower.endsWith('.jpeg')) ok = body.subarray(0, 3).equals(JPEG_MAGIC);
  else if (lower.endsWith('.png')) ok = body.subarray(0, 8).equals(PNG_MAGIC);
  else ok = body.subarray(0, 4).toString('latin1') === 'RIFF' && body.subarray(8, 12).toString('latin1') === 'WEBP';
  if (!ok) {
    const format = lower.slice(lower.lastIndexOf('.') + 1).toUpperCase();
    throw new TrainingInputError(`image ${image.name} is not a ${format} file (content does not match)`);
  }
}

async function decodeImage(image: TarEntry): Promise<Rgb> {
  try {
    const meta = await sharp(image.data).metadata();
    if (!meta.format || !DECODABLE_FORMATS.includes(meta.format)) throw new Error(`format ${meta.format ?? 'unknown'}`);
    return await meanColour(image.data);
  } catch (err) {
    throw new TrainingInputError(`image ${image.name} cannot be decoded: ${(err as Error).message}`);
  }
}
