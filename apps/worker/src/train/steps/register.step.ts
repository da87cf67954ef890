import { targetModelName } from '@dreamqueue/storage';
import { TrainingFailure, type StepInput, type StepOutcome, type StepPorts } from '../train-context';

/**
 * register: copies the artifact the container wrote (under its own name) to the name the server builds
 * from (tenant, model, version) in the MME prefix. Never overwrites: an existing target with the same
 * ETag is a resumed copy; with another ETag it is a bug and the training fails. The container's copy is
 * removed once the target exists.
 */
export async function registerStep(ports: StepPorts, input: StepInput): Promise<StepOutcome> {
  const { model, checkpoint } = input;
  const source = checkpoint.trainedArtifact;
  if (!source) throw new TrainingFailure('No trained artifact to register.');
  const targetModel = targetModelName(model.tenantId, model.id, model.version);
  const targetKey = `${ports.settings.mmePrefix}${targetModel}`;
  const [target, original] = await Promise.all([
    ports.objects.head(targetKey, input.signal),
    ports.objects.head(source, input.signal),
  ]);
  let etag: string;
  if (target) {
    if (original && original.etag !== target.etag) {
      throw new TrainingFailure(
        `The artifact name ${targetModel} is already taken by different content; refusing to overwrite it.`,
      );
    }
    etag = target.etag;
  } else {
    if (!original) throw new TrainingFailure(`The trained artifact ${source} is missing from the model prefix.`);
    etag = (await ports.objects.copy(source, targetKey, input.signal)).etag;
  }
  if (original) await ports.objects.delete(source);
  return { next: 'warm', patch: { targetModel, targetEtag: etag }, progress: 85, log: `registered as ${targetModel}` };
}
