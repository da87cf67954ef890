import { type Redis } from 'ioredis';
import { runScript } from '@dreamqueue/redis';

export interface StreamTrimResult {
  removed: number;
  length: number;
  /** The consumer group whose unacknowledged entries stopped the trim ('' when none did). */
  heldBy: string;
}

/**
 * Trims the deployment-wide event stream to about `keep` entries without passing any entry a consumer
 * group has not acknowledged (see scripts/trim-acknowledged-stream-1.lua). A MAXLEN on XADD would drop
 * the unread events of a group that fell behind: their webhooks would be lost without a trace.
 */
export async function trimAcknowledged(
  redis: Redis,
  stream: string,
  keep: number,
  maxRemovedPerCall = 10_000,
): Promise<StreamTrimResult> {
  const [removed, length, heldBy] = await runScript<[number, number, string]>(
    redis,
    'trim-acknowledged-stream-1',
    [stream],
    [Math.max(1, keep), maxRemovedPerCall],
  );
  return { removed, length, heldBy };
}
