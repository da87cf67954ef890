import { trainerConfig } from '@dreamqueue/contracts';
import { keys } from '@dreamqueue/storage';
import { type StepInput, type StepOutcome, type TrainStepDeps } from '../train-context';
import { buildTrainingTar } from '../training-tar';

/**
 * prepare: gathers the stored photos into the training tar (photos + config.json with the trainer's
 * snake_case keys) at a server-built key. Deterministic key and content: a repeat overwrites itself.
 */
export async function prepareStep(ports: TrainStepDeps, input: StepInput): Promise<StepOutcome> {
  const { model } = input;
  const files = [];
  for (let i = 0; i < model.photoCount; i++) {
    const data = await ports.objects.get(keys.trainingPhoto(model.tenantId, model.id, i), input.signal);
    files.push({ name: `${String(i).padStart(2, '0')}.jpg`, data });
  }
  const config = trainerConfig(model.params, model.token, model.subjectClass);
  files.push({ name: 'config.json', data: Buffer.from(JSON.stringify(config, null, 2)) });
  const inputKey = keys.trainingInput(model.tenantId, model.id);
  const tar = await buildTrainingTar(files);
  await ports.objects.put(inputKey, tar, 'application/x-tar', input.signal);
  return {
    next: 'submit',
    patch: { inputKey },
    progress: 5,
    log: `training input written (${model.photoCount} photos, ${tar.length} bytes)`,
  };
}
