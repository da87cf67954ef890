import { packTar } from './tar';

/**
 * The stand-in for the guidance's model_setup.tar.gz (conda pack + base model). Only its presence matters:
 * invoking it bootstraps an instance.
 */
export function buildSetupArtifact(): Promise<Buffer> {
  const description = { format: 'dreamqueue-emulator-setup/1', baseModel: 'stabilityai/stable-diffusion-2-1-base' };
  return packTar([{ name: 'setup.json', data: Buffer.from(JSON.stringify(description)) }], true);
}
