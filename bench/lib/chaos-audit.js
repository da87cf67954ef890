// What the chaos run found, read from the durable records (the same stores the API reads) and from the
// emulator's ledger: each accepted unit is succeeded, failed (with its code) or lost.
'use strict';

const TERMINAL_GENERATION = new Set(['succeeded', 'failed', 'expired', 'canceled']);
const TERMINAL_MODEL = new Set(['ready', 'failed', 'canceled', 'deleted']);

/** Counts per unit: one generation image, one batch item, one training. */
function emptyTally() {
  return { succeeded: 0, failed: {}, lost: 0, duplicateImages: 0, pending: [] };
}

function fail(tally, code, n = 1) {
  tally.failed[code] = (tally.failed[code] ?? 0) + n;
}

async function auditGenerations(stores, accepted, tally) {
  for (const g of accepted) {
    const record = await stores.generations.get(g.tenantId, g.id);
    if (!record || !TERMINAL_GENERATION.has(record.status)) {
      tally.lost += g.numImages;
      tally.pending.push(`${g.id}:${record?.status ?? 'missing'}`);
      continue;
    }
    const indices = new Set(record.images.map((i) => i.index));
    if (record.images.length !== indices.size || indices.size > g.numImages)
      tally.duplicateImages += record.images.length - Math.min(indices.size, g.numImages);
    if (record.status === 'succeeded') tally.succeeded += g.numImages;
    else fail(tally, record.error?.code ?? record.status, g.numImages);
  }
}

async function auditBatches(stores, accepted, tally) {
  for (const b of accepted) {
    const record = await stores.batches.get(b.tenantId, b.id);
    if (!record) {
      tally.lost += b.total;
      tally.pending.push(`${b.id}:missing`);
      continue;
    }
    const seen = new Map();
    for await (const item of stores.batches.items(b.tenantId, b.id, record.total)) {
      if (item.status === 'pending') continue;
      seen.set(item.index, item);
    }
    const counted = record.succeeded + record.failed + record.canceled;
    if (counted > record.total) tally.duplicateImages += counted - record.total;
    for (const item of seen.values()) {
      if (item.status === 'succeeded') tally.succeeded += 1;
      else fail(tally, item.error?.code ?? item.status);
    }
    const missing = record.total - seen.size;
    if (missing > 0 || record.status !== 'completed') {
      tally.lost += missing;
      tally.pending.push(`${b.id}:${record.status}:${missing} items pending`);
    }
  }
}

async function auditTrainings(stores, accepted, tally) {
  for (const m of accepted) {
    const record = await stores.models.get(m.tenantId, m.id);
    if (!record || !TERMINAL_MODEL.has(record.status)) {
      tally.lost += 1;
      tally.pending.push(`${m.id}:${record?.status ?? 'missing'}`);
    } else if (record.status === 'ready') tally.succeeded += 1;
    else fail(tally, `training_${record.status}`);
  }
}

/**
 * Training submissions beyond the documented window: the train step submits `train-<id>-1`, and once more
 * as `train-<id>-2` (and so on) only after TRAIN_CLAIM_STALE without an answer. The same inference id
 * accepted twice, or more submissions than the documented resubmissions, count as duplicates.
 */
function duplicateTrainingSubmissions(ledger, acceptedModels) {
  const ids = new Set(acceptedModels.map((m) => m.id));
  const perInference = new Map();
  for (const e of ledger) {
    if (e.op !== 'InvokeEndpointAsync' || e.outcome !== 'ok' || !e.inferenceId) continue;
    perInference.set(e.inferenceId, (perInference.get(e.inferenceId) ?? 0) + 1);
  }
  let duplicates = 0;
  const resubmitted = [];
  for (const [inferenceId, count] of perInference) {
    const match = /^train-(mdl_[a-z0-9]+)-(\d+)$/.exec(inferenceId);
    if (!match || !ids.has(match[1])) continue;
    duplicates += count - 1;
    if (Number(match[2]) > 1) resubmitted.push(inferenceId);
  }
  return { duplicates, resubmitted };
}

module.exports = { auditBatches, auditGenerations, auditTrainings, duplicateTrainingSubmissions, emptyTally };
