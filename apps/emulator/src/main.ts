import { createLogger } from '@dreamqueue/logger';
import { emulatorOptionsFromEnv } from './config';
import { startEmulator } from './emulator';

/**
 * `npm run emulator`: starts the emulator from the environment and prints where to point clients.
 * No `--openssl-legacy-provider` is needed here: s3rver runs in its own child process with that flag.
 */
async function main(): Promise<void> {
  const logger = createLogger({ name: 'emulator', level: process.env.LOG_LEVEL ?? 'info' });
  const options = emulatorOptionsFromEnv(process.env);
  const emulator = await startEmulator({ ...options, logger });
  logger.info(
    {
      s3Endpoint: emulator.s3Endpoint,
      runtimeEndpoint: emulator.runtimeEndpoint,
      bucket: emulator.bucket,
      trainingEndpoint: emulator.trainingEndpoint,
      mmeEndpoint: emulator.mmeEndpoint,
      timeScale: options.timeScale,
    },
    'emulator ready',
  );
  // One human-readable block for whoever started it by hand; the logger line above is for machines.
  process.stdout.write(
    [
      '',
      `  SageMaker (runtime + DescribeEndpoint): ${emulator.runtimeEndpoint}`,
      `  S3 (path style, keys S3RVER/S3RVER):     ${emulator.s3Endpoint}`,
      `  bucket ${emulator.bucket}, training endpoint ${emulator.trainingEndpoint}, MME ${emulator.mmeEndpoint} (models under ${emulator.mmePrefix})`,
      `  control: ${emulator.runtimeEndpoint}/_emulator/stats | ledger | faults | config | reset`,
      '',
      '  Paste into the shell of the api/worker:',
      `    export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER`,
      `    export AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME=${emulator.runtimeEndpoint} AWS_ENDPOINT_URL_SAGEMAKER=${emulator.runtimeEndpoint}`,
      `    export AWS_ENDPOINT_URL_S3=${emulator.s3Endpoint} S3_BUCKET=${emulator.bucket}`,
      `    export TRAINING_ENDPOINT=${emulator.trainingEndpoint} MME_ENDPOINT=${emulator.mmeEndpoint} MME_PREFIX=${emulator.mmePrefix}`,
      `    export AWS_REQUEST_CHECKSUM_CALCULATION=WHEN_REQUIRED AWS_RESPONSE_CHECKSUM_VALIDATION=WHEN_REQUIRED`,
      '',
    ].join('\n') + '\n',
  );
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'emulator shutting down');
    emulator.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'emulator shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`emulator failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
