import { createHash } from 'node:crypto';
import sharp, { type Metadata } from 'sharp';

/** What every training photo must satisfy. */
export interface ImageRules {
  /** Decoded pixels (width × height), checked from the header before decoding. @defaultValue 40 000 000 */
  maxPixels: number;
  /** Shorter side, in pixels. @defaultValue 256 */
  minSide: number;
  /** Longer side of the stored copy; bigger photos are scaled down (the trainer crops to 512). @defaultValue 2048 */
  storedMaxSide: number;
}

export const DEFAULT_IMAGE_RULES: ImageRules = { maxPixels: 40_000_000, minSide: 256, storedMaxSide: 2048 };

export type ImageFormat = 'jpeg' | 'png' | 'webp';

export interface ImageProblem {
  index: number;
  code:
    | 'unsupported_image_type'
    | 'image_undecodable'
    | 'pixel_limit_exceeded'
    | 'image_too_small'
    | 'animated_image'
    | 'duplicate_image';
  reason: string;
}

export interface CheckedImage {
  index: number;
  /** Re-encoded JPEG without EXIF/GPS or any other metadata. */
  jpeg: Buffer;
  width: number;
  height: number;
  sourceFormat: ImageFormat;
}

/** The type from the first bytes, never from the part's Content-Type or file name. */
export function sniffImageType(bytes: Buffer): ImageFormat | 'svg' | 'gif' | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP')
    return 'webp';
  if (bytes.subarray(0, 4).toString('latin1') === 'GIF8') return 'gif';
  const head = bytes.subarray(0, 512).toString('utf8').trimStart().toLowerCase();
  if (head.startsWith('<?xml') || head.startsWith('<svg') || head.includes('<svg')) return 'svg';
  return undefined;
}

/** An animated PNG carries an `acTL` chunk before its first `IDAT`. */
function isAnimatedPng(bytes: Buffer): boolean {
  const idat = bytes.indexOf('IDAT', 8, 'latin1');
  const actl = bytes.indexOf('acTL', 8, 'latin1');
  return actl !== -1 && (idat === -1 || actl < idat);
}

/**
 * Checks one photo: type from magic bytes, dimensions from the header (a pixel bomb is refused before it is
 * decoded), single frame, decodable, big enough; then re-encodes it as JPEG, which drops EXIF (GPS) and
 * every other metadata block.
 */
export async function checkImage(
  index: number,
  bytes: Buffer,
  rules: ImageRules = DEFAULT_IMAGE_RULES,
): Promise<CheckedImage | ImageProblem> {
  const type = sniffImageType(bytes);
  if (type === 'svg')
    return { index, code: 'unsupported_image_type', reason: 'SVG images are not accepted; send JPEG, PNG or WebP.' };
  if (type === 'gif')
    return { index, code: 'unsupported_image_type', reason: 'GIF images are not accepted; send JPEG, PNG or WebP.' };
  if (!type)
    return {
      index,
      code: 'unsupported_image_type',
      reason: 'Not a JPEG, PNG or WebP image (checked from its content).',
    };

  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false, animated: true }).metadata();
  } catch {
    return { index, code: 'image_undecodable', reason: 'The image header cannot be read.' };
  }
  const width = meta.width ?? 0;
  const height = meta.pageHeight ?? meta.height ?? 0;
  if (width * height > rules.maxPixels) {
    return {
      index,
      code: 'pixel_limit_exceeded',
      reason: `${width}×${height} exceeds the limit of ${rules.maxPixels / 1e6} megapixels.`,
    };
  }
  if ((meta.pages ?? 1) > 1 || (type === 'png' && isAnimatedPng(bytes))) {
    return { index, code: 'animated_image', reason: 'Animated images are not accepted; send a single still photo.' };
  }
  if (Math.min(width, height) < rules.minSide) {
    return {
      index,
      code: 'image_too_small',
      reason: `${width}×${height} is smaller than ${rules.minSide}×${rules.minSide}.`,
    };
  }
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: rules.maxPixels, failOn: 'warning' })
      .rotate()
      .resize({ width: rules.storedMaxSide, height: rules.storedMaxSide, fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 92, chromaSubsampling: '4:4:4' })
      .toBuffer({ resolveWithObject: true });
    return { index, jpeg: data, width: info.width, height: info.height, sourceFormat: type };
  } catch {
    return { index, code: 'image_undecodable', reason: 'The image is truncated or corrupt and cannot be decoded.' };
  }
}

export const isProblem = (result: CheckedImage | ImageProblem): result is ImageProblem => 'code' in result;

/** Exact duplicates (same bytes) of an earlier photo in the same request. */
export function findDuplicates(images: { index: number; bytes: Buffer }[]): ImageProblem[] {
  const seen = new Map<string, number>();
  const problems: ImageProblem[] = [];
  for (const { index, bytes } of images) {
    const digest = createHash('sha256').update(bytes).digest('hex');
    const first = seen.get(digest);
    if (first === undefined) seen.set(digest, index);
    else
      problems.push({
        index,
        code: 'duplicate_image',
        // People count photos from 1; `index` (in details) counts from 0 like the upload's parts.
        reason: `An exact duplicate of photo #${first + 1} (index ${first}).`,
      });
  }
  return problems;
}
