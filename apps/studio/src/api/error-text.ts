import { photoProblems, type ApiError } from './api-error';

/**
 * The API's stable error codes in plain words. The API's own message follows when it adds facts (which
 * model, which limit); a code not listed here shows the API's message as it is.
 */
const PLAIN: Record<string, string> = {
  unauthorized: 'That API key was not accepted. Check it, or ask for a new one, and sign in again.',
  forbidden: 'This API key may not do that.',
  too_many_auth_failures: 'Too many sign-in attempts from here. Wait a minute and try again.',
  rate_limited: 'Too many requests right now. Wait a moment and try again.',
  redis_unavailable: 'The service is briefly unavailable. Try again in a few seconds.',
  network_error: 'The studio could not reach the API. Is dreamqueue still running?',
  not_found: 'That no longer exists (or belongs to another tenant).',
  image_count_out_of_range: 'A model needs 10 to 15 photos of the same person.',
  image_too_large: 'A photo is larger than the upload limit.',
  payload_too_large: 'The upload is larger than the API accepts.',
  unsupported_image_type: 'A file is not a JPEG, PNG or WebP photo.',
  image_undecodable: 'A photo could not be read.',
  pixel_limit_exceeded: 'A photo has too many pixels.',
  image_too_small: 'A photo is too small.',
  animated_image: 'A photo is animated; use still photos.',
  duplicate_image: 'The same photo was added twice.',
  invalid_params: 'Some training settings are not valid.',
  invalid_request: 'Some settings are not valid.',
  model_not_ready: 'That model is not ready yet: wait until its training has finished.',
  model_not_cancelable: 'That training has already finished, so there is nothing to cancel.',
  generation_finished: 'That generation has already finished.',
  batch_not_finished: 'The batch is still running; its results are ready when it ends.',
  empty_batch: 'The prompts file has no prompts in it.',
  too_many_items: 'The prompts file has more prompts than one batch takes (100 000).',
  invalid_batch_items: 'Some lines of the prompts file are not valid.',
  invalid_batch_header: 'The batch could not be started with these settings.',
  line_too_long: 'A line of the prompts file is too long.',
  too_many_event_streams: 'Too many studio tabs are open for this tenant; live updates are paused here.',
  idempotency_in_progress: 'That request is still being handled. Wait a moment.',
};

/** Codes whose API message is written for HTTP clients (headers, field names): the plain words say it all. */
const PLAIN_ONLY = new Set(['unauthorized', 'forbidden', 'network_error']);

/** A sentence for people: the plain words for the code, then the API's specifics. */
export function describeError(error: ApiError): string {
  if (error.code === 'image_count_out_of_range') return describeCount(error);
  const plain = PLAIN[error.code];
  if (!plain) return error.message;
  if (PLAIN_ONLY.has(error.code)) return plain;
  return error.message && error.message !== plain ? `${plain} (${error.message})` : plain;
}

export const hasPlainWords = (code: string) => code in PLAIN;

/** The count error says how many were sent, and how many of them also need replacing (marked per photo). */
function describeCount(error: ApiError): string {
  const details = error.details as { received?: number; min?: number; max?: number } | undefined;
  const range = details?.min && details.max ? `${details.min} to ${details.max}` : '10 to 15';
  const sent = typeof details?.received === 'number' ? ` You sent ${details.received}.` : '';
  const bad = photoProblems(error).length;
  const marked =
    bad > 0
      ? ` ${bad === 1 ? 'One photo is' : `${bad} photos are`} also marked below: replace ${bad === 1 ? 'it' : 'them'}.`
      : '';
  return `A model needs ${range} photos of the same person.${sent}${marked}`;
}
