import express, { Router } from 'express';
import { type Queue } from 'bullmq';
import { idSchema, type TrainPayload, type TrainResult } from '@dreamqueue/contracts';
import { AppError, badRequest } from '@dreamqueue/errors';
import { type Logger } from '@dreamqueue/logger';
import { verifySnsSignature, type SnsMessage } from './sns-signature';

export interface SnsRoutesDeps {
  trainQueue: Queue<TrainPayload, TrainResult>;
  logger: Logger;
  /** The async endpoint's success/error topics. Unset = local mode (the emulator's unsigned messages). */
  topicArns: string[];
  /** Accept unsigned messages even with topics configured (local testing only). @defaultValue false */
  allowUnsigned: boolean;
  fetchCert: (url: string) => Promise<string>;
  /** Confirms a subscription by visiting its SubscribeURL (production). */
  confirmSubscription?: (url: string) => Promise<void>;
}

const TRAIN_INFERENCE = /^train-(mdl_[a-z0-9]{1,40})-\d+$/;

/**
 * `POST /v1/notifications/sns` (public: SNS cannot authenticate): SageMaker's async completion notice.
 * It never changes state by itself — it only makes the waiting train job check its output now instead of at
 * its next poll, so a forged message can at worst cause one early check.
 */
export function snsNotificationRoutes(deps: SnsRoutesDeps): Router {
  const router = Router({ caseSensitive: true });
  const localMode = deps.topicArns.length === 0 || deps.allowUnsigned;
  router.post('/v1/notifications/sns', express.text({ type: () => true, limit: '256kb' }), async (req, res) => {
    const message = parse(req.body);
    if (!localMode) {
      if (!deps.topicArns.includes(message.TopicArn))
        throw new AppError('unknown_topic', 'This topic is not accepted here.', { status: 403 });
      if (!(await verifySnsSignature(message, deps.fetchCert).catch(() => false))) {
        throw new AppError('invalid_signature', 'The SNS signature does not verify.', { status: 403 });
      }
    }
    if (message.Type === 'SubscriptionConfirmation') {
      if (
        !localMode &&
        message.SubscribeURL &&
        /^https:\/\/sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//.test(message.SubscribeURL)
      ) {
        await deps.confirmSubscription?.(message.SubscribeURL);
      }
      return res.status(204).end();
    }
    if (message.Type === 'Notification') await wake(deps, message.Message);
    res.status(204).end();
  });
  return router;
}

function parse(body: unknown): SnsMessage {
  let json: Partial<SnsMessage>;
  try {
    json = JSON.parse(String(body)) as Partial<SnsMessage>;
  } catch {
    throw badRequest('invalid_notification', 'The body is not an SNS message.');
  }
  if (typeof json.Type !== 'string' || typeof json.Message !== 'string' || typeof json.TopicArn !== 'string') {
    throw badRequest('invalid_notification', 'The body is not an SNS message.');
  }
  return json as SnsMessage;
}

/** Promotes the delayed train job named by the notification's inference id (`train-<modelId>-<n>`). */
async function wake(deps: SnsRoutesDeps, raw: string): Promise<void> {
  let inferenceId: unknown;
  try {
    inferenceId = (JSON.parse(raw) as { inferenceId?: unknown }).inferenceId;
  } catch {
    return;
  }
  const modelId = typeof inferenceId === 'string' ? TRAIN_INFERENCE.exec(inferenceId)?.[1] : undefined;
  if (!modelId || !idSchema('model').safeParse(modelId).success) return;
  const job = await deps.trainQueue.getJob(modelId);
  if (job && (await job.isDelayed())) {
    await job
      .promote()
      .catch((err: unknown) => deps.logger.debug({ err, modelId }, 'train job was not delayed any more'));
  }
}
