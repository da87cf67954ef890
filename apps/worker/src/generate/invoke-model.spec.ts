import { CONDA_PACK_MISSING } from '@dreamqueue/contracts';
import { classifyInvocationError } from './invoke-model';

const modelError = (originalMessage: string) =>
  Object.assign(new Error('Received client error (400) from primary'), {
    name: 'ModelError',
    $metadata: { httpStatusCode: 424 },
    OriginalStatusCode: 400,
    OriginalMessage: originalMessage,
  });

describe('classifyInvocationError', () => {
  it('runs a job again when the instance that took the call has no base model yet', () => {
    const failure = classifyInvocationError(
      modelError(
        `load failed for model 'acme-mdl': version 1 is at UNAVAILABLE state: Internal: ${CONDA_PACK_MISSING};`,
      ),
    );
    expect(failure).toMatchObject({ kind: 'transient', name: 'BaseModelMissing' });
  });

  it("still fails at once on the model's own refusal of the request", () => {
    expect(classifyInvocationError(modelError('shape [9,1] exceeds max_batch_size 8')).kind).toBe('unrecoverable');
  });
});
