import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Typed access to the SageMaker wire contract's test vectors (`libs/contracts/vectors/*.json`, see the
 * README there). The files sit beside `src/` and `dist/`, so one relative path serves both; they are read
 * once per kind, synchronously, and never written.
 */
export interface KServeTensor {
  name: string;
  shape: number[];
  datatype: string;
  data: string[];
}

export interface KServeRequest {
  inputs: KServeTensor[];
}

export interface KServeResponse {
  model_name?: string;
  model_version?: string;
  outputs: KServeTensor[];
}

/** A file in a training tar: a JPEG from the vector's `jpegs`, text, or a JSON value. */
export type VectorTarFile =
  { name: string; jpeg: number } | { name: string; text: string } | { name: string; json: unknown };

export interface TrainingFailureObject {
  status: string;
  reason: string;
}

/** An error as the SDK surfaces it: `name`, HTTP status and the modeled ModelError fields. */
export interface VectorRuntimeError {
  name: string;
  status: number;
  message: string;
  OriginalStatusCode?: number;
  OriginalMessage?: string;
}

export interface ContractVectors {
  'training-config': {
    cases: {
      name: string;
      params: Record<string, unknown>;
      token: string;
      subjectClass: string;
      config: Record<string, string | number | boolean>;
    }[];
  };
  'training-output': {
    artifactNamePattern: string;
    completed: { status: string; output_location: string; training_seconds: number };
    bucket: string;
    mmePrefix: string;
    artifactKey: string;
  };
  'training-failure': {
    jpegs: string[];
    cases: { name: string; files: VectorTarFile[]; failure: TrainingFailureObject }[];
  };
  'kserve-generation': {
    rows: { prompt: string; negativePrompt: string; seed: number; steps: number; guidance: number }[];
    request: KServeRequest;
    response: KServeResponse;
    rejected: { name: string; request: KServeRequest }[];
  };
  'model-setup': {
    targetModel: string;
    request: KServeRequest;
    response: KServeResponse;
    rejected: { name: string; body: unknown; tritonError: string }[];
  };
  'base-model-missing': {
    condaPackPath: string;
    missing: { name: string; error: VectorRuntimeError }[];
    other: { name: string; error: VectorRuntimeError }[];
  };
}

export type VectorKind = keyof ContractVectors;

/** The folder holding the vector files. */
export const VECTORS_DIR = join(__dirname, '..', '..', 'vectors');

const cache = new Map<VectorKind, unknown>();

export function readVector<K extends VectorKind>(kind: K): ContractVectors[K] {
  if (!cache.has(kind)) cache.set(kind, JSON.parse(readFileSync(join(VECTORS_DIR, `${kind}.json`), 'utf8')));
  return cache.get(kind) as ContractVectors[K];
}

/** The bytes of one file of a training-failure case's tar. */
export function vectorFileBytes(file: VectorTarFile, jpegs: string[]): Buffer {
  if ('jpeg' in file) return Buffer.from(jpegs[file.jpeg], 'base64');
  if ('text' in file) return Buffer.from(file.text, 'utf8');
  return Buffer.from(JSON.stringify(file.json));
}
