import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type Logger } from '@dreamqueue/logger';
import { type TrainingRequest } from './training-request';

export interface CompletionEvent {
  request: TrainingRequest;
  status: 'Completed' | 'Failed';
  outputLocation?: string;
  failureLocation?: string;
  failureReason?: string;
}

/**
 * Posts the SNS Notification SageMaker would publish for an async result (success or error topic). The
 * Message is a JSON string, as SNS delivers it. Delivery is best effort, like SNS's HTTP retries are not
 * modelled: a failed POST is logged, never fatal.
 */
export async function notifyCompletion(url: string, event: CompletionEvent, logger: Logger): Promise<void> {
  const now = new Date().toISOString();
  const message = {
    awsRegion: 'us-east-1',
    eventTime: now,
    receivedTime: new Date(event.request.receivedAt).toISOString(),
    invocationStatus: event.status,
    requestParameters: { endpointName: event.request.endpoint, inputLocation: event.request.inputLocation },
    responseParameters: {
      contentType: 'application/json',
      ...(event.outputLocation && { outputLocation: event.outputLocation }),
      ...(event.failureLocation && { failureLocation: event.failureLocation }),
    },
    inferenceId: event.request.inferenceId,
    ...(event.failureReason && { failureReason: event.failureReason }),
    eventVersion: '1.0',
    eventSource: 'aws:sagemaker',
    eventName: 'InferenceResult',
  };
  const topic = event.status === 'Completed' ? 'success' : 'error';
  const notification = {
    Type: 'Notification',
    MessageId: randomUUID(),
    TopicArn: `arn:aws:sns:us-east-1:000000000000:${event.request.endpoint}-${topic}`,
    Message: JSON.stringify(message),
    Timestamp: now,
    SignatureVersion: '1',
  };
  try {
    await post(url, JSON.stringify(notification));
  } catch (err) {
    logger.warn({ err, inferenceId: event.request.inferenceId }, 'async notification failed');
  }
}

function post(url: string, body: string): Promise<void> {
  const send = url.startsWith('https:') ? httpsRequest : request;
  return new Promise((resolve, reject) => {
    // agent: false: one connection per notification, closed after, so nothing lingers between tests.
    const req = send(
      url,
      {
        method: 'POST',
        agent: false,
        headers: {
          'Content-Type': 'text/plain; charset=UTF-8',
          'x-amz-sns-message-type': 'Notification',
          'Content-Length': Buffer.byteLength(body),
        },
        timeout: 10_000,
      },
      (res) => {
        res.resume();
        res.once('end', () =>
          (res.statusCode ?? 500) < 300 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`)),
        );
      },
    );
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', reject);
    req.end(body);
  });
}
