export { EventLog, toStoredEvent, type EventLogOptions, type ResourceEvent, type ResourceType, type StoredEvent } from './event-log';
export { WebhookTargets } from './webhook-targets';
