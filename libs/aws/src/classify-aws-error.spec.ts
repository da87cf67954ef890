import { classifyAwsError } from './classify-aws-error';

const awsError = (name: string, status: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status }, ...extra });

describe('classifyAwsError', () => {
  it.each([
    ['ThrottlingException', 400, 'throttled'],
    ['ThrottlingException', 429, 'throttled'],
    ['SlowDown', 503, 'throttled'],
    ['ModelNotReadyException', 429, 'model_not_ready'],
    ['InternalFailure', 500, 'transient'],
    ['ServiceUnavailable', 503, 'transient'],
    ['InternalDependencyException', 530, 'transient'],
    ['SyntaxError', 500, 'transient'],
    ['ValidationError', 400, 'unrecoverable'],
    ['AccessDeniedException', 403, 'unrecoverable'],
    ['NoSuchKey', 404, 'not_found'],
    ['NotFound', 404, 'not_found'],
  ])('%s (%i) is %s', (name, status, kind) => {
    expect(classifyAwsError(awsError(name, status)).kind).toBe(kind);
  });

  it('treats a container 4xx as unrecoverable and keeps its message', () => {
    const out = classifyAwsError(
      awsError('ModelError', 424, { OriginalStatusCode: 400, OriginalMessage: 'shape [9,1] exceeds max_batch_size 8' }),
    );
    expect(out).toMatchObject({ kind: 'unrecoverable', originalStatus: 400 });
    expect(out.reason).toContain('max_batch_size');
  });

  it('treats a container 5xx as transient', () => {
    expect(classifyAwsError(awsError('ModelError', 424, { OriginalStatusCode: 500 })).kind).toBe('transient');
  });

  it('treats socket errors as transient', () => {
    expect(classifyAwsError(Object.assign(new Error('reset'), { code: 'ECONNRESET' })).kind).toBe('transient');
  });
});
