import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keySafeId, type TrainingRequest } from './training-request';

/**
 * Accepted trainings on disk (one JSON file each) until they finish, so an emulator restarted on the same
 * data directory resumes them, as SageMaker's internal queue survives client restarts. A training
 * interrupted mid-run starts over; its TTL still counts from when it was first accepted.
 */
export class PendingTrainings {
  private readonly files = new WeakMap<TrainingRequest, string>();

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  save(request: TrainingRequest): void {
    const file = join(
      this.dir,
      `${keySafeId(request.inferenceId)}-${request.receivedAt}-${randomBytes(3).toString('hex')}.json`,
    );
    writeFileSync(file, JSON.stringify(request));
    this.files.set(request, file);
  }

  remove(request: TrainingRequest): void {
    const file = this.files.get(request);
    if (file) rmSync(file, { force: true });
  }

  /** Requests left by a previous run, oldest first. Unreadable files are skipped (and reported). */
  load(onBadFile: (file: string, err: unknown) => void): TrainingRequest[] {
    const requests: TrainingRequest[] = [];
    for (const name of readdirSync(this.dir).filter((n) => n.endsWith('.json'))) {
      const file = join(this.dir, name);
      try {
        const request = JSON.parse(readFileSync(file, 'utf8')) as TrainingRequest;
        this.files.set(request, file);
        requests.push(request);
      } catch (err) {
        onBadFile(file, err);
      }
    }
    return requests.sort((a, b) => a.receivedAt - b.receivedAt);
  }
}
