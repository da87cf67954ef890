import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { type Rgb } from './artifact';

/** Everything an image depends on: the model (palette + version tag) and the generation parameters. */
export interface RenderParams {
  palette: Rgb[];
  /** Identifies the artifact version (its ETag or content hash), so a retrained model changes pixels. */
  modelTag: string;
  prompt: string;
  negativePrompt: string;
  seed: number;
  steps: number;
  guidance: number;
}

export const IMAGE_SIZE = 64;
/** Blocks are 8×8, aligned to JPEG's DCT blocks, and chroma is not subsampled: block colours survive. */
const BLOCK = 8;
const BLOCKS = IMAGE_SIZE / BLOCK;

/**
 * Renders a deterministic 64×64 JPEG. The top-left 8×8 block is always the palette's first colour
 * (see {@link dominantColour}); every other block takes a palette colour and a brightness shift chosen by a
 * hash of all parameters, so a different model, prompt, seed, step count or guidance changes the pixels.
 */
export async function renderImage(params: RenderParams): Promise<Buffer> {
  const digest = createHash('sha256')
    .update(
      JSON.stringify([
        params.modelTag,
        params.prompt,
        params.negativePrompt,
        params.seed,
        params.steps,
        params.guidance,
      ]),
    )
    .digest();
  const pixels = Buffer.alloc(IMAGE_SIZE * IMAGE_SIZE * 3);
  for (let by = 0; by < BLOCKS; by++) {
    for (let bx = 0; bx < BLOCKS; bx++) {
      fillBlock(pixels, bx, by, blockColour(params.palette, digest, by * BLOCKS + bx));
    }
  }
  return sharp(pixels, { raw: { width: IMAGE_SIZE, height: IMAGE_SIZE, channels: 3 } })
    .jpeg({ quality: 92, chromaSubsampling: '4:4:4' })
    .toBuffer();
}

function blockColour(palette: Rgb[], digest: Buffer, index: number): Rgb {
  if (index === 0) return palette[0];
  const byte = digest[index % digest.length] ^ digest[(index * 7) % digest.length] ^ index;
  const base = palette[byte % palette.length];
  const shift = (digest[(index * 13) % digest.length] % 97) - 48;
  return base.map((c) => Math.max(0, Math.min(255, c + shift))) as Rgb;
}

function fillBlock(pixels: Buffer, bx: number, by: number, [r, g, b]: Rgb): void {
  for (let y = by * BLOCK; y < (by + 1) * BLOCK; y++) {
    for (let x = bx * BLOCK; x < (bx + 1) * BLOCK; x++) {
      const offset = (y * IMAGE_SIZE + x) * 3;
      pixels[offset] = r;
      pixels[offset + 1] = g;
      pixels[offset + 2] = b;
    }
  }
}

/**
 * The colour an image was painted from: the mean of its top-left 8×8 block, which {@link renderImage}
 * fills with the model's first palette colour. JPEG keeps it within a few units per channel.
 */
export async function dominantColour(jpeg: Buffer): Promise<Rgb> {
  const { data, info } = await sharp(jpeg)
    .extract({ left: 0, top: 0, width: BLOCK, height: BLOCK })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const sums = [0, 0, 0];
  for (let i = 0; i < data.length; i += info.channels) {
    for (let c = 0; c < 3; c++) sums[c] += data[i + c];
  }
  const n = data.length / info.channels;
  return sums.map((s) => Math.round(s / n)) as Rgb;
}

/** Mean RGB of a decodable image (a training photo's palette entry). */
export async function meanColour(image: Buffer): Promise<Rgb> {
  const { channels } = await sharp(image).stats();
  return [0, 1, 2].map((c) => Math.round(channels[Math.min(c, channels.length - 1)].mean)) as Rgb;
}
