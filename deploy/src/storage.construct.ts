import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Prefixes the stack grants on; the app builds every key under them (libs/storage keys.ts). */
export const PREFIXES = {
  /** Training photos, training tarballs, generated images and batch manifests: `tenants/{tenant}/…`. */
  tenants: 'tenants/',
  /** Async inference outputs (`{status, output_location}` JSON) and failures, written by SageMaker. */
  asyncOutput: 'async-output/',
  asyncFailures: 'async-failures/',
  /** The training code tarball the DJL container loads (ModelDataUrl of the training model). */
  code: 'code/',
} as const;

/** Tag the app puts on generated images and batch manifests so lifecycle can reach them under `tenants/{t}/`. */
export const GENERATED_TAG = { key: 'dq-retention', value: 'generated' } as const;

export interface StorageProps {
  generatedRetentionDays: number;
}

/**
 * The one bucket: SSE-S3, public access blocked, TLS-only (enforceSSL adds a deny on aws:SecureTransport=false).
 * Tenant keys embed the tenant id, so lifecycle rules that target generated output filter on an object tag
 * rather than on a prefix.
 */
export class Storage extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Models and photos are customer data: a stack deletion must not take them along.
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
        {
          id: 'generated-images-and-manifests',
          tagFilters: { [GENERATED_TAG.key]: GENERATED_TAG.value },
          // Standard-IA bills 30 days minimum: moving objects that expire soon after would cost more, not less.
          transitions:
            props.generatedRetentionDays >= 60
              ? [{ storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) }]
              : undefined,
          expiration: Duration.days(props.generatedRetentionDays),
        },
        // The worker copies what it needs out of these within minutes; a month covers any investigation.
        { id: 'async-output', prefix: PREFIXES.asyncOutput, expiration: Duration.days(30) },
        { id: 'async-failures', prefix: PREFIXES.asyncFailures, expiration: Duration.days(30) },
      ],
    });
  }

  /** `arn:…:bucket/<prefix>*` for IAM statements. */
  objectsUnder(prefix: string): string {
    return this.bucket.arnForObjects(`${prefix}*`);
  }

  s3Uri(prefix: string): string {
    return `s3://${this.bucket.bucketName}/${prefix}`;
  }
}
