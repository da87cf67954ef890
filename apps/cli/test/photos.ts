import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

/** Writes `count` distinct solid-colour JPEGs (`size` px square) into `dir` as photo-01.jpg, photo-02.jpg, … */
export async function writePhotos(dir: string, count: number, size = 512): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const background = { r: (i * 53) % 256, g: (i * 97 + 40) % 256, b: (i * 151 + 80) % 256 };
    const bytes = await sharp({ create: { width: size, height: size, channels: 3, background } })
      .jpeg()
      .toBuffer();
    const file = join(dir, `photo-${String(i + 1).padStart(2, '0')}.jpg`);
    writeFileSync(file, bytes);
    files.push(file);
  }
  return files;
}
