export {
  EventLog,
  toStoredEvent,
  type EventLogOptions,
  type ResourceEvent,
  type ResourceType,
  type StoredEvent,
} from './event-log';
export { trimAcknowledged, type StreamTrimResult } from './event-stream-trim';
export { WebhookTargets } from './webhook-targets';
export {
  canTransition,
  isRunning,
  ModelStore,
  type ListPage,
  type ModelStoreOptions,
  type ModelRecord,
  type TransitionResult,
} from './model.store';
export {
  decodeCursor,
  encodeCursor,
  JobIndex,
  type JobIndexEntry,
  type JobSearchPage,
  type JobSearchQuery,
} from './job-index';
export { JobIndexRetention, type PruneOptions, type PruneResult } from './job-index-retention';
export { generateWebhookSecret, WebhookSecrets, type WebhookSecret } from './webhook-secrets';
export {
  GENERATION_STATUSES,
  GenerationStore,
  TERMINAL_GENERATION_STATUSES,
  type GeneratedImage,
  type GenerationFailure,
  type GenerationRecord,
  type GenerationStatus,
  type GenerationStoreOptions,
  type NewGeneration,
} from './generation.store';
export {
  BATCH_STATUSES,
  BatchStore,
  type BatchRecord,
  type BatchStatus,
  type BatchStoreOptions,
  type ItemOutcome,
  type ItemState,
  type ManifestItem,
  type NewBatch,
  type RecordResult,
} from './batch.store';
export { WebhookDeliveries, type DeliveryState, type WebhookDelivery } from './webhook-deliveries';
export { ModelDemand } from './model-demand';
export { GenerationIntake, type GenerationIntakeResult } from './generation-intake';
export { finalizeBatch, type ManifestLine, type ManifestSink } from './batch-manifest';
export {
  ITEM_SPECS_PER_PART,
  encodeItemSpecs,
  itemSpecPart,
  readItemSpecs,
  type ItemSpecSource,
} from './batch-item-specs';
export { ActiveIndex, activeIndexKey, type ActiveKind, type ActiveRef } from './active-index';
export {
  QUOTA_NAMES,
  QUOTA_RETRY_AFTER_SECONDS,
  quotaExceeded,
  quotaRefusalOf,
  quotaScriptArgs,
  tenantQuotaKeys,
  throwIfQuotaRefused,
  type QuotaLimits,
  type QuotaName,
  type QuotaRefusal,
  type TenantQuotaKeys,
} from './tenant-quota';
export {
  daysBetween,
  USAGE_KINDS,
  usageDay,
  UsageLedger,
  type KindUsage,
  type UsageEntry,
  type UsageKind,
  type UsageLedgerOptions,
  type UsageResource,
  type UsageTotals,
} from './usage-ledger';
