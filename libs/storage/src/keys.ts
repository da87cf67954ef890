/**
 * Every S3 key dreamqueue writes is built here, from server-side ids only, and lives under
 * `tenants/{tenant}/` — except MME artifacts, which must sit flat under the endpoint's model prefix.
 * User input (file names, display names) never reaches a key.
 */
const SAFE_SEGMENT = /^[a-z0-9][a-z0-9_-]{0,63}$/;

function segment(value: string, what: string): string {
  if (!SAFE_SEGMENT.test(value)) throw new Error(`Unsafe ${what} for an S3 key: ${JSON.stringify(value)}`);
  return value;
}

const tenantRoot = (tenantId: string) => `tenants/${segment(tenantId, 'tenant id')}`;

export const keys = {
  tenantRoot,
  /** A validated, re-encoded training photo. */
  trainingPhoto: (tenantId: string, modelId: string, index: number) =>
    `${tenantRoot(tenantId)}/models/${segment(modelId, 'model id')}/photos/${String(index).padStart(2, '0')}.jpg`,
  /** The tar the training endpoint reads (images + config.json). */
  trainingInput: (tenantId: string, modelId: string) =>
    `${tenantRoot(tenantId)}/models/${segment(modelId, 'model id')}/input.tar`,
  /** One generated image; deterministic so a retried upload overwrites itself instead of duplicating. */
  generationImage: (tenantId: string, generationId: string, index: number) =>
    `${tenantRoot(tenantId)}/generations/${segment(generationId, 'generation id')}/${index}.jpg`,
  batchImage: (tenantId: string, batchId: string, itemIndex: number) =>
    `${tenantRoot(tenantId)}/batches/${segment(batchId, 'batch id')}/images/${itemIndex}.jpg`,
  batchManifest: (tenantId: string, batchId: string) =>
    `${tenantRoot(tenantId)}/batches/${segment(batchId, 'batch id')}/manifest.ndjson`,
  /** Part `part` of the accepted items' specs (NDJSON), written at intake: lost first-round jobs are rebuilt from it. */
  batchItems: (tenantId: string, batchId: string, part: number) =>
    `${tenantRoot(tenantId)}/batches/${segment(batchId, 'batch id')}/items/${part}.ndjson`,
};

/** `TargetModel` names allowed on the MME: flat, lowercase, no path separators (a `../` would reach another tenant). */
export const TARGET_MODEL_PATTERN = /^[a-z0-9-]+\.tar\.gz$/;

/** The MME artifact name for (tenant, model, version): new versions get new names, never overwrites. */
export function targetModelName(tenantId: string, modelId: string, version: number): string {
  const name = `${segment(tenantId, 'tenant id')}-${segment(modelId, 'model id')}-v${version}.tar.gz`.replace(
    /_/g,
    '-',
  );
  if (!TARGET_MODEL_PATTERN.test(name)) throw new Error(`Invalid TargetModel ${name}`);
  return name;
}

export interface S3Location {
  bucket: string;
  key: string;
}

export function parseS3Uri(uri: string): S3Location {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match) throw new Error(`Not an s3:// URI: ${uri}`);
  return { bucket: match[1]!, key: match[2]! };
}

export const toS3Uri = ({ bucket, key }: S3Location) => `s3://${bucket}/${key}`;
