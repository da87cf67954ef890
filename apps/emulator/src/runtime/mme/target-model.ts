import { validationError } from '../runtime-error';

/* Keys stay inside the MME prefix: no traversal, no absolute paths, no control or shell-special characters. */
const SAFE_TARGET = /^[A-Za-z0-9][A-Za-z0-9._\-/]{0,1023}$/;

/** Rejects a TargetModel that could escape the model prefix or is not a plain S3 key. */
export function assertSafeTargetModel(targetModel: string | undefined): string {
  if (!targetModel) {
    throw validationError('TargetModel header is required when invoking a multi-model endpoint.');
  }
  const segments = targetModel.split('/');
  if (!SAFE_TARGET.test(targetModel) || segments.some((s) => s === '..' || s === '.' || s === '')) {
    throw validationError(`Invalid TargetModel "${targetModel}": it must be a key relative to the model prefix.`);
  }
  return targetModel;
}
