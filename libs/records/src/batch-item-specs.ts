import { MAX_BATCH_SIZE, GenerateItem } from '@dreamqueue/contracts';

/**
 * Every accepted batch item's spec (index, prompt as sent — trigger phrase inserted —, negative prompt, seed)
 * is kept in S3 as NDJSON parts beside the batch, so a first-round chunk whose job BullMQ lost (removed by an
 * operator, or gone in a Redis crash) can be enqueued again with the same payload. One part per `addBulk`
 * group of 1 000 jobs: the API writes each part as the group is formed (memory stays flat), the reconciler
 * reads only the part of a lost chunk.
 */
export const ITEM_SPECS_PER_PART = 1_000 * MAX_BATCH_SIZE;

/** The part holding item `index`. */
export const itemSpecPart = (index: number) => Math.floor(index / ITEM_SPECS_PER_PART);

/** The reads the reconciler needs (an `ObjectStore` satisfies it). */
export interface ItemSpecSource {
  head(key: string): Promise<unknown>;
  get(key: string): Promise<Buffer>;
}

export function encodeItemSpecs(items: readonly GenerateItem[]): Buffer {
  let text = '';
  for (const i of items)
    text += `${JSON.stringify({ index: i.index, prompt: i.prompt, negativePrompt: i.negativePrompt, seed: i.seed })}\n`;
  return Buffer.from(text);
}

/** The specs of one part by item index; `undefined` when the part was never written (older batches). */
export async function readItemSpecs(
  source: ItemSpecSource,
  key: string,
): Promise<Map<number, GenerateItem> | undefined> {
  if (!(await source.head(key))) return undefined;
  const specs = new Map<number, GenerateItem>();
  for (const line of (await source.get(key)).toString('utf8').split('\n')) {
    if (line.trim() === '') continue;
    const item = GenerateItem.parse(JSON.parse(line));
    specs.set(item.index, item);
  }
  return specs;
}
