import { packTar, readTar } from '../model/tar';

/** The trainer's own default when config.json is silent (tar_input.py CONFIG_DEFAULTS). */
const DEFAULT_STEPS = 1000;

/**
 * The training tar with `n_steps` in its config.json lowered to `maxSteps`: a CPU compute budget for the
 * containers backend (EMULATOR_CONTAINERS_MAX_STEPS), so a test trains for seconds whatever the API asked
 * for. Everything else is passed on byte for byte; a tar the emulator cannot read (or a config.json that
 * is not a JSON object) is passed on unchanged, for the handler to refuse as it would on SageMaker.
 */
export async function capTrainingSteps(input: Buffer, maxSteps: number): Promise<Buffer> {
  let entries;
  try {
    entries = await readTar(input);
  } catch {
    return input;
  }
  const files = entries.filter((e) => e.type === 'file');
  if (files.length !== entries.filter((e) => e.type !== 'directory').length) return input;
  const configFile = files.find((f) => f.name.replace(/^\.\//, '') === 'config.json');
  let config: Record<string, unknown> = {};
  if (configFile) {
    try {
      config = JSON.parse(configFile.data.toString('utf8')) as Record<string, unknown>;
    } catch {
      return input;
    }
    if (typeof config !== 'object' || config === null || Array.isArray(config)) return input;
  }
  const steps = typeof config.n_steps === 'number' ? config.n_steps : DEFAULT_STEPS;
  if (steps <= maxSteps) return input;
  const capped = Buffer.from(JSON.stringify({ ...config, n_steps: maxSteps }));
  const rest = files.filter((f) => f !== configFile).map((f) => ({ name: f.name, data: f.data }));
  return packTar([...rest, { name: 'config.json', data: capped }]);
}
