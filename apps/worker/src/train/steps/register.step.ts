import { targetModelName, type StoredObject } from '@dreamqueue/storage';
import { TrainingFailure, type StepInput, type StepOutcome, type TrainStepDeps } from '../train-context';

/**
 * register: copies the artifact the container wrote (under its own name) to the name the server builds
 * from (tenant, model, version) in the MME prefix. Never overwrites: an existing target that was copied
 * from this very source (the source's ETag recorded on the copy, same size) is a resumed copy; anything
 * else there is a bug and the training fails. ETags alone cannot tell: the container's upload is multipart
 * above 8 MB (`<md5>-<parts>`) and S3 gives the copy the plain MD5. The container's copy is removed once the
 * target exists.
 */
export async function registerStep(ports: TrainStepDeps, input: StepInput): Promise<StepOutcome> {
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
    if (original && !isCopyOf(target, original)) {
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

function isCopyOf(target: StoredObject, source: StoredObject): boolean {
  const recorded = target.copiedFrom ?? target.etag; // a target without the record: an older plain copy
  return recorded === source.etag && target.size === source.size;
}
