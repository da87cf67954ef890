import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Logger } from '@dreamqueue/logger';
import { PythonProcess } from './python-process';
import { capTrainingSteps } from './step-cap';

/** The repository root, from src/ (Jest) and dist/ (built) alike. */
const REPO_ROOT = resolve(__dirname, '..', '..', '..', '..');
const SCRIPT = join(REPO_ROOT, 'containers', 'testing', 'emulator_backend.py');
/** The .venv containers/tools/python-env.sh creates (torch, diffusers, peft, boto3). */
export const DEFAULT_PYTHON = join(REPO_ROOT, '.venv', 'bin', 'python');

export interface ContainerBackendOptions {
  python: string;
  workDir: string;
  s3Endpoint: string;
  bucket: string;
  mmePrefix: string;
  /** Lowers each training's n_steps to this (0: as asked). */
  maxSteps: number;
  logger: Logger;
}

/** What the DJL handler answered: its status code and JSON body. */
export interface TrainingAnswer {
  code: number;
  body: unknown;
  message: string;
}

export type LoadAnswer = { loaded: true } | { loadError: string };

export interface InferAnswer {
  status: number;
  body: unknown;
}

/**
 * The real containers' code behind the emulator's endpoints (EMULATOR_BACKEND=containers): one Python
 * process for the training endpoint's DJL handler and one for the MME's Triton backends, so a training
 * never stalls generations. Data passes as files under `workDir`; the artifact upload goes to the
 * emulator's S3 through boto3, as on SageMaker.
 */
export class ContainerBackend {
  private readonly training: PythonProcess;
  private readonly mme: PythonProcess;
  private readonly downloads: string;

  private constructor(private readonly options: ContainerBackendOptions) {
    if (!existsSync(options.python)) {
      throw new Error(
        `EMULATOR_BACKEND=containers needs the Python environment at ${options.python}: run \`bash containers/tools/python-env.sh\` (or set EMULATOR_PYTHON).`,
      );
    }
    mkdirSync(options.workDir, { recursive: true });
    this.downloads = join(options.workDir, 'downloads');
    mkdirSync(this.downloads, { recursive: true });
    writeFileSync(join(options.workDir, 'aws-config'), '[default]\ns3 =\n  addressing_style = path\n');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_ENDPOINT_URL_S3: options.s3Endpoint,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_CONFIG_FILE: join(options.workDir, 'aws-config'),
      // s3rver stores aws-chunked framing as data (wire reference §7.1): checksums only when required.
      AWS_REQUEST_CHECKSUM_CALCULATION: 'when_required',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'when_required',
      OPTION_S3_BUCKET: options.bucket,
      OPTION_MME_PREFIX: options.mmePrefix,
      OMP_NUM_THREADS: process.env.OMP_NUM_THREADS ?? '2',
      PYTHONDONTWRITEBYTECODE: '1', // no __pycache__ in the source tree
    };
    this.training = new PythonProcess(options.python, SCRIPT, env, 'training', options.logger);
    this.mme = new PythonProcess(options.python, SCRIPT, env, 'mme', options.logger);
  }

  /** Starts both processes and builds the tiny pipeline and the real model_setup archive (once per dir). */
  static async start(options: ContainerBackendOptions): Promise<{ backend: ContainerBackend; setupArchive: string }> {
    const backend = new ContainerBackend(options);
    try {
      const prepared = await backend.training.request<{ baseModel: string; setupArchive: string }>('prepare', {
        workDir: options.workDir,
      });
      await backend.mme.request('prepare', { workDir: options.workDir });
      backend.baseModel = prepared.baseModel;
      return { backend, setupArchive: prepared.setupArchive };
    } catch (err) {
      await backend.close();
      throw err;
    }
  }

  private baseModel = '';

  /** One training: the DJL handler on the input tar's bytes, with serving.properties' model_id the tiny pipeline. */
  async train(input: Buffer): Promise<TrainingAnswer> {
    const file = this.file(
      'input',
      this.options.maxSteps > 0 ? await capTrainingSteps(input, this.options.maxSteps) : input,
    );
    try {
      return await this.training.request<TrainingAnswer>('train', {
        input: file,
        properties: { model_id: this.baseModel, s3_bucket: this.options.bucket, mme_prefix: this.options.mmePrefix },
      });
    } finally {
      rmSync(file, { force: true });
    }
  }

  /** Loads an MME model archive (downloaded bytes) on an instance, as Triton loads a TargetModel. */
  async load(instance: number, model: string, archive: Buffer): Promise<LoadAnswer> {
    const file = this.file('model', archive);
    try {
      return await this.mme.request<LoadAnswer>('load', { instance, model, archive: file });
    } finally {
      rmSync(file, { force: true });
    }
  }

  infer(instance: number, model: string, body: unknown): Promise<InferAnswer> {
    return this.mme.request<InferAnswer>('infer', { instance, model, body });
  }

  async unload(instance: number, model: string): Promise<void> {
    await this.mme.request('unload', { instance, model });
  }

  async close(): Promise<void> {
    await Promise.all([this.training.close(), this.mme.close()]);
  }

  private file(kind: string, data: Buffer): string {
    const path = join(this.downloads, `${kind}-${randomBytes(6).toString('hex')}`);
    writeFileSync(path, data);
    return path;
  }
}

/**
 * Set once the emulator's ports are open (the Python side needs the S3 endpoint); unset in the default
 * synthetic mode. Endpoints read it on every call.
 */
export interface ContainerBackendRef {
  backend?: ContainerBackend;
}
