import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { type Job } from 'bullmq';
import { redactJobJson, redactValue } from './redact-job';

type Options = ConstructorParameters<typeof BullMQAdapter>[1];

/**
 * A BullMQ adapter whose jobs render redacted. `setFormatter` covers data and return values; failure
 * reasons and stack traces have no formatter hook, so each job's `toJSON` is wrapped as it is read.
 */
export class RedactingBullMQAdapter extends BullMQAdapter {
  constructor(queue: ConstructorParameters<typeof BullMQAdapter>[0], options?: Options) {
    super(queue, options);
    this.setFormatter('data', (data) => redactValue(data));
    this.setFormatter('returnValue', (value) => redactValue(value));
  }

  override async getJob(id: string): Promise<Job | undefined> {
    const job = await super.getJob(id);
    return job ? redacted(job) : job;
  }

  override async getJobs(...args: Parameters<BullMQAdapter['getJobs']>): Promise<Job[]> {
    return (await super.getJobs(...args)).map(redacted);
  }
}

function redacted(job: Job): Job {
  const toJSON = job.toJSON.bind(job);
  job.toJSON = () => redactJobJson(toJSON());
  return job;
}
