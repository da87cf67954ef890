import { createSign, generateKeyPairSync } from 'node:crypto';
import { type Queue } from 'bullmq';
import request from 'supertest';
import { trainQueue, type TrainPayload, type TrainResult } from '@dreamqueue/contracts';
import { createLogger } from '@dreamqueue/logger';
import { snsNotificationRoutes } from '../src/models/sns/sns-notifications.routes';
import { stringToSign, type SnsMessage } from '../src/models/sns/sns-signature';
import { startApiHarness, type ApiHarness } from './api-harness';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:dreamqueue-training-success';
const CERT_URL = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem';

describe('POST /v1/notifications/sns (real Redis, real BullMQ)', () => {
  let h: ApiHarness;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const train = () => h.queues.find((q) => q.name === trainQueue.name) as Queue<TrainPayload, TrainResult>;
  const appWith = (topicArns: string[]) =>
    h.appWith({
      publicRouters: [
        snsNotificationRoutes({
          trainQueue: train(),
          logger: createLogger({ name: 't', level: 'silent' }),
          topicArns,
          allowUnsigned: false,
          fetchCert: async () => publicPem,
        }),
      ],
    });
  const notification = (modelId: string, overrides: Partial<SnsMessage> = {}): SnsMessage => {
    const message: SnsMessage = {
      Type: 'Notification',
      MessageId: 'm-1',
      TopicArn: TOPIC,
      Message: JSON.stringify({ inferenceId: `train-${modelId}-1`, invocationStatus: 'Completed' }),
      Timestamp: new Date().toISOString(),
      SignatureVersion: '2',
      SigningCertURL: CERT_URL,
      ...overrides,
    };
    const signer = createSign('RSA-SHA256');
    signer.update(stringToSign(message));
    return {
      Signature: signer.sign(privateKey, 'base64'),
      ...message,
      ...(overrides.Signature && { Signature: overrides.Signature }),
    };
  };
  const delayedJob = async (id: string) =>
    train().add(
      trainQueue.name,
      { tenantId: 'acme', modelId: id, step: 'await', checkpoint: {} },
      { jobId: id, delay: 600_000 },
    );

  beforeAll(async () => {
    h = await startApiHarness();
  });
  afterAll(async () => h.close());

  it('a signed notification from the configured topic promotes the waiting train job', async () => {
    const job = await delayedJob('mdl_snsok');
    await request(appWith([TOPIC]))
      .post('/v1/notifications/sns')
      .type('text/plain')
      .send(JSON.stringify(notification('mdl_snsok')))
      .expect(204);
    expect(await job.getState()).toBe('waiting');
  });

  it('a tampered, unsigned, foreign-topic or foreign-certificate message is refused and changes nothing', async () => {
    const job = await delayedJob('mdl_snsbad');
    const app = appWith([TOPIC]);
    const tampered = {
      ...notification('mdl_snsbad'),
      Message: JSON.stringify({ inferenceId: 'train-mdl_snsbad-1', x: 1 }),
    };
    await request(app).post('/v1/notifications/sns').send(JSON.stringify(tampered)).expect(403);
    const { Signature: _s, ...unsigned } = notification('mdl_snsbad');
    await request(app).post('/v1/notifications/sns').send(JSON.stringify(unsigned)).expect(403);
    await request(app)
      .post('/v1/notifications/sns')
      .send(JSON.stringify(notification('mdl_snsbad', { TopicArn: `${TOPIC}-other` })))
      .expect(403);
    await request(app)
      .post('/v1/notifications/sns')
      .send(JSON.stringify(notification('mdl_snsbad', { SigningCertURL: 'https://evil.example.com/x.pem' })))
      .expect(403);
    await request(app).post('/v1/notifications/sns').send('not json').expect(400);
    expect(await job.getState()).toBe('delayed');
  });

  it('local mode (no topic configured) accepts the emulator’s unsigned messages; unknown ids are ignored', async () => {
    const job = await delayedJob('mdl_snslocal');
    const app = appWith([]);
    const body = {
      Type: 'Notification',
      MessageId: 'x',
      TopicArn: 'arn:aws:sns:us-east-1:000000000000:t',
      Timestamp: '',
      SignatureVersion: '1',
    };
    await request(app)
      .post('/v1/notifications/sns')
      .send(JSON.stringify({ ...body, Message: JSON.stringify({ inferenceId: 'train-../../x-1' }) }))
      .expect(204);
    await request(app)
      .post('/v1/notifications/sns')
      .send(JSON.stringify({ ...body, Message: JSON.stringify({ inferenceId: 'train-mdl_snslocal-1' }) }))
      .expect(204);
    expect(await job.getState()).toBe('waiting');
  });
});
