import { createHash } from 'node:crypto';

/** Virtual nodes per instance: enough to spread a few hundred models evenly over a handful of instances. */
const VNODES = 64;

/**
 * Maps a key to one of `count` instances so that the same TargetModel always lands on the same instance
 * (as SageMaker's MME routing keeps a model's cache warm) and adding instances moves few keys.
 */
export class ConsistentHashRing {
  private readonly ring: { point: number; instance: number }[] = [];

  constructor(count: number) {
    for (let instance = 0; instance < count; instance++) {
      for (let v = 0; v < VNODES; v++) this.ring.push({ point: hash32(`${instance}#${v}`), instance });
    }
    this.ring.sort((a, b) => a.point - b.point);
  }

  instanceFor(key: string): number {
    const point = hash32(key);
    let lo = 0;
    let hi = this.ring.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ring[mid].point < point) lo = mid + 1;
      else hi = mid;
    }
    return this.ring[lo % this.ring.length].instance;
  }
}

function hash32(text: string): number {
  return createHash('md5').update(text).digest().readUInt32BE(0);
}
