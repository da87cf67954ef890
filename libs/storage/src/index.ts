export { keys, parseS3Uri, targetModelName, TARGET_MODEL_PATTERN, toS3Uri, type S3Location } from './keys';
export { isNotFound, S3ObjectStore, type ObjectStore, type PresignedUrl, type StoredObject } from './object-store';
