export { isBlockedAddress, isLinkLocal } from './blocked-addresses';
export {
  ALLOW_HOSTS_FORMAT,
  MAX_WEBHOOK_URL_LENGTH,
  WebhookUrlRejected,
  checkAddress,
  checkWebhookUrl,
  invalidAllowHosts,
  type CheckedWebhookUrl,
  type WebhookAddressPolicy,
} from './webhook-url-policy';
