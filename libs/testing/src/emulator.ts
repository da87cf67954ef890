import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '@dreamqueue/emulator';
import { createLogger } from '@dreamqueue/logger';
import { track } from './leak-guard';

/** A running test emulator; `close()` also destroys clients built for it and removes its data dir. */
export interface TestEmulator extends RunningEmulator {
  dataDir: string;
}

/**
 * Fast defaults: 1 emulated second = 1 real ms, so a 300 s training takes 0.3 s and the 900 s default
 * invocation timeout 0.9 s. Cold loads (5 s) finish within the 60 s response limit, so calls wait and
 * succeed; tests about ModelNotReadyException raise `coldLoadSeconds` above 60.
 */
export const TEST_EMULATOR_DEFAULTS: Partial<EmulatorOptions> = {
  timeScale: 0.001,
  trainingSeconds: 300,
  coldLoadSeconds: 5,
  fixedLatencyMs: 100,
  perImageLatencyMs: 100,
};

const clients = new WeakMap<RunningEmulator, { destroy(): void }[]>();

/** Starts an emulator on free ports with a temporary data dir, tracked by the leak guard. */
export async function startTestEmulator(overrides: Partial<EmulatorOptions> = {}): Promise<TestEmulator> {
  const dataDir = overrides.dataDir ?? mkdtempSync(join(tmpdir(), 'dq-emulator-'));
  const ownsDir = overrides.dataDir === undefined;
  const logger = createLogger({ name: 'emulator', level: process.env.EMULATOR_LOG_LEVEL ?? 'silent' });
  const emulator = await startEmulator({
    logger,
    ...TEST_EMULATOR_DEFAULTS,
    ...overrides,
    dataDir,
    s3Port: overrides.s3Port ?? 0,
    runtimePort: overrides.runtimePort ?? 0,
  });
  const untrack = track(`emulator ${emulator.runtimeEndpoint}`);
  const list: { destroy(): void }[] = [];
  const test: TestEmulator = {
    ...emulator,
    dataDir,
    async close() {
      for (const client of list.splice(0)) client.destroy();
      await emulator.close();
      if (ownsDir) rmSync(dataDir, { recursive: true, force: true });
      untrack();
    },
  };
  clients.set(test, list);
  return test;
}

const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

function remember<T extends { destroy(): void }>(emulator: RunningEmulator, client: T): T {
  clients.get(emulator)?.push(client);
  return client;
}

/**
 * A real S3 client for the emulator (path style, WHEN_REQUIRED checksums). Keeps the
 * SDK's 3 attempts unless told otherwise; pass `maxAttempts: 1` to see injected S3 faults directly.
 */
export function s3ClientFor(emulator: RunningEmulator, options: { maxAttempts?: number } = {}): S3Client {
  return remember(
    emulator,
    new S3Client({
      region: 'us-east-1',
      ...(options.maxAttempts !== undefined && { maxAttempts: options.maxAttempts }),
      endpoint: emulator.s3Endpoint,
      forcePathStyle: true,
      credentials: CREDENTIALS,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
  );
}

/** A real SageMaker Runtime client; `maxAttempts` defaults to 1 so tests see every emulator answer. */
export function sageMakerRuntimeClientFor(
  emulator: RunningEmulator,
  options: { maxAttempts?: number } = {},
): SageMakerRuntimeClient {
  return remember(
    emulator,
    new SageMakerRuntimeClient({
      region: 'us-east-1',
      endpoint: emulator.runtimeEndpoint,
      credentials: CREDENTIALS,
      maxAttempts: options.maxAttempts ?? 1,
    }),
  );
}

/** A real SageMaker (control plane) client, for DescribeEndpoint and its waiter. */
export function sageMakerClientFor(emulator: RunningEmulator, options: { maxAttempts?: number } = {}): SageMakerClient {
  return remember(
    emulator,
    new SageMakerClient({
      region: 'us-east-1',
      endpoint: emulator.runtimeEndpoint,
      credentials: CREDENTIALS,
      maxAttempts: options.maxAttempts ?? 1,
    }),
  );
}
