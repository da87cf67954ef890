export { EventLog, toStoredEvent, type EventLogOptions, type ResourceEvent, type ResourceType, type StoredEvent } from './event-log';
export { WebhookTargets } from './webhook-targets';
export { decodeCursor, encodeCursor, JobIndex, type JobIndexEntry, type JobSearchPage, type JobSearchQuery } from './job-index';
export { generateWebhookSecret, WebhookSecrets, type WebhookSecret } from './webhook-secrets';
export { WebhookDeliveries, type DeliveryState, type WebhookDelivery } from './webhook-deliveries';
export { canTransition, isRunning, ModelStore, type ListPage, type ModelRecord, type TransitionResult } from './model.store';
