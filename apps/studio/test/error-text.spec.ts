import { ApiError, fieldProblems, photoProblems } from '../src/api/api-error';
import { describeError } from '../src/api/error-text';

describe('API errors in plain words', () => {
  it('a refused key says what to do, without HTTP header talk', () => {
    const error = ApiError.fromBody(401, {
      error: { code: 'unauthorized', message: 'A valid API key is required: send "Authorization: Bearer <key>".' },
    });
    expect(describeError(error)).toBe(
      'That API key was not accepted. Check it, or ask for a new one, and sign in again.',
    );
  });

  it('a wrong photo count says how many were sent and how many photos are marked', () => {
    const error = ApiError.fromBody(400, {
      error: {
        code: 'image_count_out_of_range',
        message: 'Send 10–15 photos in the "images" field; got 9.',
        details: { min: 10, max: 15, received: 9, photos: [{ index: 7, code: 'image_too_small', reason: 'small' }] },
      },
    });
    expect(describeError(error)).toBe(
      'A model needs 10 to 15 photos of the same person. You sent 9. One photo is also marked below: replace it.',
    );
    expect(photoProblems(error)).toEqual([{ index: 7, code: 'image_too_small', reason: 'small' }]);
  });

  it('per-photo reasons come from a details list too, and field reasons from either shape', () => {
    const photos = new ApiError(400, 'image_too_small', '…', [{ index: 2, code: 'image_too_small', reason: 'r' }]);
    expect(photoProblems(photos).map((p) => p.index)).toEqual([2]);
    const params = new ApiError(400, 'invalid_params', '…', [{ field: 'params.steps', reason: 'too big' }]);
    const json = new ApiError(400, 'invalid_request', '…', { errors: [{ path: 'steps', message: 'too big' }] });
    expect(fieldProblems(params)).toEqual([{ field: 'params.steps', reason: 'too big' }]);
    expect(fieldProblems(json)).toEqual([{ field: 'steps', reason: 'too big' }]);
  });

  it('an unknown code shows the API’s own message; a non-JSON answer gets a generic code', () => {
    expect(describeError(new ApiError(409, 'something_new', 'The API explains.'))).toBe('The API explains.');
    expect(ApiError.fromBody(502, undefined).code).toBe('unexpected_response');
  });
});
