import { pack } from 'tar-stream';

export interface TarFile {
  name: string;
  data: Buffer;
}

/**
 * Packs the training input: photos and config.json at the root, regular files only, names built by the
 * server (`00.jpg`…), fixed mtime so the same input always gives the same bytes.
 */
export function buildTrainingTar(files: TarFile[]): Promise<Buffer> {
  const tar = pack();
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    tar.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
    tar.on('end', () => resolve(Buffer.concat(chunks)));
    tar.on('error', reject);
  });
  for (const file of files) {
    if (!/^[a-z0-9][a-z0-9._-]*$/.test(file.name))
      throw new Error(`Unsafe tar entry name ${JSON.stringify(file.name)}`);
    tar.entry({ name: file.name, size: file.data.length, mode: 0o644, mtime: new Date(0), type: 'file' }, file.data);
  }
  tar.finalize();
  return done;
}
